import { mkdtempSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RecordedCall, type Simulator } from '../../src/sandbox/simulator';
import { commandBody, sendSigned } from '../../src/sandbox/slack/requests';
import { startSlackStandIn, type SlackStandIn, type StoredMessage } from '../../src/sandbox/slack/standIn';
import { botEnv, CHANNELS, DEFAULT_POLICY, PROJECT, SECRETS, TEAM, USERS, waitFor, WS } from './harness';
import { actionIdsOf, buttonsOf, find, instanceReads, operationPosts, postAlert, startWideHarness, statusOf, updatesOf, updateShows, type WideHarness } from './cardInspect';
import { spawnBot, type BotProcess } from './processes';

/**
 * Live status cards: a card follows its instance to a final status, is updated only when the
 * status changes, shows only the buttons each status allows, gives up after
 * STATUS_WATCH_TIMEOUT_MS, survives a kill -9 of the bot, and a thousand watches cannot exceed
 * STATUS_READS_PER_SECOND. Also counts every call one alert + one retry costs, end to end.
 */

async function alertCard(h: WideHarness, channel: string, id: string, title = 'Alert'): Promise<StoredMessage> {
  const res = await postAlert(h.url, { channel, instance_id: id, title });
  expect(res.status).toBe(200);
  return find(h.slack, channel, String(res.json.ts));
}

function clickOn(h: WideHarness, m: StoredMessage, user: string, actionId: string, value: string) {
  return h.click({ userId: user, channelId: m.channel, actionId, value, message: { ts: m.ts, bot_id: m.botId, blocks: m.blocks } });
}

const shownStatuses = (h: WideHarness, m: StoredMessage) => updatesOf(h.slack, m.channel, m.ts).map((c) => updateShows(c));

