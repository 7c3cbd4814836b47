import { blockActionBody, sendSigned } from '../../src/sandbox/slack/requests';
import type { StoredMessage } from '../../src/sandbox/slack/standIn';
import { CHANNELS, SECRETS, TEAM, USERS, waitFor, WS } from './harness';
import { actionIdsOf, buttonsOf, find, operationPosts, postAlert, startWideHarness, statusOf, updatesOf, updateShows, type WideHarness } from './cardInspect';

/**
 * `playbook_retry` / `playbook_terminate` clicks through the real bot (spec section 4, Buttons):
 * on our own cards the card becomes the status card, on another app's message the status card goes
 * in its thread; values are checked like a typed command; a click is authorized like the command;
 * and any number of clicks of one button make at most one SecMaster operation.
 */
let h: WideHarness;

/** Workspaces besides the default one that a rule of this suite's policy names (spec section 5: `workspaces:`). */
const OTHER_WS = 'ws-buttons-other';
const FOREIGN_WS = 'ws-foreign-other';
/** A workspace no rule names: nothing may be done in it, whatever a button says. */
const UNLISTED_WS = 'ws-nobody-named';

beforeAll(async () => {
  h = await startWideHarness({
    extra: 45,
    env: { OPERATIONS_PER_USER_PER_MINUTE: '1000', SLACK_UPDATES_PER_MINUTE: '100000' },
    extraRules: `  - operations: [VIEW, RETRY]
    roles: [responder, lead]
    workspaces: [${OTHER_WS}, ${FOREIGN_WS}]
`,
  });
});

afterAll(async () => {
  await h?.stop();
});

/** Posts an alert card for `id` through the webhook; returns the card as stored. */
async function alertCard(channel: string, id: string, title = 'Alert from the SIEM'): Promise<StoredMessage> {
  const res = await postAlert(h.url, { channel, instance_id: id, title, severity: 'high' });
  expect(res.status).toBe(200);
  return find(h.slack, channel, String(res.json.ts));
}

/** Clicks a button on a stored message, as Slack sends it. */
function clickOn(m: StoredMessage, user: string, actionId: string, value: string, blocks: unknown[] = m.blocks) {
  return h.click({ userId: user, channelId: m.channel, actionId, value, message: { ts: m.ts, bot_id: m.botId, blocks } });
}

const ephemeralsIn = (channel: string, user?: string) => h.slack.ephemerals.filter((e) => e.channel === channel && (!user || e.user === user));
const topLevel = (channel: string) => h.slack.messages.filter((m) => m.channel === channel && !m.threadTs);
const replies = (channel: string, threadTs: string) => h.slack.messages.filter((m) => m.channel === channel && m.threadTs === threadTs);
const sim = (id: string, ws = WS) => h.sim.state.get(ws, id)!;

/** No card is being followed, so the simulator sees nothing but what a test causes. */
async function quiet(): Promise<void> {
  await waitFor(async () => (await h.bot.deps.store.countWatches()) === 0, 10_000, 'no watched cards');
}

async function finished(m: StoredMessage, status = 'FINISHED'): Promise<void> {
  await waitFor(() => statusOf(m) === status, 10_000, `card ${m.ts} to show ${status}`);
}

