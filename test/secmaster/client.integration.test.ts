import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { createAkSkAuthenticator } from '../../src/secmaster/auth/akskAuth';
import { createIamPasswordAuthenticator } from '../../src/secmaster/auth/iamPasswordAuth';
import { createTokenAuthenticator } from '../../src/secmaster/auth/tokenAuth';
import type { Authenticator } from '../../src/secmaster/auth/types';
import { createSecMasterClient, type SecMasterClient } from '../../src/secmaster/client';
import { createSecMasterTransport } from '../../src/secmaster/layers';
import { SecMasterError } from '../../src/secmaster/errors';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../src/secmaster/retry';
import { createSecMasterDispatcher, createTransport, DEFAULT_TIMEOUTS } from '../../src/secmaster/transport';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';

const WS = 'ws-0001';
const PROJECT = 'proj-0001';
const STATIC_TOKEN = 'static-token-0123456789';
const AK = 'AKSIMULATOR0001';
const SK = 'sk-simulator-secret-0001';
const IAM_USER = { domain: 'soc-domain', user: 'playbook-bot', password: 'pa55-w0rd!' };

let sim: Simulator;
let dispatcher: Dispatcher;
let clock: number;
const delays: number[] = [];

/** Real backoff shape, no real waiting: the delays are recorded for assertions. */
const fastRetry: RetryPolicy = {
  ...DEFAULT_RETRY_POLICY,
  sleep: async (ms) => {
    delays.push(ms);
  },
};

function client(auth: Authenticator, extra: { retry?: RetryPolicy; timeouts?: typeof DEFAULT_TIMEOUTS; endpoint?: string } = {}): SecMasterClient {
  const transport = createTransport({ dispatcher: extra.timeouts ? createSecMasterDispatcher(extra.timeouts) : dispatcher, timeouts: extra.timeouts });
  return createSecMasterClient({ endpoint: extra.endpoint ?? sim.url, projectId: PROJECT, transport: createSecMasterTransport({ http: transport, auth, retry: extra.retry ?? fastRetry }) });
}

function iamAuth(renewBeforeMs = 40 * 60_000) {
  return createIamPasswordAuthenticator({
    transport: createTransport({ dispatcher }),
    iamEndpoint: sim.url,
    ...IAM_USER,
    projectId: PROJECT,
    renewBeforeMs,
    now: () => clock,
    retry: fastRetry,
  });
}

function callsTo(method: string, pathIncludes: string) {
  return sim.calls.filter((c) => c.method === method && c.path.includes(pathIncludes));
}

async function expectError(p: Promise<unknown>): Promise<SecMasterError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SecMasterError);
    return err as SecMasterError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  clock = Date.now();
  sim = await startSimulator({
    projectId: PROJECT,
    timing: { stepMs: 60_000, runningMs: 0 },
    credentials: { accessKeys: { [AK]: SK }, users: [IAM_USER], staticTokens: [STATIC_TOKEN], tokenTtlMs: 24 * 3600_000 },
    now: () => clock,
  });
  dispatcher = createSecMasterDispatcher();
});

afterAll(async () => {
  await dispatcher.close();
  await sim.close();
});

beforeEach(() => {
  clock = Date.now();
  sim.calls.length = 0;
  sim.faults.clear();
  delays.length = 0;
});

function addInstance(status: string, extra: Record<string, unknown> = {}) {
  return sim.state.add(WS, { status, ...extra });
}

