import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { commandBody, sendSigned } from '../../src/sandbox/slack/requests';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { botEnv, CHANNELS, DEFAULT_POLICY, PROJECT, SECRETS, TEAM, USERS, waitFor, WS } from './harness';
import { spawnBot } from './processes';

/**
 * SIGTERM with work in flight: intake stops, the operation that was under way finishes (its POST
 * answered, its card posted), watches and pending approvals stay stored for the next start, and
 * the process exits 0 within 10 s.
 */
let sim: Simulator;
let slack: SlackStandIn;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'playbook-shutdown-'));
  writeFileSync(path.join(dir, 'policy.yml'), DEFAULT_POLICY);
  sim = await startSimulator({ projectId: PROJECT, credentials: { staticTokens: [SECRETS.secmasterToken] }, timing: { stepMs: 60_000 } });
  sim.state.addWorkspace(WS);
  slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: [{ id: CHANNELS.incident, name: 'incident' }], usergroups: { S0SOC: [] } });
});

afterAll(async () => {
  await slack?.close();
  await sim?.close();
});

test('SIGTERM during an operation: it finishes, the watch and a pending approval stay stored, exit 0 within 10 s', async () => {
  const file = path.join(dir, 'bot.sqlite');
  const bot = spawnBot(botEnv({ slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile: path.join(dir, 'policy.yml'), databaseUrl: `sqlite:${file}` }));
  const port = await bot.port();
  const events = `http://127.0.0.1:${port}/slack/events`;
  const send = (user: string, text: string) =>
    sendSigned(events, SECRETS.signing, commandBody({ teamId: TEAM, userId: user, channelId: CHANNELS.incident, text, responseUrl: slack.responseUrl(user, CHANNELS.incident) }));

  // A pending approval first, then a retry whose operation call takes 2 s.
  const pendingId = sim.state.add(WS, { status: 'RUNNING', name: 'waits for a lead' }).id;
  await send(USERS.responder, `terminate ${pendingId}`);
  await waitFor(() => slack.messages.find((m) => m.text.startsWith('Approval needed') && m.text.includes(pendingId)), 5000, 'approval card');
  const id = sim.state.add(WS, { status: 'FAILED', name: 'in flight at SIGTERM' }).id;
  sim.faults.add({ fault: { kind: 'latency', ms: 2000 }, when: 'before', method: 'POST', pathIncludes: id });
  expect((await send(USERS.responder, `retry ${id}`)).status).toBe(200);
  await waitFor(() => sim.calls.find((c) => c.method === 'POST' && c.path.endsWith(`/${id}/operation`)), 5000, 'the operation call under way');

  const stoppedAt = Date.now();
  bot.child.kill('SIGTERM');
  // Intake stops: a new request is refused (connection closed) or not answered with a success.
  await waitFor(async () => {
    try {
      const r = await send(USERS.responder, 'help');
      return r.status !== 200;
    } catch {
      return true;
    }
  }, 3000, 'intake to stop');
  const code = await bot.exited;
  const seconds = (Date.now() - stoppedAt) / 1000;

  expect(code).toBe(0);
  expect(seconds).toBeLessThan(10);
  // The in-flight operation finished: its answer came back and its card was posted.
  expect(sim.state.get(WS, id)!.status).toBe('RETRYING');
  expect(slack.messages.find((m) => !m.threadTs && m.text.includes(id))?.text).toContain('RETRYING');
  expect(bot.stdout.some((l) => l.includes('SIGTERM received'))).toBe(true);
  // What the next start needs is stored: the card's watch and the pending approval.
  const db = new Database(file, { readonly: true });
  const watches = db.prepare('SELECT instance_id, lease_owner FROM watches').all() as Array<{ instance_id: string; lease_owner: string | null }>;
  const approvals = db.prepare(`SELECT instance_id, state FROM approvals`).all();
  db.close();
  expect(watches).toEqual([{ instance_id: id, lease_owner: null }]);
  expect(approvals).toEqual([{ instance_id: pendingId, state: 'pending' }]);
  expect(sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/operation'))).toHaveLength(1);
}, 30_000);
