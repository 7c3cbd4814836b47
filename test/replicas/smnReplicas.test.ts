import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { createSandboxPki } from '../../src/sandbox/smn/pki';
import { startSmnTopic, type SmnBody, type SmnTopicStandIn } from '../../src/sandbox/smn/topic';
import { botEnv, DEFAULT_POLICY, PROJECT, SECRETS, TEAM, waitFor, WS } from '../e2e/harness';
import { spawnBot, type BotProcess } from '../e2e/processes';
import { createFreshDatabase } from './freshDatabase';

/**
 * Two bot processes sharing one PostgreSQL database receive the same SMN deliveries (SMN delivers
 * at least once, and a load balancer spreads them): a subscription is confirmed once and a
 * notification makes one card, whichever replica gets which copy. The processes trust the SMN
 * stand-in's CA only through NODE_EXTRA_CA_CERTS, the deployment's way (spec section 9).
 */
const CHANNEL = 'C0SMNREPL';
let sim: Simulator;
let slack: SlackStandIn;
let topic: SmnTopicStandIn;
let db: { url: string; drop(): Promise<void> };
let dir: string;
const replicas: BotProcess[] = [];
const ports: number[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'smn-replicas-'));
  db = await createFreshDatabase('smn_replicas');
  const pki = await createSandboxPki();
  topic = await startSmnTopic({ pki });
  const caFile = path.join(dir, 'sandbox-ca.pem');
  writeFileSync(caFile, pki.caPem);
  sim = await startSimulator({ projectId: PROJECT, timing: { stepMs: 60_000, runningMs: 0 }, credentials: { staticTokens: [SECRETS.secmasterToken] } });
  sim.state.addWorkspace(WS);
  slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: [{ id: CHANNEL, name: 'smn-replicas' }], usergroups: { S0SOC: [] } });
  const policyFile = path.join(dir, 'policy.yml');
  writeFileSync(policyFile, DEFAULT_POLICY);
  const env = {
    ...botEnv({ slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile, databaseUrl: db.url }),
    SMN_TOPICS: `${topic.topicUrn}=${CHANNEL}`,
    SMN_TRUSTED_HOSTS: topic.host,
    NODE_EXTRA_CA_CERTS: caFile,
  };
  const started = await Promise.all([spawnBot(env), spawnBot(env)].map(async (p) => {
    replicas.push(p);
    return p.port();
  }));
  ports.push(...started);
}, 60_000);

afterAll(async () => {
  for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await Promise.all(replicas.map((r) => r.exited));
  await topic?.close();
  await slack?.close();
  await sim?.close();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function deliverTo(port: number, body: SmnBody): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/smn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-smn-message-type': body.type!, 'x-smn-message-id': body.message_id!, 'x-smn-topic-urn': body.topic_urn! },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

test('a confirmation delivered to both replicas is confirmed once', async () => {
  const first = await topic.subscribe(`http://127.0.0.1:${ports[0]}/smn`);
  expect(first.status).toBe(200);
  const again = await Promise.all([deliverTo(ports[1]!, first.body), deliverTo(ports[0]!, first.body), deliverTo(ports[1]!, first.body)]);
  expect(again).toEqual([200, 200, 200]);
  expect(topic.state()).toMatchObject({ subscription: 'confirmed', confirmations: 1 });
});

test('one notification delivered six times at once, three to each replica, makes one card', async () => {
  const id = sim.state.add(WS, { status: 'FAILED', name: 'replicated alert' }).id;
  const body = topic.sign({ type: 'Notification', topic_urn: topic.topicUrn, message_id: 'f00dfeedf00dfeedf00dfeedf00dfeed', message: JSON.stringify({ instance_id: id, title: 'One card only' }), timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
  const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => deliverTo(ports[i % 2]!, body)));
  // The claimant answers 200; the others 200 (handled) or 503 (still in hand: SMN would retry).
  expect(answers.every((s) => s === 200 || s === 503)).toBe(true);
  await waitFor(() => slack.messages.some((m) => m.text.includes(id)), 8000, 'the card');
  // Late redeliveries to either replica are told it was handled.
  expect(await Promise.all([deliverTo(ports[0]!, body), deliverTo(ports[1]!, body)])).toEqual([200, 200]);
  await new Promise((r) => setTimeout(r, 500));
  expect(slack.messages.filter((m) => m.text.includes(id))).toHaveLength(1);
});
