import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { commandBody, sendSigned } from '../../src/sandbox/slack/requests';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { botEnv, CHANNELS, DEFAULT_POLICY, PROJECT, SECRETS, TEAM, USERS, waitFor, WS } from '../e2e/harness';
import { spawnBot, type BotProcess } from '../e2e/processes';
import { createFreshDatabase } from './freshDatabase';

/**
 * Take-over of an operation attempt (issue 15, point 3) across replicas on PostgreSQL: replica A is
 * killed with -9 while SecMaster holds back the answer to its retry; replica B, which kept running,
 * takes the attempt over once A's lease runs out, audits that the retry took effect, tells the
 * requester and posts the status card. Nothing is sent again.
 */
jest.setTimeout(90_000);

let sim: Simulator;
let slack: SlackStandIn;
let db: { url: string; drop(): Promise<void> };
const procs: BotProcess[] = [];

beforeAll(async () => {
  db = await createFreshDatabase('attempts');
  sim = await startSimulator({ projectId: PROJECT, timing: { stepMs: 60_000 }, credentials: { staticTokens: [SECRETS.secmasterToken] } });
  sim.state.addWorkspace(WS);
  slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: [{ id: CHANNELS.incident, name: 'incident' }], usergroups: { S0SOC: [] } });
});

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  await slack?.close();
  await sim?.close();
  await db?.drop();
});

async function query<T>(sql: string, args: unknown[]): Promise<T[]> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(sql, args)).rows as T[];
  } finally {
    await c.end();
  }
}

test('a replica killed during a slow POST: the other takes the attempt over, audits it, tells the requester, posts the card; one POST', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'attempt-takeover-'));
  const policyFile = path.join(dir, 'policy.yml');
  writeFileSync(policyFile, DEFAULT_POLICY);
  const env = botEnv({ slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile, databaseUrl: db.url }, { STATUS_POLL_INTERVAL_MS: '200', STATUS_POLL_MAX_INTERVAL_MS: '400' });
  const a = spawnBot(env);
  procs.push(a);
  const portA = await a.port();
  const b = spawnBot(env);
  procs.push(b);
  await b.port();

  const id = sim.state.add(WS, { status: 'FAILED', name: 'Taken over' }).id;
  sim.faults.add({ fault: { kind: 'latency', ms: 60_000 }, when: 'after', method: 'POST', pathIncludes: id, times: 1 });
  const res = await sendSigned(
    `http://127.0.0.1:${portA}/slack/events`,
    SECRETS.signing,
    commandBody({ teamId: TEAM, userId: USERS.responder, channelId: CHANNELS.incident, text: `retry ${id} on A`, responseUrl: slack.responseUrl(USERS.responder, CHANNELS.incident) }),
  );
  expect(res.status).toBe(200);
  await waitFor(() => sim.state.get(WS, id)!.status === 'RETRYING', 10_000, 'SecMaster to carry the retry out');
  expect(await query('SELECT id FROM attempts WHERE instance_id = $1 AND resolved_at IS NULL', [id])).toHaveLength(1);
  a.child.kill('SIGKILL');
  const killedAt = Date.now();
  await a.exited;

  const rows = await waitFor(async () => {
    const r = await query<{ event: string; user_id: string; outcome: string; detail: string }>('SELECT event, user_id, outcome, detail FROM audit WHERE instance_id = $1', [id]);
    return r.length > 0 && r;
  }, 30_000, 'replica B to resolve the attempt');
  console.log(`kill -9 of replica A during a POST → attempt resolved by replica B ${((Date.now() - killedAt) / 1000).toFixed(2)} s after the kill (lease 10 s, passes every 2 s)`);
  expect(rows.map((r) => [r.event, r.user_id, r.outcome])).toEqual([['operation', USERS.responder, 'done_unconfirmed']]);
  expect(rows[0]!.detail).toMatch(/resolved after the bot stopped during the call/);
  expect(await query('SELECT id FROM attempts WHERE instance_id = $1 AND resolved_at IS NULL', [id])).toEqual([]);
  // The audit row is committed first; the lock release, the Slack side and the log line follow.
  await waitFor(() => b.stdout.some((l) => l.includes('resolved an interrupted operation') && l.includes(id)), 10_000, "replica B's log line");

  await waitFor(() => slack.ephemerals.find((e) => e.user === USERS.responder && e.text.includes('took effect')), 10_000, 'the requester told');
  await waitFor(() => slack.messages.find((m) => m.channel === CHANNELS.incident && !m.threadTs && m.text.includes(id)), 10_000, 'the status card');
  expect(sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${id}/operation`))).toHaveLength(1);
  expect(b.stdout.filter((l) => l.includes('resolved an interrupted operation'))).toHaveLength(1);
});
