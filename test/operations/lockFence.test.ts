import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dispatcher } from 'undici';
import { createAuditTrail } from '../../src/audit/trail';
import { createLineCollector, createLogger } from '../../src/log';
import { createOperationsService, type OperationsService } from '../../src/operations/service';
import { parsePolicy } from '../../src/policy/load';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { createTokenAuthenticator } from '../../src/secmaster/auth/tokenAuth';
import { createSecMasterClient } from '../../src/secmaster/client';
import { createSecMasterTransport } from '../../src/secmaster/layers';
import { createSecMasterDispatcher, createTransport } from '../../src/secmaster/transport';
import { openSqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { startTrickleProxy, type TrickleProxy } from './trickleProxy';

/**
 * A lock must never expire under its own work and let a second POST through (issue 15, point 2).
 * The lock's TTL is made short here (an option, not a real minute's wait); the first click's read of
 * the instance trickles its body for longer than that TTL, a second click comes after the TTL, takes
 * the expired lock over and retries. When the first read finally ends, its lock is gone: it must not
 * POST. Real HTTP (undici transport, simulator behind a trickling stand-in), real SQLite store.
 */
const WS = 'ws-fence';
const PROJECT = 'proj-fence';
const TOKEN = 'fence-static-token-0123456789';
const TEAM = 'T0FENCE';
const POLICY = parsePolicy(`slack_team_id: ${TEAM}
roles:
  responder:
    users: [U0ONE, U0TWO]
rules:
  - operations: [VIEW, RETRY, TERMINATE]
    roles: [responder]
`);

let sim: Simulator;
let proxy: TrickleProxy;
let dispatcher: Dispatcher;
let store: Store;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ projectId: PROJECT, timing: { stepMs: 60_000 }, credentials: { staticTokens: [TOKEN] } });
  sim.state.addWorkspace(WS);
  proxy = await startTrickleProxy(sim.url);
  dispatcher = createSecMasterDispatcher();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-fence-'));
  store = openSqliteStore(path.join(dir, 'bot.sqlite'));
});

afterAll(async () => {
  await store?.close();
  await dispatcher?.close();
  await proxy?.close();
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function service(lockTtlMs: number): OperationsService {
  const logger = createLogger({ level: 'error', secrets: [TOKEN], stream: createLineCollector().stream });
  const secmaster = createSecMasterClient({ endpoint: proxy.url, projectId: PROJECT, transport: createSecMasterTransport({ http: createTransport({ dispatcher }), auth: createTokenAuthenticator(TOKEN) }) });
  return createOperationsService({
    policy: () => POLICY,
    groups: { isMember: async () => false },
    secmaster,
    store,
    audit: createAuditTrail({ store, logger }),
    operationsPerUserPerMinute: 100,
    defaultWorkspaceId: WS,
    lockTtlMs,
  });
}

const operationPosts = (id: string) => sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${id}/operation`));

test('a read that trickles past the lock TTL: two clicks a TTL apart send one RETRY, not two', async () => {
  const ops = service(400);
  // The second click takes the expired lock with a TTL of its own that its quick work cannot outlast
  // on a loaded machine (with 400 ms it too was fenced off once in CI): only the first may lose its lock.
  const patient = service(60_000);
  const id = sim.state.add(WS, { status: 'FAILED', name: 'slow read' }).id;
  // The first read of this instance trickles its body at 4 ms a byte: well over a second, past the 400 ms TTL.
  proxy.trickleNext((method, p) => method === 'GET' && p.endsWith(`/instances/${id}`), 4);
  const target = { workspaceId: WS, instanceId: id };

  const first = ops.requestOperation({ principal: { teamId: TEAM, userId: 'U0ONE', channelId: 'C0X' }, operation: 'RETRY', target });
  await new Promise((r) => setTimeout(r, 600));
  expect(proxy.trickled()).toBe(1);
  const second = await patient.requestOperation({ principal: { teamId: TEAM, userId: 'U0TWO', channelId: 'C0X' }, operation: 'RETRY', target });
  expect(second.code).toBe('done');
  const late = await first;

  expect(operationPosts(id)).toHaveLength(1);
  // The first request read FAILED, but its lock was gone by then: it was fenced off, nothing sent.
  expect(late).toEqual({ code: 'not_sent', operation: 'RETRY', reason: 'lock_lost' });
  expect(sim.state.get(WS, id)!.status).toBe('RETRYING');
  // One attempt, resolved with its audit row; none left open.
  expect(await store.countOpenAttempts()).toBe(0);
  expect((await store.listAudit({ instanceId: id })).map((r) => [r.user, r.outcome])).toEqual([
    ['U0TWO', 'done'],
    ['U0ONE', 'not_sent'],
  ]);
}, 20_000);
