import { mkdtempSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { postAlert, statusOf } from './cardInspect';
import { botEnv, CHANNELS, DEFAULT_POLICY, PROJECT, SECRETS, startHarness, TEAM, waitFor, WS, type Harness } from './harness';
import { spawnBot, type BotProcess } from './processes';

/**
 * Durable card intent: a card is stored before its post and its ts after. A bot killed (kill -9)
 * after Slack accepted the post and before the ts was stored still brings the card to its final
 * status after a restart, and posts it once (the restarted bot finds the message by the card ID in
 * its metadata); a post whose answer was lost on the wire is looked for before it is posted again.
 */
function outboxRows(file: string): { intents: number; watches: number; updates: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return { intents: n('SELECT COUNT(*) AS n FROM card_intents'), watches: n('SELECT COUNT(*) AS n FROM watches'), updates: n('SELECT COUNT(*) AS n FROM pending_updates') };
  } finally {
    db.close();
  }
}

describe('kill -9 between the post and its ts being stored', () => {
  let sim: Simulator;
  let slack: SlackStandIn;
  const procs: BotProcess[] = [];
  let victim: BotProcess | undefined;

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await sim?.close();
    await slack?.close();
  });

  test('the restarted bot finds the posted card by its metadata, follows it to FINISHED, and never posts it again', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'playbook-intent-'));
    writeFileSync(path.join(dir, 'policy.yml'), DEFAULT_POLICY);
    const dbFile = path.join(dir, 'bot.sqlite');
    sim = await startSimulator({ projectId: PROJECT, credentials: { staticTokens: [SECRETS.secmasterToken] }, timing: { stepMs: 1000, runningMs: 12_000 } });
    sim.state.addWorkspace(WS);
    slack = await startSlackStandIn({
      botToken: SECRETS.bot,
      teamId: TEAM,
      channels: [{ id: CHANNELS.incident, name: 'incident' }],
      usergroups: { S0SOC: [] },
      // Slack has taken the post; the bot dies before the answer (and the ts in it) reaches it.
      onCall: (call) => {
        if (call.method === 'chat.postMessage' && victim && !call.error) {
          victim.child.kill('SIGKILL');
          victim = undefined;
        }
      },
    });
    const env = botEnv(
      { slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile: path.join(dir, 'policy.yml'), databaseUrl: `sqlite:${dbFile}` },
      { ALERT_WEBHOOK_TOKEN: SECRETS.alert, STATUS_POLL_INTERVAL_MS: '500', STATUS_POLL_MAX_INTERVAL_MS: '1000' },
    );
    const id = sim.state.add(WS, { status: 'RUNNING', name: 'Killed mid-post', auto_advance: true }).id;

    const first = spawnBot(env);
    procs.push(first);
    const port = await first.port();
    victim = first;
    const answered = await postAlert(`http://127.0.0.1:${port}`, { channel: CHANNELS.incident, instance_id: id, title: 'Killed mid-post' }).then(
      () => true,
      () => false,
    );
    // The bot died before it could answer.
    expect(answered).toBe(false);
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');

    const card = slack.messages.find((m) => m.channel === CHANNELS.incident && m.text.includes(id))!;
    expect(statusOf(card)).toBe('RUNNING');
    expect(card.metadata?.event_type).toBe('playbook_card');
    // The kill landed in the window: the card is in Slack, but the bot stored neither its ts nor its watch.
    expect(outboxRows(dbFile)).toEqual({ intents: 1, watches: 0, updates: 0 });

    const second = spawnBot(env);
    procs.push(second);
    await second.port();
    // The dead process's lease on the card (10 s) runs out, then the card is found and followed.
    await waitFor(() => outboxRows(dbFile).intents === 0, 30_000, 'the intent to be finished');
    const looked = slack.calls.filter((c) => c.method === 'conversations.history' && c.args.channel === CHANNELS.incident);
    expect(looked.length).toBeGreaterThan(0);
    expect(looked.every((c) => c.args.include_all_metadata === 'true')).toBe(true);
    await waitFor(() => statusOf(card) === 'FINISHED', 30_000, 'the card to reach FINISHED');
    await waitFor(() => slack.messages.find((m) => m.threadTs === card.ts && m.text.includes('FINISHED')), 10_000, 'the final reply');

    // Posted once: one card at the top level of the channel, one post that carried its card ID.
    expect(slack.messages.filter((m) => m.channel === CHANNELS.incident && !m.threadTs)).toEqual([card]);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.error && String(c.args.metadata ?? '').includes(String(card.metadata?.event_payload.card_id)))).toHaveLength(1);
    expect(outboxRows(dbFile)).toEqual({ intents: 0, watches: 0, updates: 0 });
  }, 90_000);

  test('a final status waiting for Slack’s limit when the bot is killed is sent by the restarted bot, with its reply, once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'playbook-pending-'));
    writeFileSync(path.join(dir, 'policy.yml'), DEFAULT_POLICY);
    const dbFile = path.join(dir, 'bot.sqlite');
    const env = botEnv(
      { slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile: path.join(dir, 'policy.yml'), databaseUrl: `sqlite:${dbFile}` },
      { ALERT_WEBHOOK_TOKEN: SECRETS.alert, STATUS_POLL_INTERVAL_MS: '300', STATUS_POLL_MAX_INTERVAL_MS: '500' },
    );
    const id = sim.state.add(WS, { status: 'RUNNING', name: 'Pending final', auto_advance: true }).id;
    const first = spawnBot(env);
    procs.push(first);
    const port = await first.port();
    await new Promise((r) => setTimeout(r, 1_100));
    const res = await postAlert(`http://127.0.0.1:${port}`, { channel: CHANNELS.incident, instance_id: id, title: 'Pending final' });
    expect(res.status).toBe(200);
    const card = slack.messages.find((m) => m.ts === res.json.ts)!;
    // Slack holds every update of this card back for a minute: the final status has to wait.
    slack.fault({ method: 'chat.update', rateLimitS: 60, times: 1000, match: id });
    await waitFor(() => slack.calls.some((c) => c.method === 'chat.update' && c.error === 'ratelimited' && JSON.stringify(c.args).includes(id)), 30_000, 'the refused final update');
    expect(outboxRows(dbFile)).toMatchObject({ updates: 1, watches: 0 });
    first.child.kill('SIGKILL');
    await first.exited;
    slack.clearFaults();
    expect(statusOf(card)).toBe('RUNNING');

    const second = spawnBot(env);
    procs.push(second);
    await second.port();
    await waitFor(() => statusOf(card) === 'FINISHED', 30_000, 'the stored final status to be sent');
    await waitFor(() => slack.messages.find((m) => m.threadTs === card.ts && m.text.includes('FINISHED')), 10_000, 'the final reply');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(slack.messages.filter((m) => m.threadTs === card.ts)).toHaveLength(1);
    expect(outboxRows(dbFile)).toEqual({ intents: 0, watches: 0, updates: 0 });
  }, 90_000);
});