describe('clicks that must do nothing', () => {
  test.each([
    ['a path', '../x'],
    ['JSON with a bad instance_id', '{"instance_id":"a b"}'],
    ['empty JSON', '{}'],
    ['an empty value', ''],
    ['65 characters', 'a'.repeat(65)],
    ['JSON with a bad workspace_id', '{"instance_id":"ok-1","workspace_id":"../w"}'],
    ['JSON with an unknown key', '{"instance_id":"ok-1","operation":"TERMINATE"}'],
    ['JSON that is not an object', '["ok-1"]'],
  ])('a malformed value (%s) → a private usage reply and no SecMaster call', async (_label, value) => {
    await quiet();
    const channel = h.freshChannel();
    const calls = h.sim.calls.length;
    const res = await h.click({ userId: USERS.responder, channelId: channel, actionId: 'playbook_retry', value });
    expect(res.status).toBe(200);
    const reply = await waitFor(() => ephemeralsIn(channel, USERS.responder)[0], 5000, 'a usage reply');
    expect(reply.text).toMatch(/^Usage: /);
    expect(JSON.stringify(reply.blocks)).toContain('Nothing was done');
    expect(h.sim.calls.length).toBe(calls);
    expect(h.slack.messages.filter((m) => m.channel === channel)).toHaveLength(0);
  });

  test('an outsider clicks Retry on an alert card → private denial, no SecMaster call, card untouched', async () => {
    await quiet();
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const card = await alertCard(channel, id);
    const calls = h.sim.calls.length;
    expect((await clickOn(card, USERS.outsider, 'playbook_retry', id)).status).toBe(200);
    const reply = await waitFor(() => ephemeralsIn(channel, USERS.outsider)[0], 5000, 'a denial');
    expect(reply.text).toMatch(/may not \*retry\*/);
    expect(reply.text).toContain('Nothing was sent to SecMaster');
    expect(h.sim.calls.length).toBe(calls);
    expect(card.edits).toBe(0);
    expect(sim(id).status).toBe('FAILED');
  });

  test('a responder clicks Retry where the RETRY rule does not apply (#general) → denied, naming the channels', async () => {
    await quiet();
    const id = h.addInstance('FAILED');
    const card = await alertCard(CHANNELS.general, id);
    const calls = h.sim.calls.length;
    expect((await clickOn(card, USERS.responder, 'playbook_retry', id)).status).toBe(200);
    const reply = await waitFor(() => ephemeralsIn(CHANNELS.general, USERS.responder)[0], 5000, 'a denial');
    expect(reply.text).toMatch(/may not \*retry\*/);
    expect(reply.text).toContain(CHANNELS.incident);
    expect(h.sim.calls.length).toBe(calls);
    expect(card.edits).toBe(0);
  });

  test('a click from another Slack team → denied, no SecMaster call', async () => {
    await quiet();
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const card = await alertCard(channel, id);
    const calls = h.sim.calls.length;
    const res = await h.click({ teamId: 'T0ELSEWHERE', userId: USERS.responder, channelId: channel, actionId: 'playbook_retry', value: id, message: { ts: card.ts, bot_id: card.botId, blocks: card.blocks } });
    expect(res.status).toBe(200);
    const reply = await waitFor(() => ephemeralsIn(channel, USERS.responder)[0], 5000, 'a denial');
    expect(reply.text).toMatch(/may not/);
    expect(h.sim.calls.length).toBe(calls);
    expect(card.edits).toBe(0);
  });

  test('a badly signed click → 401 and nothing else', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const calls = h.sim.calls.length;
    const body = blockActionBody({ teamId: TEAM, userId: USERS.lead, channelId: channel, actionId: 'playbook_retry', value: id, responseUrl: h.slack.responseUrl(USERS.lead, channel) });
    const res = await sendSigned(`${h.url}/slack/events`, 'not-the-signing-secret', body);
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.sim.calls.length).toBe(calls);
    expect(ephemeralsIn(channel)).toHaveLength(0);
  });
});