describe('reads and operations with a ready token', () => {
  const c = () => client(createTokenAuthenticator(STATIC_TOKEN));

  it('reads one instance, parsed, with the request ID', async () => {
    const i = addInstance('FAILED', { name: 'Brute force' });
    const answer = await c().getInstance({ workspaceId: WS, instanceId: i.id });
    expect(answer.data).toMatchObject({ id: i.id, name: 'Brute force', status: 'FAILED', playbook: { name: i.playbook.name } });
    expect(answer.requestId).toMatch(/-simulator$/);
    expect(sim.calls[0]).toMatchObject({ method: 'GET', auth: { kind: 'token' } });
  });

  it('lists with offset, limit and a status filter', async () => {
    addInstance('RUNNING');
    const failed = addInstance('FAILED');
    const answer = await c().listInstances(WS, { offset: 0, limit: 100, status: 'FAILED' });
    expect(answer.data.instances.every((i) => i.status === 'FAILED')).toBe(true);
    expect(answer.data.instances.map((i) => i.id)).toContain(failed.id);
    expect(answer.data.count).toBe(answer.data.instances.length);
    expect(sim.calls[0]!.query).toEqual({ offset: '0', limit: '100', status: 'FAILED' });
  });

  it('retries a FAILED instance once and gets the new status', async () => {
    const i = addInstance('FAILED');
    const answer = await c().operateInstance({ workspaceId: WS, instanceId: i.id }, 'RETRY');
    expect(answer.data?.status).toBe('RETRYING');
    const posts = callsTo('POST', '/operation');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ operation: 'RETRY' });
  });

  it('surfaces a refusal with the SecMaster code, message and request ID', async () => {
    const i = addInstance('RUNNING');
    const err = await expectError(c().operateInstance({ workspaceId: WS, instanceId: i.id }, 'RETRY'));
    expect(err).toMatchObject({ kind: 'http', status: 400, code: 'SecMaster.20048004' });
    expect(err.message).toMatch(/RUNNING/);
    expect(err.requestId).toMatch(/-simulator$/);
    expect(err.outcomeUnknown).toBe(false);
  });

  it('reports an unknown instance as not found (400 with a service code)', async () => {
    const err = await expectError(c().getInstance({ workspaceId: WS, instanceId: 'does-not-exist' }));
    expect(err).toMatchObject({ status: 400, code: 'SecMaster.20030005' });
    expect(err.isNotFound).toBe(true);
  });

  it('reports a wrong workspace as 403 SecMaster.20010001', async () => {
    const err = await expectError(c().getInstance({ workspaceId: 'other-ws', instanceId: 'x' }));
    expect(err).toMatchObject({ status: 403, code: 'SecMaster.20010001' });
  });

  it('percent-encodes path parameters so an ID cannot change the path', async () => {
    await expectError(c().getInstance({ workspaceId: WS, instanceId: '../x?y' }));
    expect(sim.calls[0]!.path).toBe(`/v1/${PROJECT}/workspaces/${WS}/soc/playbooks/instances/..%2Fx%3Fy`);
  });

  it('refuses a wrong token with 401 APIGW.0301 and does not repeat it', async () => {
    const err = await expectError(client(createTokenAuthenticator('wrong-token-value')).getInstance({ workspaceId: WS, instanceId: 'x' }));
    expect(err).toMatchObject({ status: 401, code: 'APIGW.0301' });
    expect(sim.calls).toHaveLength(1);
    expect(JSON.stringify(err)).not.toContain('wrong-token-value');
  });
});

describe('AK/SK signing', () => {
  it('is verified by the simulator on reads and on the operation', async () => {
    const c = client(createAkSkAuthenticator(AK, SK, PROJECT, () => new Date(clock)));
    const i = addInstance('RUNNING');
    await c.getInstance({ workspaceId: WS, instanceId: i.id });
    const answer = await c.operateInstance({ workspaceId: WS, instanceId: i.id }, 'TERMINATE');
    expect(answer.data?.status).toBe('TERMINATING');
    expect(sim.calls.map((x) => x.auth)).toEqual([
      { kind: 'aksk', principal: AK, signedHeaders: 'content-type;host;x-project-id;x-sdk-date' },
      { kind: 'aksk', principal: AK, signedHeaders: 'content-type;host;x-project-id;x-sdk-date' },
    ]);
  });

  it('signs queries too (list with filters)', async () => {
    const c = client(createAkSkAuthenticator(AK, SK, PROJECT, () => new Date(clock)));
    const answer = await c.listInstances(WS, { offset: 0, limit: 10, status: 'FAILED', name: 'a b&c' });
    expect(answer.data.instances).toBeDefined();
    expect(sim.calls[0]!.auth?.kind).toBe('aksk');
  });

  it('a wrong SK is refused once and never repeated (five bad signatures lock an AK)', async () => {
    const c = client(createAkSkAuthenticator(AK, 'not-the-secret', PROJECT, () => new Date(clock)));
    const err = await expectError(c.getInstance({ workspaceId: WS, instanceId: 'x' }));
    expect(err).toMatchObject({ status: 401, code: 'APIGW.0301' });
    expect(sim.calls).toHaveLength(1);
  });

  it('a clock more than 15 minutes off is refused with APIGW.0303', async () => {
    const c = client(createAkSkAuthenticator(AK, SK, PROJECT, () => new Date(clock - 16 * 60_000)));
    const err = await expectError(c.getInstance({ workspaceId: WS, instanceId: 'x' }));
    expect(err).toMatchObject({ status: 401, code: 'APIGW.0303' });
  });
});