describe('a post whose answer was lost (5xx)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('/alerts answers queued; the bot looks for the card, finds none, posts it once, and the card follows its instance', async () => {
    const id = h.addInstance('RUNNING');
    h.slack.fault({ method: 'chat.postMessage', status: 500, times: 1, match: id });
    const res = await postAlert(h.url, { channel: CHANNELS.incident, instance_id: id, title: 'Lost answer' });
    // Not a failure the sender should act on (sending it again would make two cards): the card is stored and comes.
    expect(res).toEqual({ status: 202, json: { ok: true, queued: true, channel: CHANNELS.incident } });
    const card = await waitFor(() => h.channelMessages(CHANNELS.incident).find((m) => m.text.includes(id)), 30_000, 'the card, posted by the outbox loop');
    const history = h.slack.calls.filter((c) => c.method === 'conversations.history');
    const repost = h.slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.error && JSON.stringify(c.args).includes(id));
    expect(history.length).toBeGreaterThan(0);
    expect(history[0]!.at).toBeLessThanOrEqual(repost[0]!.at);
    expect(repost).toHaveLength(1);
    expect(h.channelMessages(CHANNELS.incident).filter((m) => m.text.includes(id))).toEqual([card]);
    const watched = await waitFor(async () => (await h.bot.deps.store.countWatches()) > 0, 5_000, 'the watch');
    expect(watched).toBe(true);
  }, 60_000);
});
