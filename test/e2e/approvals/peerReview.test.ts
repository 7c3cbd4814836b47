import { TEAM, USERS, WS, type Harness } from '../harness';
import { auditRows, clickOnCard, freshChannel, operationPosts, requestTerminate, startApprovalHarness, waitForPrivate, waitForStatusCard } from './helpers';

/**
 * Peer review: responders' TERMINATE needs the approval of another responder. The requester holds
 * the approver role, and still cannot approve their own request (two-person rule); a peer can.
 */
const PEER_POLICY = `
slack_team_id: ${TEAM}
roles:
  responder:
    users: [${USERS.responder}, ${USERS.responder2}]
rules:
  - operations: [VIEW]
    roles: [responder]
  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [responder]
      count: 1
      expires_after: 1h
`;

let h: Harness;

beforeAll(async () => {
  h = await startApprovalHarness({ policy: PEER_POLICY });
});

afterAll(async () => {
  await h?.stop();
});

test('a requester who holds the approver role still cannot approve their own request; a peer can, and it runs once', async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Peer reviewed' });
  const { card, approvalId } = await requestTerminate(h, channel, id, 'peer review');
  // Both responders are named as approvers on the card, the requester marked as unable to approve.
  expect(JSON.stringify(card.blocks)).toContain(`<@${USERS.responder}> (cannot approve)`);

  await clickOnCard(h, USERS.responder, channel, card, 'playbook_approve', approvalId);
  await waitForPrivate(h, USERS.responder, channel, /someone else must approve/, 'the requester is refused');
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(auditRows(h, { approvalId }).map((r) => [r.event, r.user_id, r.outcome])).toEqual([
    ['approval_asked', USERS.responder, 'pending'],
    ['denied', USERS.responder, 'self_approval'],
  ]);

  await clickOnCard(h, USERS.responder2, channel, card, 'playbook_approve', approvalId);
  await waitForStatusCard(card, 'TERMINATED');
  expect(operationPosts(h, id)).toHaveLength(1);
  expect(h.sim.state.get(WS, id)!.status).toBe('TERMINATED');
});
