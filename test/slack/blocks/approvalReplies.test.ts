import type { Approval } from '../../../src/core';
import {
  approvalFailedLine,
  approvalInterruptedAttemptLine,
  approvalInterruptedLine,
  approvalStateLine,
  approvalVoidLine,
  renderApprovedConfirmation,
  renderClickAnswer,
  renderRejectedConfirmation,
  renderRequesterNotice,
  renderUnknownApproval,
  renderVoidConfirmation,
  type ClickAnswer,
} from '../../../src/slack/blocks/approvalReplies';
import { lineMessage, type SlackMessage } from '../../../src/slack/blocks/kit';
import { HOSTILE_ERROR, HOSTILE_NAME, HUGE_NAME } from '../blockKitLimits';
import { REQUESTER_MENTION, T0, approval, expectSafe, hostileError, instance, json, secMasterError } from '../fixtures';

const DATE = /<!date\^\d+\^/;
const everything = (a: Approval): SlackMessage[] => [
  lineMessage(approvalStateLine(a)),
  ...(['self', 'not_approver', 'duplicate', 'closed', 'expired', 'counted'] as ClickAnswer[]).map((k) => renderClickAnswer(k, a)),
  renderRequesterNotice(a, { kind: 'expired' }),
  renderRequesterNotice(a, { kind: 'rejected', by: 'U0LEAD' }),
  renderRequesterNotice(a, { kind: 'line', line: approvalVoidLine(a, { kind: 'status', status: a.instanceStatus ?? 'FINISHED' }) }),
  renderVoidConfirmation(a, { kind: 'revoked', detail: a.reason ?? 'x' }),
  lineMessage(approvalInterruptedLine(a)),
  lineMessage(approvalInterruptedAttemptLine(a, { code: 'not_applied', operation: a.operation, instance: instance({ status: a.instanceStatus ?? 'RUNNING' }), error: secMasterError() })),
  renderRejectedConfirmation(a),
  renderApprovedConfirmation(a, { status: a.instanceStatus ?? 'TERMINATING' }),
];

describe('approvalStateLine: what a decided card says happened', () => {
  it.each<[Partial<Approval>, RegExp]>([
    [{ state: 'rejected', decidedBy: 'U0LEAD', decidedAt: T0 }, /^:no_entry: Rejected by <@U0LEAD> <!date\^\d+\^.*\. Nothing was sent\.$/],
    [{ state: 'expired', decidedAt: T0 }, /^:hourglass: Expired <!date.*: it was not approved in time\. Nothing was sent\.$/],
    [{ state: 'void', detail: 'instance is FINISHED' }, /^:warning: Void: instance is FINISHED\. Nothing was sent\.$/],
    [{ state: 'approved', decidedBy: 'U0LEAD' }, /^:white_check_mark: Approved by <@U0LEAD>; running it now\.$/],
    [{ state: 'executed', votes: [{ userId: 'U0LEAD', at: T0 }, { userId: 'U0BOSS', at: T0 }] }, /^:white_check_mark: Approved by <@U0LEAD>, <@U0BOSS> and carried out\.$/],
    [{ state: 'failed' }, /^:x: Approved, but the operation did not go through\.$/],
    [{ state: 'pending' }, /^$/],
  ])('%j', (over, line) => {
    expect(approvalStateLine(approval(over))).toMatch(line);
  });
});

describe('the answers to a click', () => {
  it('an unknown approval: nothing was done', () => {
    expect(renderUnknownApproval().text).toBe(':grey_question: This approval request is unknown here; it may belong to another installation. Nothing was done.');
  });

  it.each<[ClickAnswer, RegExp]>([
    ['self', /^:raised_hand: You asked for this, so someone else must approve it \(two-person rule\)\. Nothing was done\.$/],
    ['not_approver', /^:no_entry: Only `lead` may decide this request\. Nothing was done\.$/],
    ['duplicate', /^:ballot_box_with_check: Your approval is already counted \(1 of 2\)\.$/],
    ['closed', /^:information_source: Already decided: :no_entry: Rejected by <@U0LEAD>/],
    ['expired', /^:hourglass: This request expired <!date\^\d+\^.*\. Nothing was done; ask again if it is still needed\.$/],
    ['counted', /^:ballot_box_with_check: Your approval is counted: 1 of 2\.$/],
  ])('%s', (answer, line) => {
    const a = approval({ votes: [{ userId: 'U0LEAD', at: T0 }], ...(answer === 'closed' ? { state: 'rejected', decidedBy: 'U0LEAD' } : {}) });
    const m = renderClickAnswer(answer, a);
    expectSafe(m);
    expect(m.text).toMatch(line);
  });
});

