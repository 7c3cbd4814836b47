import { USERS, waitFor, WS, type Harness } from '../harness';
import { auditRows, buttonsIn, clickOnCard, freshChannel, operationPosts, policyWith, requestTerminate, shown, startApprovalHarness, waitForPrivate, waitForStatusCard } from './helpers';

/**
 * A custom policy: responders' TERMINATE needs two approvals from `lead`, a role that also has a
 * Slack user group. The card mentions the group; each approval is counted once per person; the
 * operation runs once, when the second distinct approver clicks; a group member is an approver.
 */
const LEADS_GROUP = 'S0LEADS';
const GROUP_LEAD = 'U0GLEAD';

let h: Harness;

beforeAll(async () => {
  h = await startApprovalHarness({ policy: policyWith({ count: 2, leadUsergroups: [LEADS_GROUP] }) });
  h.slack.usergroups.set(LEADS_GROUP, [GROUP_LEAD]);
});

afterAll(async () => {
  await h?.stop();
});

test('the card mentions the approver user group along with the approver users, and asks for 2', async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Group mention' });
  const { card } = await requestTerminate(h, channel, id, 'needs two');
  const text = shown(card);
  expect(text).toContain(`<!subteam^${LEADS_GROUP}>`);
  expect(text).toContain(`<@${USERS.lead}>`);
  expect(text).toContain(`<@${USERS.lead2}>`);
  expect(text).toContain('0 of 2');
});

test('count 2: one approval shows 1 of 2 and runs nothing; the same lead again is already counted; the second lead runs it once', async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Two keys' });
  const { card, approvalId, note } = await requestTerminate(h, channel, id, 'two keys');
  expect(note).toContain('needs 2 approvals');

  await clickOnCard(h, USERS.lead, channel, card, 'playbook_approve', approvalId);
  const counted = await waitForPrivate(h, USERS.lead, channel, /Your approval is counted: 1 of 2/, 'the first approval is counted');
  expect(counted).toBeDefined();
  await waitFor(() => card.edits > 0 && shown(card).includes('1 of 2'), 5000, 'the card shows 1 of 2');
  expect(shown(card)).toContain(`1 of 2 — <@${USERS.lead}>`);
  expect(buttonsIn(card.blocks).map((b) => b.action_id).sort()).toEqual(['playbook_approve', 'playbook_reject']);
  expect(operationPosts(h, id)).toHaveLength(0);

  await clickOnCard(h, USERS.lead, channel, card, 'playbook_approve', approvalId);
  await waitForPrivate(h, USERS.lead, channel, /already counted/, 'the same lead again is already counted');
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(shown(card)).toContain('1 of 2');

  await clickOnCard(h, USERS.lead2, channel, card, 'playbook_approve', approvalId);
  await waitForStatusCard(card, 'TERMINATED');
  expect(operationPosts(h, id)).toHaveLength(1);
  expect(shown(card)).toContain(`Approved by <@${USERS.lead}>, <@${USERS.lead2}>`);

  const rows = auditRows(h, { approvalId });
  expect(rows.map((r) => [r.event, r.user_id, r.outcome])).toEqual([
    ['approval_asked', USERS.responder, 'pending'],
    ['approved', USERS.lead, 'vote'],
    ['approved', USERS.lead2, 'approved'],
    ['executed', USERS.lead2, 'done'],
  ]);
});

test('a member of the approver user group counts as an approver; a responder still does not', async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Group approver' });
  const { card, approvalId } = await requestTerminate(h, channel, id, 'group approver');

  await clickOnCard(h, USERS.responder2, channel, card, 'playbook_approve', approvalId);
  await waitForPrivate(h, USERS.responder2, channel, /Only `lead` may decide/, 'a responder is refused');
  await clickOnCard(h, GROUP_LEAD, channel, card, 'playbook_approve', approvalId);
  await waitForPrivate(h, GROUP_LEAD, channel, /counted: 1 of 2/, 'the group member is counted');
  expect(operationPosts(h, id)).toHaveLength(0);
  await clickOnCard(h, USERS.lead2, channel, card, 'playbook_approve', approvalId);
  await waitForStatusCard(card, 'TERMINATED');
  expect(operationPosts(h, id)).toHaveLength(1);
  expect(h.sim.state.get(WS, id)!.status).toBe('TERMINATED');
});
