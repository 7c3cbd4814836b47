import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startSandbox, type Sandbox } from '../../src/sandboxBot';

/**
 * The sandbox's routes sign requests as any demo user, the lead included, so a web page elsewhere
 * must not be able to use them through a visitor's browser: not by a cross-site POST (a form or
 * `no-cors` fetch sends `text/plain` with the attacker's `Origin`), not by DNS rebinding (the
 * attacker's name re-pointed at 127.0.0.1: `Host` and `Origin` both name the attacker). Each attack
 * below is what such a page can send; none may reach SecMaster.
 */
let sandbox: Sandbox;
let dataDir: string;
let port: number;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-guard-'));
  sandbox = await startSandbox({ port: 0, logLevel: 'warn', dataDir, logStream: new Writable({ write: (_c, _e, done) => done() }) });
  port = sandbox.bot.port;
});

afterAll(async () => {
  await sandbox?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A request with exactly these headers (node:http, since fetch will not let a caller set `Host`). */
function send(method: string, pathname: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = { raw: text.slice(0, 100) };
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const self = () => ({ host: `localhost:${port}`, origin: `http://localhost:${port}` });
const running = () => sandbox.simulator.state.list('sandbox-workspace').find((i) => i.status === 'RUNNING')!;
const operations = () => sandbox.simulator.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/operation')).length;
const terminateAsLead = (id: string) => JSON.stringify({ user: 'U0LEAD', channel: 'C0INCIDENT', text: `/playbook terminate ${id}` });

// Headers are built per test: the port is only known once the sandbox runs.
test.each<[string, (port: number) => Record<string, string>]>([
  ['a cross-site form post (text/plain, foreign Origin)', (p) => ({ host: `localhost:${p}`, origin: 'http://evil.example', 'content-type': 'text/plain' })],
  ['a cross-site JSON post (foreign Origin)', (p) => ({ host: `localhost:${p}`, origin: 'http://evil.example', 'content-type': 'application/json' })],
  ['same Host but a foreign Origin with the same port', (p) => ({ host: `localhost:${p}`, origin: `http://evil.example:${p}`, 'content-type': 'application/json' })],
  ['an Origin on another port of this machine', (p) => ({ host: `localhost:${p}`, origin: `http://localhost:${p + 1}`, 'content-type': 'application/json' })],
  ['no Origin at all', (p) => ({ host: `localhost:${p}`, 'content-type': 'application/json' })],
  ['DNS rebinding (Host and Origin both name the attacker)', (p) => ({ host: `evil.example:${p}`, origin: `http://evil.example:${p}`, 'content-type': 'application/json' })],
  ['a Host that only starts with localhost', (p) => ({ host: `localhost.evil.example:${p}`, origin: `http://localhost.evil.example:${p}`, 'content-type': 'application/json' })],
  ['same origin, but a form body instead of JSON', (p) => ({ host: `localhost:${p}`, origin: `http://localhost:${p}`, 'content-type': 'application/x-www-form-urlencoded' })],
  ['same origin, but text/plain', (p) => ({ host: `localhost:${p}`, origin: `http://localhost:${p}`, 'content-type': 'text/plain;charset=UTF-8' })],
])('%s cannot make the lead terminate: refused, nothing reaches SecMaster', async (_label, headersFor) => {
  const target = running();
  const before = operations();
  const res = await send('POST', '/sandbox/api/command', headersFor(port), terminateAsLead(target.id));
  expect([403, 415]).toContain(res.status);
  expect(res.json.ok).toBe(false);
  await new Promise((r) => setTimeout(r, 300));
  expect(operations()).toBe(before);
  expect(sandbox.simulator.state.get('sandbox-workspace', target.id)!.status).toBe('RUNNING');
});

test.each(['/sandbox/api/action', '/sandbox/api/alert', '/sandbox/api/smn-alert', '/sandbox/api/home', '/sandbox/api/reset', '/sandbox/api/workflow-step'])('%s: a foreign Origin is refused before the body is read', async (route) => {
  const res = await send('POST', route, { ...self(), origin: 'http://evil.example', 'content-type': 'application/json' }, '{}');
  expect(res.status).toBe(403);
  expect(res.json.error).toBe('cross_origin');
});

test.each(['/sandbox', '/sandbox/assets/page.js', '/sandbox/api/state?user=U0LEAD'])('GET %s under a rebound name (Host: evil.example) → 403, nothing of the sandbox shown', async (route) => {
  const res = await send('GET', route, { host: `evil.example:${port}` });
  expect(res.status).toBe(403);
  expect(res.json.error).toBe('forbidden_host');
});

test('the page itself still works: same origin, loopback Host, JSON (localhost, 127.0.0.1 and [::1])', async () => {
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
    const res = await send('POST', '/sandbox/api/command', { host, origin: `http://${host}`, 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ user: 'U0RESPONDER', channel: 'C0INCIDENT', text: '/playbook help' }));
    expect(res).toEqual({ status: 200, json: { ok: true, status: 200 } });
    expect((await send('GET', '/sandbox/api/state?user=U0RESPONDER', { host })).status).toBe(200);
  }
  // And the lead, asking from the page, does terminate.
  const target = running();
  const before = operations();
  const res = await send('POST', '/sandbox/api/command', { ...self(), 'content-type': 'application/json' }, terminateAsLead(target.id));
  expect(res.status).toBe(200);
  await waitUntil(() => operations() === before + 1);
});

test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('GET /sandbox/assets/%s → 404, not a 500 from a name found on Object', async (name) => {
  const res = await send('GET', `/sandbox/assets/${name}`, { host: `localhost:${port}` });
  expect(res.status).toBe(404);
});

describe('POST /sandbox/api/reset', () => {
  const snapshot = () => sandbox.simulator.state.list('sandbox-workspace').map((i) => `${i.id} ${i.status}`).sort();

  test.each<[string, (port: number) => Record<string, string>]>([
    ['a cross-site form post', (p) => ({ host: `localhost:${p}`, origin: 'http://evil.example', 'content-type': 'text/plain' })],
    ['DNS rebinding', (p) => ({ host: `evil.example:${p}`, origin: `http://evil.example:${p}`, 'content-type': 'application/json' })],
    ['same origin, but text/plain', (p) => ({ host: `localhost:${p}`, origin: `http://localhost:${p}`, 'content-type': 'text/plain' })],
  ])('%s cannot reset the sandbox: refused, nothing changes', async (_label, headersFor) => {
    const added = sandbox.simulator.state.add('sandbox-workspace', { name: 'must survive a refused reset', status: 'FAILED' });
    const before = snapshot();
    const res = await send('POST', '/sandbox/api/reset', headersFor(port), '{}');
    expect([403, 415]).toContain(res.status);
    expect(snapshot()).toEqual(before);
    expect(sandbox.simulator.state.get('sandbox-workspace', added.id)).toBeDefined();
  });

  test('a body with anything in it is a 400 naming the problem, and changes nothing', async () => {
    const before = snapshot();
    const res = await send('POST', '/sandbox/api/reset', { ...self(), 'content-type': 'application/json' }, '{"everything":true}');
    expect(res.status).toBe(400);
    expect(String(res.json.error)).toContain('everything');
    expect(snapshot()).toEqual(before);
  });

  test('from the page: the seeds are back, as the sandbox started them, and added instances are gone', async () => {
    const target = running();
    sandbox.simulator.state.operate('sandbox-workspace', target.id, 'TERMINATE');
    const added = sandbox.simulator.state.add('sandbox-workspace', { name: 'added after start', status: 'FAILED' });
    const res = await send('POST', '/sandbox/api/reset', { ...self(), 'content-type': 'application/json' }, '{}');
    expect(res).toEqual({ status: 200, json: { ok: true, instances: 12 } });
    expect(sandbox.simulator.state.get('sandbox-workspace', added.id)).toBeUndefined();
    expect(sandbox.simulator.state.get('sandbox-workspace', target.id)!.status).toBe('RUNNING');
    const statuses = sandbox.simulator.state.list('sandbox-workspace').map((i) => i.status);
    expect([...new Set(statuses)].sort()).toEqual(['FAILED', 'FINISHED', 'RETRYING', 'RUNNING', 'TERMINATED', 'TERMINATING']);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
