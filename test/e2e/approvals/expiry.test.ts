import type { StoredMessage } from '../../../src/sandbox/slack/standIn';
import { USERS, waitFor, WS, type Harness } from '../harness';
import { auditLines, auditRows, buttonsIn, clickOnCard, freshChannel, operationPosts, policyWith, requestTerminate, shown, startApprovalHarness, waitForPrivate } from './helpers';

/**
 * Expiry (policy `expires_after: 10s`, the shortest allowed): a request nobody decides closes on
 * its own (the card says it expired and loses its buttons, the requester is told, audit `expired`),
 * and an Approve after that is told it expired and runs nothing. Both requests are made up front
 * so the two tests share one 10-second wait.
 */
jest.setTimeout(40_000);

let h: Harness;
/** A second bot whose expiry loop is stopped: there a late click is what finds the request expired. */
let idle: Harness;
type Asked = { channel: string; id: string; card: StoredMessage; approvalId: string; askedAt: number };
const asked: Asked[] = [];
let askedIdle: Asked;

async function ask(on: Harness, name: string): Promise<Asked> {
  const channel = freshChannel(on);
  const id = on.addInstance('RUNNING', { name });
  const askedAt = Date.now();
  const { card, approvalId } = await requestTerminate(on, channel, id, name.toLowerCase());
  return { channel, id, card, approvalId, askedAt };
}

beforeAll(async () => {
  const policy = policyWith({ expiresAfter: '10s' });
  [h, idle] = await Promise.all([startApprovalHarness({ policy }), startApprovalHarness({ policy })]);
  await idle.bot.deps.expiry.stop();
  for (const name of ['Nobody clicks', 'Clicked too late']) asked.push(await ask(h, name));
  askedIdle = await ask(idle, 'Clicked before the loop');
});

afterAll(async () => {
  await h?.stop();
  await idle?.stop();
});

test('with nobody clicking, the card says it expired and loses its buttons within about 12 s; audit expired', async () => {
  const { channel, id, card, approvalId, askedAt } = asked[0]!;
  expect(buttonsIn(card.blocks)).toHaveLength(2);
  // 10 s of validity, then the expiry loop (it sleeps at most 1 s) closes it: about 12 s after the request at most.
  await waitFor(() => /Expired/.test(shown(card)) && buttonsIn(card.blocks).length === 0, askedAt + 12_500 - Date.now(), 'the card to say it expired');
  // Nobody clicked: the only private answer in the channel is the requester's note from the request.
  expect(h.slack.ephemerals.filter((e) => e.channel === channel).map((e) => e.user)).toEqual([USERS.responder]);
  expect(shown(card)).toContain('not approved in time');
  expect(h.slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === card.ts)).toHaveLength(1);

  const reply = await waitFor(() => h.slack.messages.find((m) => m.channel === channel && m.threadTs === card.ts), 5000, 'the requester told in the thread');
  expect(reply.text).toContain(`<@${USERS.responder}>`);
  expect(reply.text).toMatch(/expired/);

  const rows = auditRows(h, { approvalId });
  expect(rows.map((r) => [r.event, r.user_id, r.outcome])).toEqual([
    ['approval_asked', USERS.responder, 'pending'],
    ['expired', 'system', 'expired'],
  ]);
  expect(auditLines(h.logs).filter((a) => a.event === 'expired' && a.instance_id === id)).toHaveLength(1);
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(h.sim.state.get(WS, id)!.status).toBe('RUNNING');
});

test('an Approve after expiry is told it expired, and nothing runs', async () => {
  const { channel, id, card, approvalId } = asked[1]!;
  await waitFor(() => auditRows(h, { approvalId }).some((r) => r.event === 'expired'), 14_000, 'the request to expire');

  await clickOnCard(h, USERS.lead, channel, card, 'playbook_approve', approvalId);
  const told = await waitForPrivate(h, USERS.lead, channel, /[Ee]xpired/, 'the late approver is told it expired');
  expect(told).toContain('Nothing was');
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(h.sim.state.get(WS, id)!.status).toBe('RUNNING');
  expect(auditRows(h, { approvalId }).map((r) => r.event)).toEqual(['approval_asked', 'expired']);
  // A new request is possible now that the old one is closed.
  await h.command(USERS.responder, channel, `terminate ${id} asking again`);
  await waitFor(() => h.slack.messages.filter((m) => m.channel === channel && !m.threadTs && m.text.startsWith('Approval needed')).length === 2, 5000, 'a new approval card');
});

test('a click that finds the request expired before the expiry loop did closes it itself: told it expired, card closed, requester told, audit expired once', async () => {
  const { channel, id, card, approvalId } = askedIdle;
  const expiresAt = (await idle.bot.deps.approvals.get(approvalId))!.expiresAt;
  await waitFor(() => Date.now() > expiresAt, expiresAt - Date.now() + 2000, 'the expiry time to pass');
  expect(buttonsIn(card.blocks)).toHaveLength(2);

  await clickOnCard(idle, USERS.lead, channel, card, 'playbook_approve', approvalId);
  const told = await waitForPrivate(idle, USERS.lead, channel, /This request expired/, 'the approver is told it expired');
  expect(told).toContain('Nothing was done');
  await waitFor(() => /Expired/.test(shown(card)) && buttonsIn(card.blocks).length === 0, 5000, 'the card to say it expired');
  const reply = await waitFor(() => idle.slack.messages.find((m) => m.channel === channel && m.threadTs === card.ts), 5000, 'the requester told in the thread');
  expect(reply.text).toContain(`<@${USERS.responder}>`);
  expect(reply.text).toMatch(/expired/);

  // A second late click finds it closed, and expires nothing again.
  await clickOnCard(idle, USERS.lead2, channel, card, 'playbook_approve', approvalId);
  await waitForPrivate(idle, USERS.lead2, channel, /Expired/, 'the second late approver is told it expired');
  expect(auditRows(idle, { approvalId }).map((r) => [r.event, r.user_id, r.outcome])).toEqual([
    ['approval_asked', USERS.responder, 'pending'],
    ['expired', 'system', 'expired'],
  ]);
  expect(operationPosts(idle, id)).toHaveLength(0);
});