describe('Retry on our own alert card', () => {
  test('one operation; the same message becomes the status card and follows it to FINISHED; a thread reply mentions the clicker', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED', { name: 'Block IP 203.0.113.9' });
    const card = await alertCard(channel, id, 'WAF block failed');
    const postsBefore = h.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel).length;

    expect((await clickOn(card, USERS.responder, 'playbook_retry', id)).status).toBe(200);
    await finished(card);

    const ops = operationPosts(h.sim, id);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.body).toEqual({ operation: 'RETRY' });
    expect(ops[0]!.path).toContain(`/workspaces/${WS}/`);

    // The card was updated in place (chat.update on its ts), no new card in the channel.
    expect(topLevel(channel)).toEqual([card]);
    const updates = updatesOf(h.slack, channel, card.ts).map(updateShows);
    expect(updates[0]!.status).toBe('RETRYING');
    expect(updates.at(-1)!.status).toBe('FINISHED');
    expect(card.edits).toBe(updates.length);
    // The status card keeps the alert's title and says who asked; at FINISHED it offers nothing.
    const shown = `${card.text}\n${JSON.stringify(card.blocks)}`;
    expect(shown).toContain('WAF block failed');
    expect(shown).toContain(`<@${USERS.responder}>`);
    expect(actionIdsOf(card.blocks)).toEqual([]);

    const reply = await waitFor(() => replies(channel, card.ts).find((m) => m.text.includes('FINISHED')), 5000, 'the final-status reply');
    expect(JSON.stringify(reply.blocks)).toContain(`<@${USERS.responder}>`);
    // Only the alert card and the thread reply were ever posted there.
    const posts = h.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel);
    expect(posts.length - postsBefore).toBe(1);
    expect(posts.at(-1)!.args.thread_ts).toBe(card.ts);
    // A click shows its result on the card: the clicker gets no private message.
    expect(ephemeralsIn(channel, USERS.responder)).toHaveLength(0);
  });

  test('a JSON value naming the default workspace works like a bare ID', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const card = await alertCard(channel, id);
    await clickOn(card, USERS.lead, 'playbook_retry', JSON.stringify({ instance_id: id, workspace_id: WS }));
    await finished(card);
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect(topLevel(channel)).toHaveLength(1);
  });

  test('a JSON value naming another workspace that a rule covers: SecMaster is called in that workspace, and the card follows it there', async () => {
    const other = OTHER_WS;
    h.sim.state.addWorkspace(other);
    const id = h.sim.state.add(other, { status: 'FAILED' }).id;
    const channel = h.freshChannel();
    const res = await postAlert(h.url, { channel, instance_id: id, workspace_id: other });
    expect(res.status).toBe(200);
    const card = find(h.slack, channel, String(res.json.ts));
    const value = buttonsOf(card.blocks).find((b) => b.action_id === 'playbook_retry')!.value!;
    expect(JSON.parse(value)).toEqual({ instance_id: id, workspace_id: other });

    await clickOn(card, USERS.responder, 'playbook_retry', value);
    await finished(card);
    const ops = operationPosts(h.sim, id);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.path).toContain(`/workspaces/${other}/soc/playbooks/instances/${id}/operation`);
    expect(sim(id, other).status).toBe('FINISHED');
    // Every read of it, the watcher's included, went to that workspace.
    const reads = h.sim.calls.filter((c) => c.path.includes(id));
    expect(reads.every((c) => c.path.includes(`/workspaces/${other}/`))).toBe(true);
  });
});

