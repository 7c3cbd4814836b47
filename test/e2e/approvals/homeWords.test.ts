import { CHANNELS, USERS, waitFor, type Harness } from '../harness';
import { auditRows, clickOnCard, freshChannel, requestTerminate, startApprovalHarness } from './helpers';

/**
 * The Home tab as a requester reads it (issue 17, point 8), checked in the `views.publish` payload
 * the Slack stand-in received: outcomes in words rather than reason codes, the instance's name
 * next to its ID where SecMaster knows one, and only the person's requests (their click on their
 * own approval card is not one).
 */
let h: Harness;

interface View {
  type: string;
  blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text?: string }> }>;
}

const publishes = (user: string) => h.slack.calls.filter((c) => c.method === 'views.publish' && c.args.user_id === user);
const homeOpened = (user: string) => ({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: `${Date.now() / 1000}` });
/** The request lines: the context blocks under "Your recent requests". */
const requestLines = (v: View) => v.blocks.filter((b) => b.type === 'context').flatMap((b) => (b.elements ?? []).map((e) => e.text ?? '')).filter((t) => / → \*/.test(t));

beforeAll(async () => {
  h = await startApprovalHarness();
});

afterAll(async () => {
  await h?.stop();
});

/** Runs a slash command and waits until its audit row is stored. */
async function request(text: string, instanceId: string, rows = 1): Promise<void> {
  const answer = await h.command(USERS.responder, CHANNELS.incident, text);
  expect(answer.status).toBe(200);
  await waitFor(() => auditRows(h, { instanceId }).length >= rows, 8000, `the audit row of "${text}"`);
}

test("a requester's Home tab: words, instance names, and requests only", async () => {
  const failed = h.addInstance('FAILED', { name: 'Nightly enrichment' });
  const finished = h.addInstance('FINISHED', { name: 'Already over' });
  const missing = 'no-such-instance-0001';
  await request(`retry ${failed} flaky`, failed);
  await request(`retry ${finished} once more`, finished);
  await request(`retry ${missing}`, missing);

  // A terminate that needs a lead's approval, and the requester clicking Approve on it themselves.
  const channel = freshChannel(h);
  const running = h.addInstance('RUNNING', { name: 'Runaway loop' });
  const { card, approvalId } = await requestTerminate(h, channel, running, 'stop it');
  await clickOnCard(h, USERS.responder, channel, card, 'playbook_approve', approvalId);
  await waitFor(() => auditRows(h, { approvalId }).some((r) => r.outcome === 'self_approval'), 5000, 'the self-approval refused and audited');

  const answer = await h.event('Ev0HOMEWORDS1', homeOpened(USERS.responder));
  expect(answer.status).toBe(200);
  await waitFor(() => publishes(USERS.responder).length === 1, 8000, 'views.publish for the responder');
  // The payload as sent: the Web API client form-encodes `view` as JSON text.
  const sent = publishes(USERS.responder)[0]!.args.view;
  const view = (typeof sent === 'string' ? JSON.parse(sent) : sent) as View;
  expect(view.type).toBe('home');
  const text = JSON.stringify(view.blocks);

  // Three requests made by command; the approval asked is its own line with its state; the click is not a request.
  const lines = requestLines(view);
  expect(lines).toHaveLength(3);
  expect(lines.find((l) => l.includes(failed))).toMatch(new RegExp(`^RETRY \\*Nightly enrichment\\* \\(\`${failed}\`\\) → \\*done\\* · `));
  expect(lines.find((l) => l.includes(finished))).toMatch(new RegExp(`^RETRY \\*Already over\\* \\(\`${finished}\`\\) → \\*not possible: it was FINISHED\\* · `));
  expect(lines.find((l) => l.includes(missing))).toMatch(new RegExp(`^RETRY \`${missing}\` → \\*instance not found\\* · `));
  expect(text).toContain('*Runaway loop*');
  expect(text).toContain('State: *pending*');

  for (const code of ['invalid_status', 'not_found', 'self_approval', 'approval_requested']) expect(text).not.toContain(code);
});
