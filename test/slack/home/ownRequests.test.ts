import { ownRequests } from '../../../src/slack/home/publishHome';
import { auditRecord } from '../fixtures';

/** The Home tab lists a person's requests: not their clicks on approval cards, nor the approval they asked for twice. */
describe('ownRequests', () => {
  it('keeps operations and denials of what the person asked for', () => {
    const rows = [auditRecord({ outcome: 'done' }), auditRecord({ event: 'denied', outcome: 'not_in_role' }), auditRecord({ outcome: 'invalid_status', detail: 'status FINISHED' })];
    expect(ownRequests(rows)).toEqual(rows);
  });

  it('drops approval clicks (a vote, a self-approval, a non-approver) and approval steps', () => {
    const rows = [
      auditRecord({ event: 'denied', outcome: 'self_approval', approval_id: 'apr_1' }),
      auditRecord({ event: 'denied', outcome: 'not_approver', approval_id: 'apr_2' }),
      auditRecord({ event: 'approved', outcome: 'vote', approval_id: 'apr_3' }),
      auditRecord({ event: 'executed', outcome: 'done', approval_id: 'apr_3' }),
      auditRecord({ event: 'approval_asked', outcome: 'pending', approval_id: 'apr_4' }),
    ];
    expect(ownRequests(rows)).toEqual([]);
  });

  it('drops the operation row that only says approval was asked: the approval line shows it with its state', () => {
    expect(ownRequests([auditRecord({ outcome: 'approval_requested' }), auditRecord({ outcome: 'approval_pending' })]).map((r) => r.outcome)).toEqual(['approval_pending']);
  });
});