describe("a button on another app's message", () => {
  test('the status card is posted in that message\'s thread; the message itself is never edited', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const foreign = h.slack.addForeignMessage(
      channel,
      'SIEM: playbook failed',
      [
        { type: 'section', text: { type: 'mrkdwn', text: 'Playbook failed' } },
        { type: 'actions', elements: [{ type: 'button', action_id: 'playbook_retry', value: id, text: { type: 'plain_text', text: 'Retry' } }] },
      ],
      'B0OTHERAPP',
    );
    const res = await h.click({ userId: USERS.responder, channelId: channel, actionId: 'playbook_retry', value: id, message: { ts: foreign.ts, bot_id: 'B0OTHERAPP', blocks: foreign.blocks } });
    expect(res.status).toBe(200);

    const card = await waitFor(() => replies(channel, foreign.ts).find((m) => m.botId === h.slack.botId && m.text.includes(id)), 5000, 'a status card in the thread');
    await finished(card);
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect(foreign.edits).toBe(0);
    expect(foreign.text).toBe('SIEM: playbook failed');
    // Nothing of ours at the top level of the channel: card and final reply are both in the thread.
    expect(topLevel(channel)).toEqual([foreign]);
    await waitFor(() => replies(channel, foreign.ts).find((m) => m !== card && m.text.includes('FINISHED')), 5000, 'the final-status reply in the thread');
    expect(h.slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === foreign.ts)).toHaveLength(0);
  });

  test("our status card inside that thread, clicked again: updated in place, and its replies stay in the parent's thread", async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('RUNNING');
    const foreign = h.slack.addForeignMessage(channel, 'SIEM: runaway playbook', [
      { type: 'actions', elements: [{ type: 'button', action_id: 'playbook_terminate', value: id, text: { type: 'plain_text', text: 'Terminate' } }] },
    ]);
    await h.click({ userId: USERS.lead, channelId: channel, actionId: 'playbook_terminate', value: id, message: { ts: foreign.ts, bot_id: 'B0OTHERAPP', blocks: foreign.blocks } });
    const card = await waitFor(() => replies(channel, foreign.ts)[0], 5000, 'a status card in the thread');
    await finished(card, 'TERMINATED');
    expect(actionIdsOf(card.blocks)).toEqual(['playbook_retry']);

    // Slack sends thread_ts with a click on a message that sits in a thread.
    await h.click({ userId: USERS.responder, channelId: channel, actionId: 'playbook_retry', value: id, message: { ts: card.ts, bot_id: h.slack.botId, blocks: card.blocks, thread_ts: foreign.ts } });
    await finished(card);
    await waitFor(() => replies(channel, foreign.ts).filter((m) => m.text.includes('reached')).length === 2, 5000, 'both final replies');
    expect(operationPosts(h.sim, id).map((c) => c.body)).toEqual([{ operation: 'TERMINATE' }, { operation: 'RETRY' }]);
    // Everything the bot posted is in the foreign message's thread, none under a reply (Slack wants the parent's ts).
    const ours = h.slack.messages.filter((m) => m.channel === channel && m.botId === h.slack.botId);
    expect(ours.map((m) => m.threadTs)).toEqual(ours.map(() => foreign.ts));
    expect(topLevel(channel)).toEqual([foreign]);
    expect(foreign.edits).toBe(0);
  });

  test('a JSON value with another workspace (that a rule covers) on a foreign message works too', async () => {
    const other = FOREIGN_WS;
    h.sim.state.addWorkspace(other);
    const id = h.sim.state.add(other, { status: 'FAILED' }).id;
    const channel = h.freshChannel();
    const value = JSON.stringify({ instance_id: id, workspace_id: other });
    const foreign = h.slack.addForeignMessage(channel, 'failed', [{ type: 'actions', elements: [{ type: 'button', action_id: 'playbook_retry', value, text: { type: 'plain_text', text: 'Retry' } }] }]);
    await h.click({ userId: USERS.lead, channelId: channel, actionId: 'playbook_retry', value, message: { ts: foreign.ts, bot_id: 'B0OTHERAPP', blocks: foreign.blocks } });
    const card = await waitFor(() => replies(channel, foreign.ts)[0], 5000, 'a status card in the thread');
    await finished(card);
    expect(operationPosts(h.sim, id).map((c) => c.path)).toEqual([expect.stringContaining(`/workspaces/${other}/`)]);
    expect(foreign.edits).toBe(0);
  });
});