describe('IAM password login', () => {
  it('logs in once for many concurrent callers and reuses the token', async () => {
    const auth = iamAuth();
    const c = client(auth);
    const i = addInstance('FAILED');
    await Promise.all(Array.from({ length: 10 }, () => c.getInstance({ workspaceId: WS, instanceId: i.id })));
    expect(auth.logins()).toBe(1);
    expect(callsTo('POST', '/v3/auth/tokens')).toHaveLength(1);
    expect(sim.calls.filter((x) => x.auth?.kind === 'iam_token')).toHaveLength(10);
  });

  it('renews well before expires_at, while the old token is still valid', async () => {
    const auth = iamAuth(40 * 60_000);
    const c = client(auth);
    const i = addInstance('FAILED');
    await c.getInstance({ workspaceId: WS, instanceId: i.id });
    clock += 23 * 3600_000; // 1 h left on a 24 h token: inside the 40-minute window? not yet.
    await c.getInstance({ workspaceId: WS, instanceId: i.id });
    expect(auth.logins()).toBe(1);
    clock += 25 * 60_000; // 35 min left: inside the renewal window
    await c.getInstance({ workspaceId: WS, instanceId: i.id });
    await new Promise((r) => setTimeout(r, 50)); // the background login completes
    expect(auth.logins()).toBe(2);
    await c.getInstance({ workspaceId: WS, instanceId: i.id });
    const logins = sim.auth.logins.slice(-2);
    expect(logins[1]!.at).toBeLessThan(logins[0]!.expiresAt);
  });

  it("after a revoked token (the public gateway's 401 APIGW.0301): one renewal, one repeat of the call, then success", async () => {
    const auth = iamAuth();
    const c = client(auth);
    const i = addInstance('FAILED');
    await c.getInstance({ workspaceId: WS, instanceId: i.id });
    sim.auth.revokeIssued();
    sim.calls.length = 0;
    const answer = await c.operateInstance({ workspaceId: WS, instanceId: i.id }, 'RETRY');
    expect(answer.data?.status).toBe('RETRYING');
    expect(auth.logins()).toBe(2);
    const operation = `/v1/${PROJECT}/workspaces/${WS}/soc/playbooks/instances/${i.id}/operation`;
    expect(sim.calls.map((x) => [x.method, x.path, x.status, x.code])).toEqual([
      ['POST', operation, 401, 'APIGW.0301'],
      ['POST', '/v3/auth/tokens', 201, undefined],
      ['POST', operation, 200, undefined],
    ]);
  });

  it("after a revoked token on a dedicated gateway (401 APIG.0301): the same renewal", async () => {
    const dedicated = await startSimulator({
      projectId: PROJECT,
      gatewayCodePrefix: 'APIG.',
      timing: { stepMs: 60_000, runningMs: 0 },
      credentials: { users: [IAM_USER], tokenTtlMs: 24 * 3600_000 },
      now: () => clock,
    });
    try {
      const auth = createIamPasswordAuthenticator({ transport: createTransport({ dispatcher }), iamEndpoint: dedicated.url, ...IAM_USER, projectId: PROJECT, now: () => clock, retry: fastRetry });
      const c = client(auth, { endpoint: dedicated.url });
      const i = dedicated.state.add(WS, { status: 'FAILED' });
      await c.getInstance({ workspaceId: WS, instanceId: i.id });
      dedicated.auth.revokeIssued();
      dedicated.calls.length = 0;
      expect((await c.getInstance({ workspaceId: WS, instanceId: i.id })).data.id).toBe(i.id);
      expect(dedicated.calls.map((x) => [x.method, x.status, x.code])).toEqual([
        ['GET', 401, 'APIG.0301'],
        ['POST', 201, undefined],
        ['GET', 200, undefined],
      ]);
      expect(auth.logins()).toBe(2);
    } finally {
      await dedicated.close();
    }
  });

  it('does not loop when the renewed token is refused too', async () => {
    const auth = iamAuth();
    const c = client(auth);
    await c.getInstance({ workspaceId: WS, instanceId: addInstance('FAILED').id });
    sim.faults.add({ fault: { kind: 'status', status: 401, code: 'APIG.0301' }, when: 'before', pathIncludes: '/instances' });
    const err = await expectError(c.getInstance({ workspaceId: WS, instanceId: 'x' }));
    expect(err.status).toBe(401);
    expect(callsTo('GET', '/instances')).toHaveLength(3); // the first read, the refused one, one repeat
  });

  it('a wrong password is an error without the password in it', async () => {
    const auth = createIamPasswordAuthenticator({ transport: createTransport({ dispatcher }), iamEndpoint: sim.url, ...IAM_USER, password: 'Wr0ng-Passw0rd', projectId: PROJECT, retry: fastRetry });
    const err = await expectError(client(auth).getInstance({ workspaceId: WS, instanceId: 'x' }));
    expect(err).toMatchObject({ status: 401, call: 'POST /v3/auth/tokens' });
    expect(JSON.stringify(err)).not.toContain('Wr0ng-Passw0rd');
    expect(err.stack).not.toContain('Wr0ng-Passw0rd');
  });
});

