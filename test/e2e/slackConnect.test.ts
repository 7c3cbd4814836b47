import { startSlackStandIn, type SlackStandIn, type StoredMessage } from '../../src/sandbox/slack/standIn';
import { approvalCardFor, approvalIdOn, operationPosts, privateTo } from './approvals/helpers';
import { find, postAlert } from './cardInspect';
import { SECRETS, STANDARD_CHANNELS, startHarness, TEAM, USERS, waitFor, WS, type Harness } from './harness';

/**
 * Slack Connect: people of another organisation share a channel with ours. Their clicks come
 * through our team (`team.id` is ours) but name their own team in `user.team_id`, and `users.info`
 * says the same of them. Spec section 5: such a user is matched only by an explicit user ID, never
 * by `"*"` (nor by a user group). Everything they are refused changes nothing: no SecMaster call, no
 * vote, no card edited.
 */
const PARTNER = 'T0PARTNER';
const GUEST = 'U0GUEST';
const PARTNER_LEAD = 'U0PARTNERLEAD';
const CHANNEL = STANDARD_CHANNELS[0]!.id;

const POLICY = `
slack_team_id: ${TEAM}
roles:
  everyone:
    users: ["*"]
  responder:
    users: [${USERS.responder}]
  soc:
    usergroups: [S0SOC]
  partner_lead:
    users: [${PARTNER_LEAD}]
rules:
  - operations: [VIEW, RETRY]
    roles: [everyone]
  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [everyone]
      count: 1
      expires_after: 30m
  - operations: [TERMINATE]
    roles: [soc, partner_lead]
`;

let slack: SlackStandIn;
let h: Harness;

beforeAll(async () => {
  slack = await startSlackStandIn({
    botToken: SECRETS.bot,
    teamId: TEAM,
    channels: STANDARD_CHANNELS,
    // The guest is even listed in one of our user groups: it must not matter.
    usergroups: { S0SOC: [GUEST] },
    userTeams: { [GUEST]: PARTNER, [PARTNER_LEAD]: PARTNER },
  });
  h = await startHarness({ policy: POLICY, slack, env: { OPERATIONS_PER_USER_PER_MINUTE: '1000', SLACK_UPDATES_PER_MINUTE: '100000' } });
});

afterAll(async () => {
  await h?.stop();
  await slack?.close();
});

async function alertCard(id: string): Promise<StoredMessage> {
  const res = await postAlert(h.url, { channel: CHANNEL, instance_id: id, title: 'shared-channel alert' });
  // This file posts many cards into one channel at Slack's real pace (about one a second): a card
  // that has to wait its turn is answered 202 queued (spec section 6) and posted when Slack allows.
  expect(res.status === 200 ? 'posted' : res.json).toEqual(res.status === 200 ? 'posted' : { ok: true, queued: true, channel: CHANNEL });
  if (res.status === 200) return find(h.slack, CHANNEL, String(res.json.ts));
  return waitFor(() => h.slack.messages.find((m) => m.channel === CHANNEL && !m.threadTs && m.text.includes(id)), 15_000, 'the queued alert card');
}

const clickAs = (userId: string, userTeamId: string, card: StoredMessage, actionId: string, value: string) =>
  h.click({ userId, userTeamId, channelId: CHANNEL, actionId, value, message: { ts: card.ts, bot_id: card.botId } });