describe('many clicks, one operation', () => {
  test('20 simultaneous clicks on a FAILED instance make exactly one operation; the others hear why privately', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const card = await alertCard(channel, id);
    // A slow operation call, so the clicks overlap it. 500 ms was not enough on a loaded machine: clicks
    // that reached the lock after the POST had finished took it for their own status read, and the
    // clicks meanwhile were told that clicker "started retry".
    h.sim.faults.add({ fault: { kind: 'latency', ms: 2000 }, when: 'before', method: 'POST', pathIncludes: id });
    const clickers = [USERS.responder, USERS.responder2, USERS.lead, USERS.lead2, USERS.groupie];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => clickOn(card, clickers[i % clickers.length]!, 'playbook_retry', id)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));

    // Everyone but the one whose click ran hears back privately.
    const answers = await waitFor(() => ephemeralsIn(channel).length >= 19 && ephemeralsIn(channel), 10_000, '19 private answers');
    await finished(card);
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect(ephemeralsIn(channel)).toHaveLength(19);

    const first = /requested by <@([A-Z0-9]+)>/.exec(card.text)?.[1];
    expect(clickers).toContain(first);
    const underWay = answers.filter((e) => /under way/.test(e.text));
    const noLonger = answers.filter((e) => /is \*(RETRYING|RUNNING|FINISHED)\*; retry needs FAILED or TERMINATED/.test(e.text));
    expect(underWay.length + noLonger.length).toBe(19);
    expect(underWay.length).toBeGreaterThanOrEqual(1);
    for (const e of underWay) expect(e.text).toContain(`<@${first}> started retry`);
    // The card was turned into the status card once; the other clicks did not touch it.
    const shown = updatesOf(h.slack, channel, card.ts).map((c) => updateShows(c).status);
    expect(shown.filter((s) => s === 'RETRYING')).toHaveLength(1);
  });

  test("Slack's redelivery of the same click (same body, retry headers) makes one operation", async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const card = await alertCard(channel, id);
    h.sim.faults.add({ fault: { kind: 'latency', ms: 300 }, when: 'before', method: 'POST', pathIncludes: id });
    const body = blockActionBody({
      teamId: TEAM,
      userId: USERS.responder,
      channelId: channel,
      actionId: 'playbook_retry',
      value: id,
      responseUrl: h.slack.responseUrl(USERS.responder, channel),
      message: { ts: card.ts, bot_id: card.botId, blocks: card.blocks },
    });
    const url = `${h.url}/slack/events`;
    await Promise.all([
      sendSigned(url, SECRETS.signing, body),
      sendSigned(url, SECRETS.signing, body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
      sendSigned(url, SECRETS.signing, body, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } }),
    ]);
    await finished(card);
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect(topLevel(channel)).toHaveLength(1);
  });

  test('a typed command and a click at the same time on one instance → one operation', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const card = await alertCard(channel, id);
    h.sim.faults.add({ fault: { kind: 'latency', ms: 400 }, when: 'before', method: 'POST', pathIncludes: id });
    const [cmd, click] = await Promise.all([h.command(USERS.responder, channel, `retry ${id} racing the button`), clickOn(card, USERS.lead, 'playbook_retry', id)]);
    expect(cmd.status).toBe(200);
    expect(click.status).toBe(200);
    // Whoever lost hears privately that it is under way or no longer possible.
    const loser = await waitFor(
      () => ephemeralsIn(channel).find((e) => /under way|retry needs FAILED or TERMINATED/.test(e.text)),
      10_000,
      'the private answer to the one that lost',
    );
    await waitFor(() => sim(id).status === 'FINISHED', 10_000, 'the instance to finish');
    // The winner's card follows it: the alert card itself (the click won) or a new card (the command won).
    const statusCard = await waitFor(() => topLevel(channel).find((m) => statusOf(m) === 'FINISHED'), 10_000, 'the status card to show FINISHED');
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect([USERS.responder, USERS.lead]).toContain(loser.user);
    if (loser.user === USERS.lead) {
      // The command won: a new status card; the clicked alert card was left as it was.
      expect(statusCard).not.toBe(card);
      expect(card.edits).toBe(0);
      expect(statusCard.text).toContain(`requested by <@${USERS.responder}>`);
    } else {
      // The click won: the alert card became the status card; the command posted nothing.
      expect(statusCard).toBe(card);
      expect(topLevel(channel)).toEqual([card]);
    }
  });
});

