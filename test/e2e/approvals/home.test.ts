import type { StoredMessage } from '../../../src/sandbox/slack/standIn';
import { USERS, waitFor, type Harness } from '../harness';
import { auditRows, buttonsIn, freshChannel, operationPosts, requestTerminate, startApprovalHarness, waitForStatusCard } from './helpers';

/**
 * The App Home tab: `app_home_opened` publishes, for an approver, the approvals waiting for them
 * (with Approve / Reject) and, for a requester, their own requests and their state; an Events API
 * redelivery (same event_id, `X-Slack-Retry-Num`) is not processed twice; approving from the Home
 * tab runs the operation once and re-publishes the tab with a banner saying what happened.
 */
let h: Harness;
let channel: string;
let instanceId: string;
let card: StoredMessage;
let approvalId: string;

interface View {
  type: string;
  blocks: Array<{ type: string; text?: { text: string }; elements?: unknown[] }>;
}

const publishes = (user: string) => h.slack.calls.filter((c) => c.method === 'views.publish' && c.args.user_id === user);
const viewOf = (user: string) => h.slack.homeViews.get(user) as View | undefined;
const viewText = (v: View | undefined) => JSON.stringify(v?.blocks ?? []);
const homeOpened = (user: string) => ({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: `${Date.now() / 1000}` });

beforeAll(async () => {
  h = await startApprovalHarness();
  channel = freshChannel(h);
  instanceId = h.addInstance('RUNNING', { name: 'Shown at home' });
  ({ card, approvalId } = await requestTerminate(h, channel, instanceId, 'seen from the Home tab'));
});

afterAll(async () => {
  await h?.stop();
});

test("app_home_opened publishes the lead's Home tab with the pending approval and its Approve / Reject buttons", async () => {
  const answer = await h.event('Ev0HOMELEAD1', homeOpened(USERS.lead));
  expect(answer.status).toBe(200);
  await waitFor(() => publishes(USERS.lead).length === 1, 5000, 'views.publish for the lead');
  const view = viewOf(USERS.lead)!;
  expect(view.type).toBe('home');
  const text = viewText(view);
  expect(text).toContain('Waiting for your decision* (1)');
  expect(text).toContain(instanceId);
  expect(text).toContain('Shown at home');
  expect(text).toContain(`<@${USERS.responder}>`);
  expect(text).toContain('seen from the Home tab');
  const buttons = buttonsIn(view.blocks);
  expect(buttons.filter((b) => b.value === approvalId).map((b) => b.action_id).sort()).toEqual(['playbook_approve', 'playbook_reject']);
});

test("the responder's Home tab lists their own request and its state, with nothing for them to decide", async () => {
  await h.event('Ev0HOMERESP1', homeOpened(USERS.responder));
  await waitFor(() => publishes(USERS.responder).length === 1, 5000, 'views.publish for the responder');
  const view = viewOf(USERS.responder)!;
  const text = viewText(view);
  expect(text).toContain('Waiting for your decision* (0)');
  expect(text).toContain('Your recent requests');
  expect(text).toContain(instanceId);
  expect(text).toContain('State: *pending*');
  // The requester gets no buttons for their own request.
  expect(buttonsIn(view.blocks).filter((b) => b.value === approvalId)).toHaveLength(0);
});

test('the same event_id delivered again with X-Slack-Retry-Num: 1 is recognised and not processed twice', async () => {
  await h.event('Ev0HOMELEAD2', homeOpened(USERS.lead));
  await waitFor(() => publishes(USERS.lead).length >= 2, 5000, 'the first delivery published');
  const before = publishes(USERS.lead).length;
  const logsBefore = h.logs.length;

  const retry = await h.event('Ev0HOMELEAD2', homeOpened(USERS.lead), { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' });
  expect(retry.status).toBe(200);
  // The bot says it ignored it; only then is "nothing published" meaningful.
  const ignored = await waitFor(
    () => h.logs.slice(logsBefore).find((l) => l.includes('ignored a redelivered event') && l.includes('Ev0HOMELEAD2')),
    5000,
    'the redelivery recognised',
  );
  expect(ignored).toContain('"retryNum":1');
  expect(publishes(USERS.lead).length).toBe(before);
});

test('approving from the Home tab runs the operation once, turns the card into the status card, and re-publishes the tab with a banner', async () => {
  const before = publishes(USERS.lead).length;
  const answer = await h.click({ userId: USERS.lead, actionId: 'playbook_approve', value: approvalId, homeView: true });
  expect(answer.status).toBe(200);
  await waitForStatusCard(card, 'TERMINATED');
  expect(operationPosts(h, instanceId)).toHaveLength(1);

  await waitFor(() => publishes(USERS.lead).length > before, 5000, 'the Home tab re-published');
  const view = viewOf(USERS.lead)!;
  // A banner right under the header says what the click did.
  expect(view.blocks[0]!.type).toBe('header');
  expect(view.blocks[1]!.type).toBe('section');
  const banner = view.blocks[1]!.text!.text;
  expect(banner).not.toMatch(/Waiting for your decision/);
  expect(banner).toMatch(/approv/i);
  expect(banner).toContain(instanceId);
  // It no longer waits for anyone.
  expect(buttonsIn(view.blocks).filter((b) => b.value === approvalId)).toHaveLength(0);
  expect(auditRows(h, { approvalId }).map((r) => [r.event, r.user_id])).toEqual([
    ['approval_asked', USERS.responder],
    ['approved', USERS.lead],
    ['executed', USERS.lead],
  ]);
});

test('rejecting from the Home tab closes the card and re-publishes the tab with a banner saying so', async () => {
  const ch = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Rejected at home' });
  const asked = await requestTerminate(h, ch, id, 'rejected from the Home tab');
  const before = publishes(USERS.lead2).length;

  await h.click({ userId: USERS.lead2, actionId: 'playbook_reject', value: asked.approvalId, homeView: true });
  await waitFor(() => JSON.stringify(asked.card.blocks).includes(`Rejected by <@${USERS.lead2}>`), 5000, 'the card says it was rejected');
  await waitFor(() => publishes(USERS.lead2).length > before, 5000, 'the Home tab re-published');
  const view = viewOf(USERS.lead2)!;
  expect(view.blocks[1]!.type).toBe('section');
  expect(view.blocks[1]!.text!.text).toMatch(/You rejected/);
  expect(view.blocks[1]!.text!.text).toContain(id);
  expect(buttonsIn(view.blocks).filter((b) => b.value === asked.approvalId)).toHaveLength(0);
  expect(operationPosts(h, id)).toHaveLength(0);
});
