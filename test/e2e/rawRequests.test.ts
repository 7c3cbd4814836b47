import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { botEnv, DEFAULT_POLICY, PROJECT, SECRETS, STANDARD_CHANNELS, TEAM, WS } from './harness';
import { spawnBot, unhandledRejectionLines, type BotProcess } from './processes';

/**
 * Requests of any shape, unauthenticated, written byte for byte on a raw socket to the built bot
 * running as its own process: whatever the request line and headers say, the process stays up, a
 * request it cannot parse gets a 4xx (never a 5xx), and `/healthz` answers afterwards.
 */
let sim: Simulator;
let slack: SlackStandIn;
let bot: BotProcess;
let port: number;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'playbook-raw-'));
  writeFileSync(path.join(dir, 'policy.yml'), DEFAULT_POLICY);
  sim = await startSimulator({ projectId: PROJECT, credentials: { staticTokens: [SECRETS.secmasterToken] } });
  sim.state.addWorkspace(WS);
  slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: STANDARD_CHANNELS, usergroups: { S0SOC: [] } });
  bot = spawnBot(
    botEnv(
      { slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile: path.join(dir, 'policy.yml'), databaseUrl: `sqlite:${path.join(dir, 'bot.sqlite')}` },
      { ALERT_WEBHOOK_TOKEN: SECRETS.alert },
    ),
  );
  port = await bot.port();
});

afterAll(async () => {
  if (bot && bot.child.exitCode === null) {
    bot.child.kill('SIGTERM');
    await bot.exited;
  }
  await slack?.close();
  await sim?.close();
});

/** Writes `bytes` on a fresh connection, half-closes it, and collects what comes back until the server closes. */
function raw(bytes: string, timeoutMs = 5000): Promise<{ status?: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within ${timeoutMs} ms for ${JSON.stringify(bytes.slice(0, 200))}`));
    }, timeoutMs);
    socket.on('connect', () => socket.end(Buffer.from(bytes, 'latin1')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    // A reset is the server refusing the bytes: an answer of its own kind, not a failure.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const answer = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
      resolve({ status: m ? Number(m[1]) : undefined, answer });
    });
  });
}

async function alive(): Promise<void> {
  expect(bot.child.exitCode).toBeNull();
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
}

const request = (method: string, target: string, headers: Array<[string, string]> = [], body = '') =>
  `${method} ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;

test.each([
  ['GET', '//'],
  ['GET', '///'],
  ['GET', '//['],
  ['GET', 'http://'],
  ['POST', '//'],
  ['GET', 'http://['],
  ['GET', '//:99999'],
  ['POST', 'http://'],
])('%s %s: no URL can be made of the target → 400, and the process stays up', async (method, target) => {
  const { status, answer } = await raw(request(method, target));
  expect(status).toBe(400);
  expect(answer).toContain('"error":"bad_request"');
  await alive();
});

test('an absolute-form target naming a route is served like its path', async () => {
  const { status, answer } = await raw(request('GET', 'http://anything.example/healthz'));
  expect(status).toBe(200);
  expect(answer).toContain('{"status":"ok"}');
});

const token = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_!#$%&\'*+.^`|~'.split('')), minLength: 1, maxLength: 20 });
const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 60 });
const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
const routes = ['/', '/healthz', '/readyz', '/metrics', '/alerts', '/smn', '/slack/events', '/sandbox', '/sandbox/assets/constructor', '/nope'];

const method = fc.oneof({ arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PROPFIND'), weight: 8 }, { arbitrary: token, weight: 1 });
const target = fc.oneof(
  { arbitrary: fc.constantFrom(...routes), weight: 4 },
  fc.constantFrom('//', '///', '//[', 'http://', 'https://', 'http://[', 'http://[::1', '//a:b@', '//:99999', '*', '/%', '/%zz', '/?q=%', '/..', '/\\', ...routes),
  fc.constantFrom(...routes).chain((r) => printable.map((tail) => `${r}${tail}`)),
  { arbitrary: printable.map((t) => `/${t}`), weight: 2 },
  printable.map((t) => `//${t}`),
  printable.map((t) => `http://${t}`),
  printable,
  latin1,
);
// Mostly well-formed, so most requests get past Node's parser to the bot's own routing.
const version = fc.oneof({ arbitrary: fc.constant('HTTP/1.1'), weight: 8 }, { arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1', 'http/1.1', ''), weight: 1 });
const header = fc.oneof(
  { arbitrary: fc.tuple(token, printable), weight: 3 },
  { arbitrary: fc.tuple(token, latin1), weight: 1 },
  {
    weight: 3,
    arbitrary: fc.tuple(
    fc.constantFrom('host', 'content-length', 'transfer-encoding', 'content-type', 'expect', 'connection', 'upgrade', 'x-slack-signature', 'x-slack-request-timestamp', 'authorization', 'origin', 'x-slack-retry-num'),
    fc.oneof({ arbitrary: latin1, weight: 1 }, { arbitrary: printable, weight: 2 }, { weight: 4, arbitrary: fc.constantFrom('', '0', '-1', 'abc', '99999999999999999999', 'chunked', 'gzip, chunked', '100-continue', 'upgrade', 'websocket', 'application/json', 'application/x-www-form-urlencoded', 'v0=00', 'Bearer x', '[::1]', 'localhost:99999') }),
    ),
  },
);
const anyRequest = fc.record({
  method,
  target,
  version,
  host: fc.oneof(
    { arbitrary: fc.constantFrom('127.0.0.1', 'localhost'), weight: 8 },
    { arbitrary: fc.oneof(printable, fc.constantFrom('[', 'a b', '', 'localhost:99999')), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  ),
  headers: fc.array(header, { maxLength: 4 }),
  body: fc.oneof(fc.constant(''), latin1, fc.constantFrom('null', '{}', '[]', 'payload=null', 'a'.repeat(70_000))),
  /** Most bodies are declared with their length, so they are read as this request's body, not as the next request. */
  declareLength: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
  lineEnd: fc.oneof({ arbitrary: fc.constant('\r\n'), weight: 15 }, { arbitrary: fc.constant('\n'), weight: 1 }),
});

test('any request line and headers on a raw socket: the process stays up, never a 5xx, /healthz answers after each', async () => {
  const seen = new Map<number | 'none', number>();
  await fc.assert(
    fc.asyncProperty(anyRequest, async (r) => {
      const e = r.lineEnd;
      const length = r.body && r.declareLength ? [`content-length: ${Buffer.byteLength(r.body, 'latin1')}`] : [];
      const lines = [`${r.method} ${r.target} ${r.version}`.trimEnd(), ...(r.host === undefined ? [] : [`host: ${r.host}`]), ...r.headers.map(([k, v]) => `${k}: ${v}`), ...length];
      const { status } = await raw(`${lines.join(e)}${e}${e}${r.body}`);
      seen.set(status ?? 'none', (seen.get(status ?? 'none') ?? 0) + 1);
      if (status !== undefined) expect(status).toBeLessThan(500);
      await alive();
    }),
    { numRuns: 300 },
  );
  console.log('answers by status over 300 arbitrary requests:', Object.fromEntries(seen));
  expect(unhandledRejectionLines(bot)).toEqual([]);
  expect(bot.stdout.filter((l) => l.includes('"level":"error"'))).toEqual([]);
}, 180_000);