describe('a stale button', () => {
  test('clicking the old Retry after the retry ran → no operation, told the current status; again once FINISHED', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const card = await alertCard(channel, id);
    const oldBlocks = card.blocks;
    await clickOn(card, USERS.responder, 'playbook_retry', id);
    await waitFor(() => operationPosts(h.sim, id).length === 1 && statusOf(card) !== 'FAILED', 5000, 'the retry to run');

    // The old card (as a client that has not refreshed it still shows it) is clicked again.
    await clickOn(card, USERS.responder2, 'playbook_retry', id, oldBlocks);
    const told = await waitFor(() => ephemeralsIn(channel, USERS.responder2)[0], 5000, 'an answer to the stale click');
    // RETRYING: the retry someone else started (the spec's "already under way"); later statuses: what it needs.
    expect(told.text).toMatch(/already under way or done: it is \*RETRYING\*\. Nothing more was sent\.|is \*(RUNNING|FINISHED)\*; retry needs FAILED or TERMINATED\. Nothing was sent\./);

    await finished(card);
    await clickOn(card, USERS.lead, 'playbook_retry', id, oldBlocks);
    const again = await waitFor(() => ephemeralsIn(channel, USERS.lead)[0], 5000, 'an answer to the click on a finished instance');
    expect(again.text).toContain('is *FINISHED*; retry needs FAILED or TERMINATED');
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect(topLevel(channel)).toEqual([card]);
  });

  test('an old Terminate on an instance that already finished → no operation, told it is FINISHED', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('RUNNING');
    const card = await alertCard(channel, id);
    expect(actionIdsOf(card.blocks)).toEqual(['playbook_terminate']);
    h.sim.state.setStatus(WS, id, 'FINISHED');
    await clickOn(card, USERS.lead, 'playbook_terminate', id);
    const told = await waitFor(() => ephemeralsIn(channel, USERS.lead)[0], 5000, 'an answer');
    expect(told.text).toContain('is *FINISHED*; terminate needs RUNNING or RETRYING');
    expect(operationPosts(h.sim, id)).toHaveLength(0);
    await finished(card);
  });
});

describe('our card decides what a click on it operates on', () => {
  test('a value naming another instance than the card → refused privately, neither instance touched, the card unchanged', async () => {
    await quiet();
    const channel = h.freshChannel();
    const shown = h.addInstance('FAILED', { name: 'the card is about this one' });
    const other = h.addInstance('FAILED', { name: 'the value names this one' });
    const card = await alertCard(channel, shown);
    const calls = h.sim.calls.length;
    expect((await clickOn(card, USERS.lead, 'playbook_retry', other)).status).toBe(200);
    const reply = await waitFor(() => ephemeralsIn(channel, USERS.lead)[0], 5000, 'the refusal');
    expect(reply.text).toMatch(/^Usage: /);
    expect(reply.text).toContain(`names ${other} in workspace ${WS}, but its card is about ${shown} in workspace ${WS}`);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.sim.calls.length).toBe(calls);
    expect(operationPosts(h.sim, other)).toHaveLength(0);
    expect(operationPosts(h.sim, shown)).toHaveLength(0);
    expect(card.edits).toBe(0);
    expect([sim(shown).status, sim(other).status]).toEqual(['FAILED', 'FAILED']);
  });

  test('a value naming the same instance ID in another workspace → refused the same way', async () => {
    await quiet();
    const channel = h.freshChannel();
    h.sim.state.addWorkspace(OTHER_WS);
    const id = h.addInstance('FAILED');
    h.sim.state.add(OTHER_WS, { id, status: 'FAILED' });
    const card = await alertCard(channel, id);
    const calls = h.sim.calls.length;
    await clickOn(card, USERS.lead, 'playbook_retry', JSON.stringify({ instance_id: id, workspace_id: OTHER_WS }));
    const reply = await waitFor(() => ephemeralsIn(channel, USERS.lead)[0], 5000, 'the refusal');
    expect(reply.text).toContain(`in workspace ${OTHER_WS}, but its card is about ${id} in workspace ${WS}`);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.sim.calls.length).toBe(calls);
    expect(card.edits).toBe(0);
    expect([sim(id).status, sim(id, OTHER_WS).status]).toEqual(['FAILED', 'FAILED']);
  });

  test('an upper-case UUID in the value is the same instance as the card\'s lower-case one: it runs, once, on that one', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const card = await alertCard(channel, id);
    await clickOn(card, USERS.responder, 'playbook_retry', id.toUpperCase());
    await finished(card);
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect(h.sim.calls.filter((c) => c.path.includes(id.toUpperCase()))).toHaveLength(0);
  });
});