describe('faults', () => {
  const c = () => client(createTokenAuthenticator(STATIC_TOKEN));

  it('retries a read after 503s and succeeds', async () => {
    const i = addInstance('FAILED');
    sim.faults.add({ fault: { kind: 'status', status: 503 }, when: 'before', method: 'GET', times: 2 });
    const answer = await c().getInstance({ workspaceId: WS, instanceId: i.id });
    expect(answer.data.id).toBe(i.id);
    expect(sim.calls.map((x) => x.status)).toEqual([503, 503, 200]);
  });

  it('honours Retry-After on a 429', async () => {
    const i = addInstance('FAILED');
    sim.faults.add({ fault: { kind: 'status', status: 429, retryAfterS: 2 }, when: 'before', method: 'GET', times: 1 });
    await c().getInstance({ workspaceId: WS, instanceId: i.id });
    expect(delays[0]).toBeGreaterThanOrEqual(2000);
    expect(sim.calls.map((x) => x.status)).toEqual([429, 200]);
  });

  it('gives up on a Retry-After longer than the budget and says when to come back', async () => {
    sim.faults.add({ fault: { kind: 'status', status: 429, retryAfterS: 60 }, when: 'before', method: 'GET', times: 1 });
    const err = await expectError(c().getInstance({ workspaceId: WS, instanceId: 'x' }));
    expect(err).toMatchObject({ status: 429, code: 'APIGW.0308', retryAfterMs: 60_000 });
    expect(sim.calls).toHaveLength(1);
  });

  it('retries a read after a dropped connection', async () => {
    const i = addInstance('FAILED');
    sim.faults.add({ fault: { kind: 'drop' }, when: 'before', method: 'GET', times: 1 });
    const answer = await c().getInstance({ workspaceId: WS, instanceId: i.id });
    expect(answer.data.id).toBe(i.id);
    expect(sim.calls).toHaveLength(2);
  });

  it('never repeats the operation after a 5xx, even though it took effect', async () => {
    const i = addInstance('FAILED');
    sim.faults.add({ fault: { kind: 'status', status: 502 }, when: 'after', method: 'POST', times: 1 });
    const err = await expectError(c().operateInstance({ workspaceId: WS, instanceId: i.id }, 'RETRY'));
    expect(err).toMatchObject({ status: 502 });
    expect(err.outcomeUnknown).toBe(true);
    expect(callsTo('POST', '/operation')).toHaveLength(1);
    expect(sim.state.get(WS, i.id)!.status).toBe('RETRYING');
  });

  it('never repeats the operation after its answer is lost', async () => {
    const i = addInstance('RUNNING');
    sim.faults.add({ fault: { kind: 'drop' }, when: 'after', method: 'POST', times: 1 });
    const err = await expectError(c().operateInstance({ workspaceId: WS, instanceId: i.id }, 'TERMINATE'));
    expect(err.kind).toBe('network');
    expect(err.outcomeUnknown).toBe(true);
    expect(callsTo('POST', '/operation')).toHaveLength(1);
    expect(sim.state.get(WS, i.id)!.status).toBe('TERMINATING');
  });

  it('never repeats the operation after a 429 either', async () => {
    const i = addInstance('FAILED');
    sim.faults.add({ fault: { kind: 'status', status: 429, retryAfterS: 1 }, when: 'before', method: 'POST', times: 1 });
    const err = await expectError(c().operateInstance({ workspaceId: WS, instanceId: i.id }, 'RETRY'));
    expect(err.status).toBe(429);
    expect(callsTo('POST', '/operation')).toHaveLength(1);
    expect(sim.state.get(WS, i.id)!.status).toBe('FAILED');
  });

  it('times out a slow answer instead of waiting for ever', async () => {
    const timeouts = { ...DEFAULT_TIMEOUTS, headersTimeoutMs: 200, bodyTimeoutMs: 200 };
    const i = addInstance('FAILED');
    sim.faults.add({ fault: { kind: 'latency', ms: 1000 }, when: 'before', method: 'POST', times: 1 });
    const err = await expectError(client(createTokenAuthenticator(STATIC_TOKEN), { timeouts }).operateInstance({ workspaceId: WS, instanceId: i.id }, 'RETRY'));
    expect(err.kind).toBe('network');
    expect(err.code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('retries even the operation when the connection was refused (it never left)', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await expectError(
      client(createTokenAuthenticator(STATIC_TOKEN), { endpoint: `http://127.0.0.1:${port}` }).operateInstance({ workspaceId: WS, instanceId: 'x' }, 'RETRY'),
    );
    expect(err).toMatchObject({ kind: 'connect', code: 'ECONNREFUSED' });
    expect(err.outcomeUnknown).toBe(false);
    expect(delays.length).toBe(DEFAULT_RETRY_POLICY.maxAttempts - 1);
  });

  it('rejects an answer that is not an instance as invalid_response', async () => {
    const odd = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'rid-odd' });
      res.end('{"id": 42}');
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
    const err = await expectError(client(createTokenAuthenticator(STATIC_TOKEN), { endpoint: url }).getInstance({ workspaceId: WS, instanceId: 'x' }));
    expect(err).toMatchObject({ kind: 'invalid_response', requestId: 'rid-odd' });
    await new Promise<void>((r) => odd.close(() => r()));
  });
});

