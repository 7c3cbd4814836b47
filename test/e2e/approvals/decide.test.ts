import { USERS, waitFor, WS, type Harness } from '../harness';
import {
  auditRows,
  buttonsIn,
  clickOnCard,
  freshChannel,
  operationPosts,
  privateTo,
  requestTerminate,
  shown,
  startApprovalHarness,
  waitForPrivate,
  waitForStatusCard,
} from './helpers';

/**
 * Deciding an approval (interface.md §4 Approvals): who may click Approve, the one operation that
 * an approval runs however many clicks arrive, the card becoming the status card, rejection, and an
 * approval that no longer applies because the instance moved on.
 */
let h: Harness;

beforeAll(async () => {
  h = await startApprovalHarness();
});

afterAll(async () => {
  await h?.stop();
});

test('self-approval and non-approvers are refused privately; the lead approves → one operation, the card becomes the status card and reaches TERMINATED', async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Exfiltration from web-03' });
  const { card, approvalId } = await requestTerminate(h, channel, id, 'stop the exfiltration');
  const ts = card.ts;

  // The requester cannot approve their own request (two-person rule).
  await clickOnCard(h, USERS.responder, channel, card, 'playbook_approve', approvalId);
  const self = await waitForPrivate(h, USERS.responder, channel, /someone else must approve/, 'the requester is refused');
  expect(self).toContain('Nothing was done');
  // Another responder and an outsider hold no approver role.
  for (const user of [USERS.responder2, USERS.outsider]) {
    await clickOnCard(h, user, channel, card, 'playbook_approve', approvalId);
    const refused = await waitForPrivate(h, user, channel, /Only `lead` may decide/, `${user} is refused`);
    expect(refused).toContain('Nothing was done');
  }
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(card.edits).toBe(0);
  expect(buttonsIn(card.blocks).map((b) => b.action_id)).toContain('playbook_approve');
  expect(auditRows(h, { approvalId }).map((r) => [r.event, r.user_id, r.outcome])).toEqual([
    ['approval_asked', USERS.responder, 'pending'],
    ['denied', USERS.responder, 'self_approval'],
    ['denied', USERS.responder2, 'not_approver'],
    ['denied', USERS.outsider, 'not_approver'],
  ]);

  // The lead approves.
  const answer = await clickOnCard(h, USERS.lead, channel, card, 'playbook_approve', approvalId);
  expect(answer.status).toBe(200);
  await waitForStatusCard(card, 'TERMINATED');

  const posts = operationPosts(h, id);
  expect(posts).toHaveLength(1);
  expect(posts[0]!.body).toEqual({ operation: 'TERMINATE' });
  expect(h.sim.state.get(WS, id)!.status).toBe('TERMINATED');

  // The same message (same ts) became the status card through chat.update; no second card was posted.
  expect(card.ts).toBe(ts);
  expect(h.slack.calls.some((c) => c.method === 'chat.update' && c.args.channel === channel && c.args.ts === ts && String(c.args.text).startsWith('Playbook instance'))).toBe(true);
  expect(h.slack.messages.filter((m) => m.channel === channel && !m.threadTs)).toEqual([card]);
  const text = shown(card);
  expect(text).toContain('Exfiltration from web-03');
  expect(text).toContain(`requested by <@${USERS.responder}>`);
  expect(text).toContain(`Approved by <@${USERS.lead}>`);
  expect(text).toContain('stop the exfiltration');
  expect(text).toContain(posts[0]!.requestId);
  expect(buttonsIn(card.blocks).map((b) => b.action_id)).not.toContain('playbook_approve');
  expect(buttonsIn(card.blocks).map((b) => b.action_id)).not.toContain('playbook_reject');

  const rows = await waitFor(() => {
    const r = auditRows(h, { approvalId });
    return r.some((x) => x.event === 'executed') && r;
  }, 5000, 'the executed audit row');
  expect(rows.find((r) => r.event === 'approved')).toMatchObject({ user_id: USERS.lead, outcome: 'approved' });
  expect(rows.find((r) => r.event === 'executed')).toMatchObject({ user_id: USERS.lead, outcome: 'done', request_id: posts[0]!.requestId });
});