describe('a card follows its instance (slow steps: each status lasts 800 ms, polls every 100–300 ms)', () => {
  let h: WideHarness;

  beforeAll(async () => {
    h = await startWideHarness({ stepMs: 800, env: { STATUS_POLL_INTERVAL_MS: '100', STATUS_POLL_MAX_INTERVAL_MS: '300', SLACK_UPDATES_PER_MINUTE: '100000', OPERATIONS_PER_USER_PER_MINUTE: '1000' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('retry → RETRYING → RUNNING → FINISHED: one update per status, not per poll; Terminate while in motion, nothing at the end', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const card = await alertCard(h, channel, id);
    await clickOn(h, card, USERS.responder, 'playbook_retry', id);
    await waitFor(() => statusOf(card) === 'FINISHED', 10_000, 'FINISHED');

    const shown = shownStatuses(h, card);
    expect(shown.map((s) => s.status)).toEqual(['RETRYING', 'RUNNING', 'FINISHED']);
    expect(shown.map((s) => s.actions)).toEqual([['playbook_terminate'], ['playbook_terminate'], []]);
    for (const s of shown.slice(0, 2)) expect(buttonsOf(s.blocks)[0]!.confirm).toBeDefined();
    expect(card.edits).toBe(3);
    // The watcher read it many more times than the card changed.
    const op = operationPosts(h.sim, id)[0]!;
    const readsAfter = instanceReads(h.sim, id).filter((c) => c.at > op.at);
    expect(readsAfter.length).toBeGreaterThanOrEqual(5);
    expect(readsAfter.length).toBeGreaterThan(card.edits);
    // The final reply in the card's thread names the person who clicked.
    const reply = await waitFor(() => h.slack.messages.find((m) => m.channel === channel && m.threadTs === card.ts), 5000, 'final reply');
    expect(reply.text).toContain('FINISHED');
    expect(JSON.stringify(reply.blocks)).toContain(`<@${USERS.responder}>`);
    // Once final, it is no longer read.
    const reads = instanceReads(h.sim, id).length;
    await new Promise((r) => setTimeout(r, 600));
    expect(instanceReads(h.sim, id).length).toBe(reads);
  });

  test('a retry that fails again ends on FAILED with Retry (and "why") offered again', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED', { next_outcome: 'FAILED' });
    const card = await alertCard(h, channel, id);
    await clickOn(h, card, USERS.responder, 'playbook_retry', id);
    await waitFor(() => h.sim.state.get(WS, id)!.status === 'FAILED' && statusOf(card) === 'FAILED' && card.edits > 0, 10_000, 'FAILED again');
    const shown = shownStatuses(h, card);
    expect(shown.map((s) => s.status)).toEqual(['RETRYING', 'RUNNING', 'FAILED']);
    expect(shown.at(-1)!.actions).toEqual(['playbook_retry', 'playbook_explain']);
  });

  test('an alert card on a RUNNING instance is not updated while nothing changes; a lead terminates it (confirm dialog) → TERMINATED', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('RUNNING');
    const card = await alertCard(h, channel, id, 'Runaway playbook');
    const terminate = buttonsOf(card.blocks);
    expect(terminate.map((b) => b.action_id)).toEqual(['playbook_terminate']);
    expect(terminate[0]!.confirm).toMatchObject({ title: { text: expect.any(String) }, confirm: { text: 'Terminate' } });

    // Followed (read several times), but nothing changed: no update. (After 4 reads the polls are
    // 300 ms apart, so the click below lands between two reads: see the BUG (race) test for the other case.)
    await waitFor(() => instanceReads(h.sim, id).length >= 4, 5000, 'a few reads of the RUNNING instance');
    expect(card.edits).toBe(0);

    await clickOn(h, card, USERS.lead, 'playbook_terminate', id);
    await waitFor(() => statusOf(card) === 'TERMINATED', 10_000, 'TERMINATED');
    expect(operationPosts(h.sim, id).map((c) => c.body)).toEqual([{ operation: 'TERMINATE' }]);
    const shown = shownStatuses(h, card);
    expect(shown.map((s) => s.status)).toEqual(['TERMINATING', 'TERMINATED']);
    // TERMINATING allows neither operation; TERMINATED can be retried.
    expect(shown.map((s) => s.actions)).toEqual([[], ['playbook_retry']]);
    expect(card.text).toContain('Runaway playbook');
    await waitFor(() => h.slack.messages.find((m) => m.channel === channel && m.threadTs === card.ts && m.text.includes('TERMINATED')), 5000, 'final reply');
  });

  test('Retry clicked the moment a card reaches FAILED (its final reply still on the way) → the card follows the new run to the end', async () => {
    const channel = h.freshChannel();
    const name = `Quick-retry-${Date.now()}`;
    const id = h.addInstance('FAILED', { name, next_outcome: 'FAILED' });
    const card = await alertCard(h, channel, id);
    // Slack holds the final-status reply up for a second (429, Retry-After: 1): the click lands meanwhile.
    h.slack.fault({ method: 'chat.postMessage', rateLimitS: 1, times: 1, match: `${name} reached FAILED` });
    await clickOn(h, card, USERS.responder, 'playbook_retry', id);
    await waitFor(() => statusOf(card) === 'FAILED' && card.edits >= 3, 10_000, 'the card to show FAILED again');
    expect(h.slack.messages.some((m) => m.threadTs === card.ts)).toBe(false); // the reply is still held
    h.sim.state.get(WS, id)!.next_outcome = 'FINISHED';
    await clickOn(h, card, USERS.responder2, 'playbook_retry', id);

    await waitFor(() => statusOf(card) === 'FINISHED', 10_000, 'the card to follow the second retry to FINISHED');
    expect(operationPosts(h.sim, id)).toHaveLength(2);
    expect(card.text).toContain(`retry requested by <@${USERS.responder2}>`);
    await waitFor(() => h.slack.messages.find((m) => m.threadTs === card.ts && m.text.includes('FINISHED')), 5000, 'the final reply of the second run');
  });

  test('a watcher read in flight while a click turns the alert card into a status card must not undo the click (who asked, the final reply)', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('RUNNING');
    const card = await alertCard(h, channel, id, 'Raced alert');
    await waitFor(() => instanceReads(h.sim, id).length >= 2, 5000, 'the alert card to be followed');
    // The watcher's next read of it is held up 1.2 s: it is answered after the terminate, once the
    // instance is TERMINATED (each step lasts 800 ms).
    h.sim.faults.add({ fault: { kind: 'latency', ms: 1200 }, when: 'before', method: 'GET', pathIncludes: id, times: 1 });
    const held = await waitFor(() => h.sim.calls.find((c) => c.path.endsWith(`/instances/${id}`) && c.faults.length > 0), 5000, 'a held watcher read');
    await clickOn(h, card, USERS.lead, 'playbook_terminate', id);
    await waitFor(() => h.sim.state.get(WS, id)!.status === 'TERMINATED', 5000, 'TERMINATED in SecMaster');
    await waitFor(async () => held.status !== 0 && (await h.bot.deps.store.countWatches()) === 0 && statusOf(card) === 'TERMINATED', 5000, 'the watch to end');
    await new Promise((r) => setTimeout(r, 300));

    expect(operationPosts(h.sim, id)).toHaveLength(1);
    // The status card ends saying who asked for the terminate …
    expect(card.text).toContain(`terminate requested by <@${USERS.lead}>`);
    // … and no update after the click's own went back to the alert card's old content (the held read
    // belongs to the alert's watch, which the click replaced) …
    const shown = shownStatuses(h, card).map((u) => [u.status, u.text.includes(`requested by <@${USERS.lead}>`)]);
    expect(shown).toEqual([
      ['TERMINATING', true],
      ['TERMINATED', true],
    ]);
    // … and there is one final reply, mentioning them, as without the race.
    const finalReplies = h.slack.messages.filter((m) => m.channel === channel && m.threadTs === card.ts);
    expect(finalReplies).toHaveLength(1);
    expect(JSON.stringify(finalReplies[0]!.blocks)).toContain(`<@${USERS.lead}>`);
  });
});

describe('a watch that never reaches a final status stops after STATUS_WATCH_TIMEOUT_MS', () => {
  let h: WideHarness;

  beforeAll(async () => {
    // Each status lasts a minute: a retried instance stays RETRYING for the whole test.
    h = await startWideHarness({ stepMs: 60_000, env: { STATUS_WATCH_TIMEOUT_MS: '1500', STATUS_POLL_INTERVAL_MS: '100', STATUS_POLL_MAX_INTERVAL_MS: '200', SLACK_UPDATES_PER_MINUTE: '100000' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('the card says it stopped following, keeps the last status, and reads stop', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const card = await alertCard(h, channel, id);
    const started = Date.now();
    await clickOn(h, card, USERS.responder, 'playbook_retry', id);
    await waitFor(() => JSON.stringify(card.blocks).includes('Stopped following'), 6000, 'the card to say it stopped following');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(statusOf(card)).toBe('RETRYING');
    expect(JSON.stringify(card.blocks)).toContain(`/playbook status ${id}`);
    // The watcher updates the card first and deletes the watch right after: on a loaded machine the
    // test can see the card before the delete has run, so it waits for the delete (the full run's red case).
    await waitFor(async () => (await h.bot.deps.store.countWatches()) === 0, 2000, 'the watch to be removed');
    const reads = instanceReads(h.sim, id).length;
    await new Promise((r) => setTimeout(r, 500));
    expect(instanceReads(h.sim, id).length).toBe(reads);
    expect(operationPosts(h.sim, id)).toHaveLength(1);
  });
});

function storedWatches(file: string, instanceId: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM watches WHERE instance_id = ?').get(instanceId) as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the watch survives kill -9', () => {
  let sim: Simulator;
  let slack: SlackStandIn;
  const procs: BotProcess[] = [];

  afterAll(async () => {
    for (const p of procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    await sim?.close();
    await slack?.close();
  });

  test('a card RETRYING when the bot is killed still reaches FINISHED after a restart on the same database; one operation in all', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'playbook-crash-'));
    writeFileSync(path.join(dir, 'policy.yml'), DEFAULT_POLICY);
    const dbFile = path.join(dir, 'bot.sqlite');
    sim = await startSimulator({ projectId: PROJECT, credentials: { staticTokens: [SECRETS.secmasterToken] }, timing: { stepMs: 1500 } });
    sim.state.addWorkspace(WS);
    slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: [{ id: CHANNELS.incident, name: 'incident' }], usergroups: { S0SOC: [] } });
    const env = botEnv(
      { slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile: path.join(dir, 'policy.yml'), databaseUrl: `sqlite:${dbFile}` },
      // Reads a second apart: the kill below lands before the first one, never in the middle of a
      // read (a watch leased by a dead process waits out its 15 s lease before another takes it).
      { STATUS_POLL_INTERVAL_MS: '1000', STATUS_POLL_MAX_INTERVAL_MS: '1000' },
    );
    const id = sim.state.add(WS, { status: 'FAILED', name: 'Crash survivor' }).id;

    const first = spawnBot(env);
    procs.push(first);
    const port = await first.port();
    const res = await sendSigned(
      `http://127.0.0.1:${port}/slack/events`,
      SECRETS.signing,
      commandBody({ teamId: TEAM, userId: USERS.responder, channelId: CHANNELS.incident, text: `retry ${id} crash test`, responseUrl: slack.responseUrl(USERS.responder, CHANNELS.incident) }),
    );
    expect(res.status).toBe(200);
    const card = await waitFor(() => slack.messages.find((m) => m.channel === CHANNELS.incident && !m.threadTs && m.text.includes(id)), 10_000, 'the status card');
    // The card reaches Slack a moment before the bot stores its watch (it needs the message's ts):
    // kill only once the watch is in the database, or a slow machine kills the bot in between.
    await waitFor(() => storedWatches(dbFile, id) > 0, 5000, 'the watch to be stored');
    first.child.kill('SIGKILL');
    expect(statusOf(card)).toBe('RETRYING');

    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    const killedAt = Date.now();
    // Killed mid-run: the instance has not reached a final status yet.
    expect(['RETRYING', 'RUNNING']).toContain(sim.state.get(WS, id)!.status);

    const second = spawnBot(env);
    procs.push(second);
    await second.port();
    // Worst case the kill lands mid-read: the dead process's 15 s lease runs out first.
    await waitFor(() => statusOf(card) === 'FINISHED', 30_000, 'the card to reach FINISHED after the restart');
    await waitFor(() => slack.messages.find((m) => m.threadTs === card.ts && m.text.includes('FINISHED')), 5000, 'the final reply');

    expect(operationPosts(sim, id)).toHaveLength(1);
    // The second process did the following: it read the instance and updated the card.
    const after = (c: RecordedCall) => c.at > killedAt;
    expect(instanceReads(sim, id).filter(after).length).toBeGreaterThan(0);
    expect(updatesOf(slack, CHANNELS.incident, card.ts).filter((c) => c.at > killedAt).length).toBeGreaterThan(0);
    // Still one card at the top level of the channel.
    expect(slack.messages.filter((m) => m.channel === CHANNELS.incident && !m.threadTs)).toEqual([card]);
  }, 60_000);
});

describe('the total read rate is bounded by STATUS_READS_PER_SECOND', () => {
  let h: WideHarness;
  const RATE = 5;
  const BURST = RATE; // the watcher's bucket holds one second's worth

  beforeAll(async () => {
    h = await startWideHarness({ extra: 30, env: { STATUS_READS_PER_SECOND: String(RATE), STATUS_POLL_INTERVAL_MS: '100', STATUS_POLL_MAX_INTERVAL_MS: '400' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('30 watched alert cards on instances that never finish: at most 5 reads a second (+20 % and the burst)', async () => {
    const ids = Array.from({ length: 30 }, () => h.addInstance('RUNNING'));
    const posted = await Promise.all(ids.map((id) => postAlert(h.url, { channel: h.freshChannel(), instance_id: id })));
    expect(posted.map((p) => p.status)).toEqual(Array(30).fill(200));
    expect(await h.bot.deps.store.countWatches()).toBe(30);

    const idSet = new Set(ids);
    const isWatchRead = (c: RecordedCall) => c.method === 'GET' && idSet.has(c.path.split('/').pop()!);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    const t1 = Date.now();
    const reads = h.sim.calls.filter((c) => isWatchRead(c) && c.at >= t0 && c.at <= t1).map((c) => c.at);
    const seconds = (t1 - t0) / 1000;
    // Unbounded, 30 watches polled every ≤ 400 ms would read ≥ 75 times a second.
    expect(reads.length).toBeGreaterThanOrEqual(RATE); // it does read
    expect(reads.length).toBeLessThanOrEqual(RATE * seconds * 1.2 + BURST);
    // And no one-second window inside it holds more than a second's rate plus the burst.
    for (const start of reads) {
      const inWindow = reads.filter((t) => t >= start && t < start + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(Math.ceil(RATE * 1.2) + BURST);
    }
    console.log(`read rate with STATUS_READS_PER_SECOND=${RATE} and 30 watches: ${reads.length} reads in ${seconds.toFixed(2)} s = ${(reads.length / seconds).toFixed(2)}/s`);
  });
});

describe('what one alert and one retry cost, end to end', () => {
  let h: WideHarness;

  beforeAll(async () => {
    // Nothing moves by itself: the test moves the instance, right after the watcher's reads, so each
    // read the watcher makes sees a new status (the fewest reads a watch can take).
    h = await startWideHarness({ stepMs: 600_000, env: { STATUS_POLL_INTERVAL_MS: '200', STATUS_POLL_MAX_INTERVAL_MS: '200' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('webhook alert (FAILED) + Retry click → FINISHED: exact SecMaster and Slack calls', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    const simStart = h.sim.calls.length;
    const slackStart = h.slack.calls.length;
    const startup = h.slack.calls.slice(0, slackStart).map((c) => c.method);

    // Drive the instance from the simulator's own call log: each status change happens just after
    // the request that should see the previous one was answered.
    const push = h.sim.calls.push.bind(h.sim.calls);
    let reads = 0;
    h.sim.calls.push = (...items: RecordedCall[]) => {
      const n = push(...items);
      for (const c of items) {
        if (!c.path.endsWith(`/instances/${id}`) && !c.path.endsWith(`/instances/${id}/operation`)) continue;
        if (c.method === 'POST') setImmediate(() => h.sim.state.setStatus(WS, id, 'RUNNING'));
        else if (++reads === 3) setImmediate(() => h.sim.state.setStatus(WS, id, 'FINISHED'));
      }
      return n;
    };
    try {
      const card = await alertCard(h, channel, id, 'Counted alert');
      await clickOn(h, card, USERS.responder, 'playbook_retry', id);
      await waitFor(() => statusOf(card) === 'FINISHED', 10_000, 'FINISHED');
      await waitFor(() => h.slack.messages.find((m) => m.threadTs === card.ts), 5000, 'the final reply');
      // Let anything that would still follow show up before counting.
      await waitFor(async () => (await h.bot.deps.store.countWatches()) === 0, 5000, 'the watch to end');
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      h.sim.calls.push = push;
    }

    const byKind = (calls: RecordedCall[]) => {
      const out: Record<string, number> = {};
      for (const c of calls) {
        const kind = `${c.method} ${c.path.endsWith('/operation') ? 'operation' : c.path.includes('/instances/') ? 'instance (read one)' : c.path}`;
        out[kind] = (out[kind] ?? 0) + 1;
      }
      return out;
    };
    const secmaster = byKind(h.sim.calls.slice(simStart));
    const slack: Record<string, number> = {};
    for (const c of h.slack.calls.slice(slackStart)) slack[c.method] = (slack[c.method] ?? 0) + 1;
    const watcherReads = instanceReads(h.sim, id).length - 2;

    console.log(
      [
        'One webhook alert + one Retry click that reaches FINISHED, end to end:',
        `  SecMaster: ${JSON.stringify(secmaster)} (reads: 1 by /alerts, 1 before the operation, ${watcherReads} by the watcher)`,
        `  Slack Web API: ${JSON.stringify(slack)}`,
        `  (at start-up, once per process: ${JSON.stringify(startup)})`,
      ].join('\n'),
    );
    expect(secmaster).toEqual({ 'GET instance (read one)': 4, 'POST operation': 1 });
    expect(watcherReads).toBe(2);
    expect(slack).toEqual({ 'chat.postMessage': 2, 'chat.update': 3 });
    expect(h.slack.calls.slice(slackStart).every((c) => !c.error)).toBe(true);
    expect(operationPosts(h.sim, id).map((c) => c.body)).toEqual([{ operation: 'RETRY' }]);
    expect(actionIdsOf(find(h.slack, channel, h.slack.calls.find((c) => c.method === 'chat.update')!.args.ts as string).blocks)).toEqual([]);
  });
});