describe('action log calls', () => {
  it("lists an instance's action rows (parent_instance_id) and its topology", async () => {
    const c = client(createTokenAuthenticator(STATIC_TOKEN));
    const i = addInstance('FAILED', { failure_reason: 'WAF quota exceeded' });
    const logs = await c.listAuditLogs(WS, { parent_instance_id: i.id }, { offset: 0, limit: 50 });
    expect(logs.data.logs.some((l) => l.status === 'FAILED' && l.error_msg === 'WAF quota exceeded')).toBe(true);
    expect(logs.data.logs.every((l) => l.instance_type === 'AOP_WORKFLOW')).toBe(true);
    const topo = await c.getTopology({ workspaceId: WS, instanceId: i.id });
    expect(topo.data.action_instances.length).toBeGreaterThan(0);
    expect(callsTo('POST', '/auditlogs')[0]).toMatchObject({ body: { parent_instance_id: i.id }, query: { offset: '0', limit: '50', sort_key: 'start_time', sort_dir: 'asc' } });
  });

  it('a limit outside 10–50 is refused by the service, and the refusal reaches the caller', async () => {
    const c = client(createTokenAuthenticator(STATIC_TOKEN));
    const err = await expectError(c.listAuditLogs(WS, { parent_instance_id: 'x' }, { offset: 0, limit: 100 }));
    expect(err).toMatchObject({ kind: 'http', status: 400 });
    expect(err.code).toMatch(/^SecMaster\./);
  });
});

describe('User-Agent', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { name: string; version: string };

  it('names the bot and its version on every SecMaster and IAM call', async () => {
    const auth = iamAuth();
    const c = client(auth);
    const i = addInstance('FAILED');
    await c.getInstance({ workspaceId: WS, instanceId: i.id });
    await c.listInstances(WS, { offset: 0, limit: 10 });
    await c.operateInstance({ workspaceId: WS, instanceId: i.id }, 'RETRY');
    expect(sim.calls.map((x) => x.path)).toContain('/v3/auth/tokens');
    expect(sim.calls.length).toBe(4);
    for (const call of sim.calls) expect(call.userAgent).toMatch(new RegExp(`^${pkg.name}/${pkg.version.replace(/\./g, '\\.')} \\(node v\\d+`));
  });
});