describe('workspaces: a rule covers only the workspaces it names (without `workspaces:`, only SECMASTER_WORKSPACE_ID)', () => {
  test('Retry on an alert card for a workspace no rule names → denied, naming the workspaces that would do; nothing sent, card untouched', async () => {
    await quiet();
    const channel = h.freshChannel();
    h.sim.state.addWorkspace(UNLISTED_WS);
    const id = h.sim.state.add(UNLISTED_WS, { status: 'FAILED' }).id;
    const res = await postAlert(h.url, { channel, instance_id: id, workspace_id: UNLISTED_WS });
    expect(res.status).toBe(200);
    const card = find(h.slack, channel, String(res.json.ts));
    const value = buttonsOf(card.blocks).find((b) => b.action_id === 'playbook_retry')!.value!;
    const calls = h.sim.calls.length;
    await clickOn(card, USERS.lead, 'playbook_retry', value);
    const reply = await waitFor(() => ephemeralsIn(channel, USERS.lead)[0], 5000, 'the denial');
    expect(reply.text).toContain(`RETRY is only allowed for you in SecMaster workspaces ${WS}, ${OTHER_WS}, ${FOREIGN_WS}, not in ${UNLISTED_WS}`);
    expect(reply.text).toContain('Nothing was sent to SecMaster');
    await new Promise((r) => setTimeout(r, 200));
    expect(h.sim.calls.length).toBe(calls);
    expect(card.edits).toBe(0);
    expect(sim(id, UNLISTED_WS).status).toBe('FAILED');
    const audit = await waitFor(() => h.logs.find((l) => l.includes('"message":"audit"') && l.includes(id)), 5000, 'the audit line');
    expect(JSON.parse(audit).audit).toMatchObject({ event: 'denied', outcome: 'workspace_not_allowed', workspace_id: UNLISTED_WS, instance_id: id, user: USERS.lead });
  });

  test("the same button on another app's message, naming that workspace → denied too", async () => {
    const channel = h.freshChannel();
    h.sim.state.addWorkspace(UNLISTED_WS);
    const id = h.sim.state.add(UNLISTED_WS, { status: 'FAILED' }).id;
    const value = JSON.stringify({ instance_id: id, workspace_id: UNLISTED_WS });
    const foreign = h.slack.addForeignMessage(channel, 'failed', [{ type: 'actions', elements: [{ type: 'button', action_id: 'playbook_retry', value, text: { type: 'plain_text', text: 'Retry' } }] }]);
    await h.click({ userId: USERS.lead, channelId: channel, actionId: 'playbook_retry', value, message: { ts: foreign.ts, bot_id: 'B0OTHERAPP', blocks: foreign.blocks } });
    const reply = await waitFor(() => ephemeralsIn(channel, USERS.lead)[0], 5000, 'the denial');
    expect(reply.text).toContain(`not in ${UNLISTED_WS}`);
    expect(operationPosts(h.sim, id)).toHaveLength(0);
    expect(replies(channel, foreign.ts)).toHaveLength(0);
  });
});