test('a Slack Connect guest clicks Retry, which "*" grants to our people → denied, nothing sent, card untouched', async () => {
  const id = h.addInstance('FAILED');
  const card = await alertCard(id);
  expect((await clickAs(GUEST, PARTNER, card, 'playbook_retry', id)).status).toBe(200);
  const answer = await waitFor(() => privateTo(h, GUEST, CHANNEL).find((t) => t.includes('may not')), 5000, "the guest's denial");
  expect(answer).toContain(`you are from Slack team ${PARTNER}, not ${TEAM}`);
  await new Promise((r) => setTimeout(r, 200));
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(card.edits).toBe(0);
  const audit = await waitFor(() => h.logs.find((l) => l.includes('"message":"audit"') && l.includes(id) && l.includes('"outcome":"foreign_user"')), 5000, 'the denial in the audit trail');
  expect(audit).toContain(`"user":"${GUEST}"`);

  // One of ours, the same click: "*" grants it.
  await clickAs(USERS.lead2, TEAM, card, 'playbook_retry', id);
  await waitFor(() => operationPosts(h, id).length === 1, 5000, 'the retry of one of ours');
});

test("a guest's Approve is refused (the approver role is \"*\"): no vote, the approval still pending; one of ours approves it", async () => {
  const id = h.addInstance('RUNNING');
  await h.command(USERS.responder, CHANNEL, `terminate ${id} runaway`);
  const card = await waitFor(() => approvalCardFor(h, CHANNEL, id), 5000, 'the approval card');
  const approvalId = approvalIdOn(card);

  await clickAs(GUEST, PARTNER, card, 'playbook_approve', approvalId);
  await waitFor(() => privateTo(h, GUEST, CHANNEL).find((t) => /may decide this request/.test(t)), 5000, "the guest's refusal");
  const stored = await h.bot.deps.store.getApproval(approvalId);
  expect(stored).toMatchObject({ state: 'pending', votes: [] });
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(h.sim.state.get(WS, id)!.status).toBe('RUNNING');

  await clickAs(USERS.lead, TEAM, card, 'playbook_approve', approvalId);
  await waitFor(() => operationPosts(h, id).length === 1, 5000, 'the terminate once one of ours approved');
  expect((await h.bot.deps.store.getApproval(approvalId))!.votes.map((v) => v.userId)).toEqual([USERS.lead]);
});

test('a guest the policy names by user ID may act: explicit IDs are the one way in for another organisation', async () => {
  const id = h.addInstance('RUNNING');
  const card = await alertCard(id);
  await clickAs(PARTNER_LEAD, PARTNER, card, 'playbook_terminate', id);
  await waitFor(() => operationPosts(h, id).length === 1, 5000, "the named guest's terminate");
  expect(operationPosts(h, id)[0]!.body).toEqual({ operation: 'TERMINATE' });
});

test("a slash command names no user team: Slack's users.info is asked, and a guest is refused there too", async () => {
  const id = h.addInstance('FAILED');
  const infoCalls = () => h.slack.calls.filter((c) => c.method === 'users.info' && c.args.user === GUEST).length;
  const before = infoCalls();
  const seen = privateTo(h, GUEST, CHANNEL).length;
  const newAnswers = () => privateTo(h, GUEST, CHANNEL).slice(seen);
  await h.command(GUEST, CHANNEL, `retry ${id}`);
  const answer = await waitFor(() => newAnswers()[0], 5000, "the guest's denial");
  expect(answer).toMatch(/You may not \*retry\* here/);
  expect(answer).toContain(`you are from Slack team ${PARTNER}, not ${TEAM}`);
  expect(infoCalls()).toBe(before + 1);
  expect(operationPosts(h, id)).toHaveLength(0);
  // A user group that lists the guest does not let them in either (their team is remembered: no second users.info).
  await h.command(GUEST, CHANNEL, `terminate ${id}`);
  const second = await waitFor(() => newAnswers()[1], 5000, 'the second denial');
  expect(second).toMatch(/You may not \*terminate\* here/);
  expect(second).toContain(PARTNER);
  expect(infoCalls()).toBe(before + 1);
  expect(operationPosts(h, id)).toHaveLength(0);
  // Our own people are found in our team the same way, and "*" covers them.
  await h.command(USERS.groupie, CHANNEL, `retry ${id}`);
  await waitFor(() => operationPosts(h, id).length === 1, 5000, 'the retry by one of ours');
});