describe('what the requester and a Home-tab clicker are told', () => {
  const a = approval({ operation: 'TERMINATE' });
  it('expiry, rejection and a card line, each addressed to the requester', () => {
    expect(renderRequesterNotice(a, { kind: 'expired' }).text).toBe(`${REQUESTER_MENTION} your terminate request expired without approval. Nothing was sent.`);
    expect(renderRequesterNotice(a, { kind: 'rejected', by: 'U0LEAD' }).text).toBe(`${REQUESTER_MENTION} your request was rejected by <@U0LEAD>.`);
    expect(renderRequesterNotice(a, { kind: 'line', line: ':x: it did not go' }).text).toBe(`${REQUESTER_MENTION} :x: it did not go`);
  });

  it('void: the status that no longer allows it, or why the policy no longer does', () => {
    expect(approvalVoidLine(a, { kind: 'status', status: 'FINISHED' })).toBe(':warning: Approved, but the instance is now *FINISHED*, so TERMINATE no longer applies. The approval is void; nothing was sent.');
    expect(approvalVoidLine(a, { kind: 'revoked', detail: 'no rule grants it any more' })).toBe(':warning: Approved, but the policy in force no longer allows it: no rule grants it any more. The approval is void; nothing was sent.');
  });

  it('failed: SecMaster’s code, message and request ID; without an error, the outcome code', () => {
    expect(approvalFailedLine({ code: 'failed', operation: 'TERMINATE', error: secMasterError() })).toMatch(/^:x: Approved, but it did not go through: `HTTP 400 · SecMaster\.20048001` .*\(request ID `req-err-9`\)$/);
    expect(approvalFailedLine({ code: 'rate_limited', operation: 'TERMINATE', retryInS: 3, limit: 10 })).toBe(':x: Approved, but it did not go through: `rate_limited`');
  });

  it('interrupted: not sent again, and how to look', () => {
    expect(approvalInterruptedLine(a)).toBe(':warning: Approved, but the bot stopped before it could record what SecMaster did. It was not sent again: check `/playbook status inst-0001`.');
    expect(approvalInterruptedAttemptLine(a, { code: 'not_applied', operation: 'TERMINATE', instance: instance({ status: 'RUNNING' }), error: secMasterError() })).toMatch(/a read shows it did not take effect \(the instance is \*RUNNING\*\)\. It was not repeated\.$/);
    expect(approvalInterruptedAttemptLine(a, { code: 'outcome_unknown', operation: 'TERMINATE', error: secMasterError() })).toMatch(/could not be checked\. It was not repeated: check `\/playbook status inst-0001`\.$/);
  });

  it('confirmations name what was decided and where', () => {
    expect(renderRejectedConfirmation(a).text).toBe(':no_entry: You rejected the terminate of *Block malicious IP 203.0.113.7* (`inst-0001`) in <#C0INCIDENT>. Nothing was sent.');
    expect(renderApprovedConfirmation(a, { status: 'TERMINATING' }).text).toBe(
      ':white_check_mark: You approved the terminate of *Block malicious IP 203.0.113.7* (`inst-0001`): sent, it is now *TERMINATING*. The card in <#C0INCIDENT> follows it.',
    );
  });
});

describe.each<[string, Approval]>([
  ['normal', approval({ state: 'rejected', decidedBy: 'U0LEAD', decidedAt: T0, votes: [{ userId: 'U0LEAD', at: T0 }] })],
  ['hostile', approval({ instanceName: HOSTILE_NAME, reason: HOSTILE_NAME, detail: HOSTILE_ERROR, instanceStatus: '<!channel>', approverRoles: [HOSTILE_NAME], channel: '<!here>', instanceId: HOSTILE_NAME, state: 'void' })],
  ['huge', approval({ instanceName: HUGE_NAME, reason: HUGE_NAME, detail: HUGE_NAME, instanceStatus: HUGE_NAME, approverRoles: [HUGE_NAME, HUGE_NAME], instanceId: HUGE_NAME, state: 'void' })],
])('%s data', (_label, a) => {
  it('every reply is escaped and within Slack limits, and the requester is still mentioned where addressed', () => {
    for (const m of everything(a)) expectSafe(m);
    expect(json(renderRequesterNotice(a, { kind: 'expired' }))).toContain(REQUESTER_MENTION);
    expect(approvalFailedLine({ code: 'failed', operation: a.operation, error: hostileError() })).not.toContain('<!channel>');
  });
});

it('dates are Slack date tokens, not the server’s clock text', () => {
  expect(approvalStateLine(approval({ state: 'expired', decidedAt: T0 }))).toMatch(DATE);
});