describe('a denied click changes nothing', () => {
  test('an outsider clicking Terminate again and again on a watched card does not stop it from following its instance', async () => {
    await quiet();
    const channel = h.freshChannel();
    const id = h.addInstance('RUNNING');
    const card = await alertCard(channel, id);
    expect(statusOf(card)).toBe('RUNNING');
    // Slow reads, so every poll of the card is in flight when the next denied click arrives.
    h.sim.faults.add({ fault: { kind: 'latency', ms: 250 }, when: 'before', method: 'GET', pathIncludes: id });
    const denials = () => ephemeralsIn(channel, USERS.outsider).length;
    let clicking = true;
    const clicker = (async () => {
      while (clicking) {
        await clickOn(card, USERS.outsider, 'playbook_terminate', id);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    try {
      await waitFor(() => denials() >= 3, 5000, 'the first denials');
      h.sim.state.setStatus(WS, id, 'FINISHED');
      // The card still follows the instance while the clicks go on.
      await waitFor(() => statusOf(card) === 'FINISHED', 6000, 'the card to show FINISHED while an outsider keeps clicking');
    } finally {
      clicking = false;
      await clicker;
    }
    expect(denials()).toBeGreaterThanOrEqual(3);
    expect(ephemeralsIn(channel, USERS.outsider).every((e) => /may not \*terminate\*/.test(e.text))).toBe(true);
    expect(operationPosts(h.sim, id)).toHaveLength(0);
    // Only the watcher edited the card: one update, to the final status.
    expect(updatesOf(h.slack, channel, card.ts).map((c) => updateShows(c).status)).toEqual(['FINISHED']);
  }, 20_000);
});

describe('instance IDs that are UUIDs are compared and locked in lower case', () => {
  test('`retry <UPPER-CASE UUID>` and a click with the lower-case one, at once → one operation, on the lower-case ID', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const card = await alertCard(channel, id);
    h.sim.faults.add({ fault: { kind: 'latency', ms: 400 }, when: 'before', method: 'POST', pathIncludes: id });
    const [cmd, click] = await Promise.all([h.command(USERS.responder, channel, `retry ${id.toUpperCase()} typed in capitals`), clickOn(card, USERS.lead, 'playbook_retry', id)]);
    expect([cmd.status, click.status]).toEqual([200, 200]);
    // Whoever lost is told it is under way (one lock for both spellings), or that the status moved on.
    await waitFor(() => ephemeralsIn(channel).find((e) => /under way|retry needs FAILED or TERMINATED/.test(e.text)), 10_000, 'the private answer to the one that lost');
    await waitFor(() => sim(id).status === 'FINISHED', 10_000, 'the instance to finish');
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect(h.sim.calls.filter((c) => c.path.includes(id.toUpperCase()))).toHaveLength(0);
  });

  test('`status <UPPER-CASE UUID>` shows the instance (SecMaster is asked for the lower-case ID)', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED', { name: 'asked for in capitals' });
    await h.command(USERS.responder, channel, `status ${id.toUpperCase()}`);
    const shown = await waitFor(() => ephemeralsIn(channel, USERS.responder)[0], 5000, 'the status card');
    expect(shown.text).toContain(id);
    expect(JSON.stringify(shown.blocks)).toContain('asked for in capitals');
    expect(h.sim.calls.filter((c) => c.path.includes(id.toUpperCase()))).toHaveLength(0);
  });
});

describe("SecMaster's words are looked up only among the bot's own", () => {
  test.each(['constructor', '__proto__', 'toString'])('an instance whose status reads %j: its card shows the word with a question mark, never a function', async (status) => {
    const channel = h.freshChannel();
    const id = h.addInstance(status);
    const res = await postAlert(h.url, { channel, instance_id: id, title: 'odd status' });
    expect(res.status).toBe(200);
    const card = find(h.slack, channel, String(res.json.ts));
    const text = `${card.text}\n${JSON.stringify(card.blocks)}`;
    expect(text).toContain(`:grey_question: *${status}*`);
    expect(text).not.toMatch(/function|native code/);
    await h.command(USERS.responder, channel, `status ${id}`);
    const shown = await waitFor(() => ephemeralsIn(channel, USERS.responder)[0], 5000, 'the status reply');
    expect(JSON.stringify(shown.blocks)).toContain(`:grey_question: *${status}*`);
    expect(JSON.stringify(shown.blocks)).not.toMatch(/function|native code/);
  });
});