test('after approval, the second lead and the same lead clicking again are told it is already decided, and nothing more is sent', async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Late clickers' });
  const { card, approvalId } = await requestTerminate(h, channel, id, 'late clickers');
  await clickOnCard(h, USERS.lead, channel, card, 'playbook_approve', approvalId);
  await waitForStatusCard(card, 'TERMINATED');

  await clickOnCard(h, USERS.lead2, channel, card, 'playbook_approve', approvalId);
  const second = await waitForPrivate(h, USERS.lead2, channel, /Already decided/, 'the second lead is told it was decided');
  expect(second).toContain(`<@${USERS.lead}>`);
  await clickOnCard(h, USERS.lead, channel, card, 'playbook_approve', approvalId);
  await waitForPrivate(h, USERS.lead, channel, /Already decided/, 'the lead clicking again is told it was decided');
  // A late Reject does not undo anything either.
  await clickOnCard(h, USERS.lead2, channel, card, 'playbook_reject', approvalId);
  await waitFor(() => privateTo(h, USERS.lead2, channel).filter((t) => /Already decided/.test(t)).length === 2, 5000, 'the late reject is told it was decided');

  expect(operationPosts(h, id)).toHaveLength(1);
  expect(auditRows(h, { approvalId }).filter((r) => r.event === 'approved' || r.event === 'executed' || r.event === 'rejected')).toHaveLength(2);
});

test('10 simultaneous Approve clicks by two leads make exactly one operation', async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Click storm' });
  const { card, approvalId } = await requestTerminate(h, channel, id, 'click storm');
  // A slow operation call keeps the window open for the other clicks to arrive while it runs.
  h.sim.faults.add({ fault: { kind: 'latency', ms: 300 }, when: 'before', method: 'POST', pathIncludes: id, times: 1 });

  const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => clickOnCard(h, n % 2 ? USERS.lead2 : USERS.lead, channel, card, 'playbook_approve', approvalId)));
  expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
  await waitForStatusCard(card, 'TERMINATED');
  // Every click but the winner is answered privately (already counted or already decided).
  await waitFor(() => h.slack.ephemerals.filter((e) => e.channel === channel && (e.user === USERS.lead || e.user === USERS.lead2)).length >= 9, 5000, 'the nine losing clicks answered');

  expect(operationPosts(h, id)).toHaveLength(1);
  const rows = auditRows(h, { approvalId });
  expect(rows.filter((r) => r.event === 'approved')).toHaveLength(1);
  expect(rows.filter((r) => r.event === 'executed')).toHaveLength(1);
});

test('a lead rejects: the card says by whom and loses its buttons, nothing runs, the requester is told in the thread, and a later Approve is told it was rejected', async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Not this one' });
  const { card, approvalId } = await requestTerminate(h, channel, id, 'false positive?');

  await clickOnCard(h, USERS.lead, channel, card, 'playbook_reject', approvalId);
  await waitFor(() => shown(card).includes(`Rejected by <@${USERS.lead}>`), 5000, 'the card says it was rejected');
  expect(buttonsIn(card.blocks)).toHaveLength(0);
  const reply = await waitFor(() => h.slack.messages.find((m) => m.channel === channel && m.threadTs === card.ts), 5000, 'the thread reply');
  expect(reply.text).toContain(`<@${USERS.responder}>`);
  expect(reply.text).toMatch(/rejected/);
  expect(reply.text).toContain(`<@${USERS.lead}>`);

  await clickOnCard(h, USERS.lead2, channel, card, 'playbook_approve', approvalId);
  const late = await waitForPrivate(h, USERS.lead2, channel, /Rejected by/, 'the late approver is told it was rejected');
  expect(late).toContain('Nothing was sent');

  expect(operationPosts(h, id)).toHaveLength(0);
  expect(h.sim.state.get(WS, id)!.status).toBe('RUNNING');
  const rows = auditRows(h, { approvalId });
  expect(rows.map((r) => r.event)).toEqual(['approval_asked', 'rejected']);
  expect(rows[1]).toMatchObject({ user_id: USERS.lead, outcome: 'rejected' });
});

test('the instance finished before approval: the approval is void, the card says why, and nothing is sent', async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Finished on its own' });
  const { card, approvalId } = await requestTerminate(h, channel, id, 'it is stuck');
  h.sim.state.setStatus(WS, id, 'FINISHED');

  await clickOnCard(h, USERS.lead, channel, card, 'playbook_approve', approvalId);
  await waitFor(() => /void/i.test(shown(card)) && shown(card).includes('FINISHED'), 5000, 'the card says the approval is void and why');
  expect(buttonsIn(card.blocks)).toHaveLength(0);
  const reply = await waitFor(() => h.slack.messages.find((m) => m.channel === channel && m.threadTs === card.ts), 5000, 'the thread reply');
  expect(reply.text).toContain(`<@${USERS.responder}>`);
  expect(reply.text).toContain('FINISHED');

  expect(operationPosts(h, id)).toHaveLength(0);
  const rows = auditRows(h, { approvalId });
  expect(rows.map((r) => r.event)).toEqual(['approval_asked', 'approved', 'void']);
  expect(rows[2]).toMatchObject({ user_id: USERS.lead, outcome: 'FINISHED' });
  expect(rows[2]!.detail).toContain('FINISHED');
});
