import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenAuthenticator } from '../../src/secmaster/auth/tokenAuth';
import { createSecMasterClient } from '../../src/secmaster/client';
import { createSecMasterTransport } from '../../src/secmaster/layers';
import { SecMasterError } from '../../src/secmaster/errors';
import { DEFAULT_RETRY_POLICY } from '../../src/secmaster/retry';
import { sendWithRetry } from '../../src/secmaster/send';
import { createSecMasterDispatcher, createTransport, DEFAULT_TIMEOUTS, TransportError, type HttpRequest, type Transport } from '../../src/secmaster/transport';

/**
 * Every SecMaster call is bounded in all, headers and body (issue 15, point 2): undici's body timeout
 * restarts on every chunk, so a server that trickles a byte now and then held a call (and the lock
 * around it) for as long as it liked. Each test here would hang without the bound.
 */
let server: http.Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    // Headers at once, then one byte of a never-ending JSON body every 50 ms: the body timeout never trips.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"id":"');
    const t = setInterval(() => res.write('x'), 50);
    res.on('close', () => clearInterval(t));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  hits.length = 0;
});

const dispatcher = createSecMasterDispatcher();
afterAll(() => dispatcher.close());

test('the transport ends a request whose body trickles past requestTimeoutMs, as sent (its outcome unknown)', async () => {
  const transport = createTransport({ dispatcher, timeouts: { ...DEFAULT_TIMEOUTS, requestTimeoutMs: 300 } });
  const err = await transport({ method: 'GET', url: new URL(`${base}/slow`), headers: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TransportError);
  expect(err).toMatchObject({ code: 'REQUEST_TIMEOUT', sent: true });
});

test('sendWithRetry ends the whole sequence at its deadline, even while every attempt is still within its own bound', async () => {
  const transport = createTransport({ dispatcher });
  const policy = { ...DEFAULT_RETRY_POLICY, deadlineMs: 400, sleep: async () => undefined };
  const prepare = async (): Promise<HttpRequest> => ({ method: 'GET', url: new URL(`${base}/slow`), headers: {} });
  const err = await sendWithRetry(transport, prepare, { call: 'GET /slow', idempotent: true, policy }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SecMasterError);
  expect((err as SecMasterError).kind).toBe('network');
  expect(hits).toHaveLength(1);
});

test('a credential that takes longer than the deadline fails the call unsent', async () => {
  let sent = 0;
  const transport: Transport = async () => {
    sent++;
    return { status: 200, headers: {}, body: '{}' };
  };
  const policy = { ...DEFAULT_RETRY_POLICY, deadlineMs: 100 };
  const slowLogin = new Promise<HttpRequest>(() => undefined);
  const err = (await sendWithRetry(transport, () => slowLogin, { call: 'GET /x', idempotent: true, policy }).catch((e: unknown) => e)) as SecMasterError;
  expect(err).toBeInstanceOf(SecMasterError);
  expect({ kind: err.kind, outcomeUnknown: err.outcomeUnknown }).toEqual({ kind: 'connect', outcomeUnknown: false });
  expect(sent).toBe(0);
});

test('an operation POST whose answer trickles ends at the deadline with its outcome unknown, sent once', async () => {
  const client = createSecMasterClient({
    endpoint: base,
    projectId: 'p',
    transport: createSecMasterTransport({ http: createTransport({ dispatcher, timeouts: { ...DEFAULT_TIMEOUTS, requestTimeoutMs: 300 } }), auth: createTokenAuthenticator('token-0123456789') }),
  });
  const err = (await client.operateInstance({ workspaceId: 'w', instanceId: 'i' }, 'RETRY').catch((e: unknown) => e)) as SecMasterError;
  expect(err).toBeInstanceOf(SecMasterError);
  expect(err.outcomeUnknown).toBe(true);
  expect(hits.filter((h) => h.startsWith('POST'))).toHaveLength(1);
});
