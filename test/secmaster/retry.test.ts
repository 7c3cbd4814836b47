import fc from 'fast-check';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  isRetryable,
  nextDelayMs,
  parseRetryAfterMs,
  type AttemptResult,
  type RetryPolicy,
} from '../../src/secmaster/retry';
import { errorFromResponse, isAuthRejection, sendWithRetry } from '../../src/secmaster/send';
import { SecMasterError } from '../../src/secmaster/errors';
import { TransportError, type HttpRequest, type HttpResponse } from '../../src/secmaster/transport';

const NOW = Date.parse('2025-01-01T00:00:00.000Z');

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    maxAttempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    budgetMs: 10_000,
    random: () => 0.5,
    sleep: async () => {},
    now: () => NOW,
    ...overrides,
  };
}

describe('backoffDelayMs (full jitter)', () => {
  it.each([
    { retry: 0, random: 0, expected: 0 },
    { retry: 0, random: 0.5, expected: 50 },
    { retry: 0, random: 0.999999, expected: 100 },
    { retry: 1, random: 0.5, expected: 100 },
    { retry: 2, random: 0.5, expected: 200 },
    { retry: 3, random: 0.5, expected: 400 },
    { retry: 3, random: 0.999999, expected: 800 },
    { retry: 4, random: 0.5, expected: 500 }, // base·2^4 = 1600 capped at 1000
    { retry: 4, random: 0.999999, expected: 1000 },
    { retry: 10, random: 0.25, expected: 250 },
    { retry: 60, random: 0.999999, expected: 1000 },
  ])('retry $retry with random()=$random → $expected ms', ({ retry, random, expected }) => {
    expect(backoffDelayMs(retry, { baseDelayMs: 100, maxDelayMs: 1000, random: () => random })).toBe(expected);
  });

  it('stays within [0, min(max, base·2^n)] for any random in [0, 1)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        (retry, r, base, max) => {
          const delay = backoffDelayMs(retry, { baseDelayMs: base, maxDelayMs: max, random: () => r });
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(max, base * 2 ** retry));
        },
      ),
    );
  });

  it('the default policy retries a few times inside a budget well under 15 s', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThan(1);
    expect(DEFAULT_RETRY_POLICY.baseDelayMs).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxDelayMs);
    expect(DEFAULT_RETRY_POLICY.budgetMs).toBeLessThan(15_000);
  });
});

describe('parseRetryAfterMs', () => {
  it.each([
    { value: '0', expected: 0 },
    { value: '1', expected: 1_000 },
    { value: '120', expected: 120_000 },
    { value: ' 3 ', expected: 3_000 },
    { value: '1.5', expected: 1_500 },
    { value: '0.25', expected: 250 },
    { value: '0.0004', expected: 0 },
  ])('seconds "$value" → $expected ms', ({ value, expected }) => {
    expect(parseRetryAfterMs(value, NOW)).toBe(expected);
  });

  it.each([
    { value: 'Wed, 01 Jan 2025 00:00:30 GMT', expected: 30_000 },
    { value: 'Wed, 01 Jan 2025 00:02:00 GMT', expected: 120_000 },
    { value: 'Wed, 01 Jan 2025 00:00:00 GMT', expected: 0 },
    { value: 'Tue, 31 Dec 2024 23:59:00 GMT', expected: 0 }, // in the past: retry now, never negative
    { value: 'Wednesday, 01-Jan-25 00:00:10 GMT', expected: 10_000 }, // RFC 850 form
  ])('HTTP date "$value" → $expected ms', ({ value, expected }) => {
    expect(parseRetryAfterMs(value, NOW)).toBe(expected);
  });

  it.each([undefined, '', '   ', 'soon', 'abc', 'NaN', 'Infinity', '1e3', '0x10', 'seconds'])('unreadable %p → undefined', (value) => {
    expect(parseRetryAfterMs(value, NOW)).toBeUndefined();
  });

  it('measures an HTTP date from the real clock when no time is given', () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    const ms = parseRetryAfterMs(inAMinute);
    expect(ms).toBeGreaterThan(55_000);
    expect(ms).toBeLessThanOrEqual(60_000);
  });

  /*
   * BUG (minor, src/secmaster/retry.ts parseRetryAfterMs): anything that is not plain seconds is
   * handed to Date.parse, and V8's lenient parser turns garbage that contains a digit into a date
   * in 2001 — "-1", "+1", "1,2", "tomorrow 1", "1 2" — so they come back as 0 ms instead of
   * undefined ("undefined when absent or unreadable"). In retries 0 behaves like "no header", but an
   * error built by errorFromResponse then carries retryAfterMs 0 for a header nobody can read.
   * Expected: undefined for each of these.
   */
  it.each(['-1', '+1', '1,2', 'tomorrow 1', '1 2'])('garbage with a digit %p → undefined', (value) => {
    expect(parseRetryAfterMs(value, NOW)).toBeUndefined();
  });
});

describe('isRetryable', () => {
  const status = (s: number): AttemptResult => ({ kind: 'status', status: s });

  it.each([429, 500, 502, 503, 504])('idempotent read answered %i is retried', (s) => {
    expect(isRetryable(status(s), true)).toBe(true);
  });

  it.each([400, 401, 403, 404, 405, 409, 413, 422, 501, 505, 301])('idempotent read answered %i is not retried', (s) => {
    expect(isRetryable(status(s), true)).toBe(false);
  });

  it.each([
    { sent: true, expected: true },
    { sent: false, expected: true },
  ])('idempotent read with a transport error (sent=$sent) is retried', ({ sent, expected }) => {
    expect(isRetryable({ kind: 'transport', sent }, true)).toBe(expected);
  });

  it.each([429, 500, 502, 503, 504, 400, 401, 403, 404])('non-idempotent call answered %i is never retried', (s) => {
    expect(isRetryable(status(s), false)).toBe(false);
    expect(isRetryable({ kind: 'status', status: s, retryAfterMs: 0 }, false)).toBe(false);
  });

  it.each([
    { sent: false, expected: true },
    { sent: true, expected: false },
  ])('non-idempotent call with a transport error sent=$sent → retried: $expected', ({ sent, expected }) => {
    expect(isRetryable({ kind: 'transport', sent }, false)).toBe(expected);
  });
});

describe('nextDelayMs', () => {
  const s503: AttemptResult = { kind: 'status', status: 503 };

  it.each([
    { attempt: 1, expected: 50 },
    { attempt: 2, expected: 100 },
    { attempt: 3, expected: 200 },
    { attempt: 4, expected: undefined },
    { attempt: 5, expected: undefined },
  ])('after attempt $attempt of 4 → $expected', ({ attempt, expected }) => {
    expect(nextDelayMs(s503, attempt, NOW, policy())).toBe(expected);
  });

  it('maxAttempts 1 never retries', () => {
    expect(nextDelayMs(s503, 1, NOW, policy({ maxAttempts: 1 }))).toBeUndefined();
  });

  it.each([
    { retryAfterMs: 3_000, expected: 3_000 },
    { retryAfterMs: 5_000, expected: 5_000 }, // more than maxDelayMs: the server's word wins
    { retryAfterMs: 10, expected: 50 }, // shorter than the jitter: the jitter wins
    { retryAfterMs: 0, expected: 50 },
    { retryAfterMs: 10_000, expected: 10_000 }, // exactly the budget
    { retryAfterMs: 10_001, expected: undefined }, // would outlast the budget
    { retryAfterMs: 60_000, expected: undefined },
  ])('Retry-After $retryAfterMs ms → $expected', ({ retryAfterMs, expected }) => {
    expect(nextDelayMs({ kind: 'status', status: 429, retryAfterMs }, 1, NOW, policy())).toBe(expected);
  });

  it.each([
    { elapsed: 0, expected: 50 },
    { elapsed: 9_950, expected: 50 }, // lands exactly on the budget
    { elapsed: 9_951, expected: undefined },
    { elapsed: 20_000, expected: undefined },
  ])('$elapsed ms already spent of a 10 s budget → $expected', ({ elapsed, expected }) => {
    expect(nextDelayMs(s503, 1, NOW, policy({ now: () => NOW + elapsed }))).toBe(expected);
  });

  it('transport failures get the plain backoff', () => {
    expect(nextDelayMs({ kind: 'transport', sent: true }, 2, NOW, policy())).toBe(100);
  });

  it('uses the policy random source for jitter', () => {
    expect(nextDelayMs(s503, 3, NOW, policy({ random: () => 0 }))).toBe(0);
    expect(nextDelayMs(s503, 3, NOW, policy({ random: () => 0.75 }))).toBe(300);
  });
});

// ---------------------------------------------------------------------------------------------

type Step = { status: number; headers?: Record<string, string>; body?: string } | TransportError | Error;

/** A transport that plays a script, one step per attempt, and keeps every request it saw. */
function scripted(steps: Step[]) {
  const requests: HttpRequest[] = [];
  const transport = async (req: HttpRequest): Promise<HttpResponse> => {
    requests.push(req);
    const step = steps[Math.min(requests.length - 1, steps.length - 1)];
    if (step === undefined) throw new Error('empty script');
    if (step instanceof Error) throw step;
    return { status: step.status, headers: step.headers ?? {}, body: step.body ?? '' };
  };
  return { transport, requests };
}

function sleeper() {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

const URL_ONE = new URL('https://secmaster.example.test/v1/p/workspaces/w/soc/playbooks/instances/i-1');
const READ = 'GET /v1/{project_id}/workspaces/{workspace_id}/soc/playbooks/instances/{instance_id}';
const OPERATE = 'POST /v1/{project_id}/workspaces/{workspace_id}/soc/playbooks/instances/{instance_id}/operation';

let prepared = 0;
async function prepareGet(): Promise<HttpRequest> {
  prepared++;
  return { method: 'GET', url: URL_ONE, headers: { 'x-attempt': String(prepared) } };
}
async function preparePost(): Promise<HttpRequest> {
  prepared++;
  return { method: 'POST', url: new URL(`${URL_ONE.href}/operation`), headers: { 'x-attempt': String(prepared) }, body: '{"operation":"RETRY"}' };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('sendWithRetry', () => {
  beforeEach(() => {
    prepared = 0;
  });

  it('retries a read answered 503 and returns the success', async () => {
    const { transport, requests } = scripted([{ status: 503 }, { status: 200, body: '{"ok":true}' }]);
    const { sleeps, sleep } = sleeper();
    const res = await sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy({ sleep }) });
    expect(res).toEqual({ status: 200, headers: {}, body: '{"ok":true}' });
    expect(requests).toHaveLength(2);
    expect(sleeps).toEqual([50]);
  });

  it('prepares a fresh request for every attempt', async () => {
    const { transport, requests } = scripted([{ status: 502 }, { status: 504 }, { status: 200 }]);
    await sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy() });
    expect(requests.map((r) => r.headers['x-attempt'])).toEqual(['1', '2', '3']);
  });

  it.each([429, 500, 502, 503, 504])('retries a read answered %i', async (s) => {
    const { transport, requests } = scripted([{ status: s }, { status: 200 }]);
    const res = await sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy() });
    expect(res.status).toBe(200);
    expect(requests).toHaveLength(2);
  });

  it.each([400, 401, 403, 404])('returns a read answered %i at once', async (s) => {
    const { transport, requests } = scripted([{ status: s, body: '{"code":"X","message":"no"}' }, { status: 200 }]);
    const res = await sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy() });
    expect(res.status).toBe(s);
    expect(requests).toHaveLength(1);
  });

  it('gives up after maxAttempts and returns the last answer', async () => {
    const { transport, requests } = scripted([{ status: 503, body: 'last' }]);
    const { sleeps, sleep } = sleeper();
    const res = await sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy({ sleep }) });
    expect(res.status).toBe(503);
    expect(requests).toHaveLength(4);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('honours Retry-After on a read answered 429', async () => {
    const { transport, requests } = scripted([{ status: 429, headers: { 'retry-after': '2' } }, { status: 200 }]);
    const { sleeps, sleep } = sleeper();
    await sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy({ sleep }) });
    expect(sleeps).toEqual([2_000]);
    expect(requests).toHaveLength(2);
  });

  it('does not wait out a Retry-After longer than the budget', async () => {
    const { transport, requests } = scripted([{ status: 429, headers: { 'retry-after': '60' } }, { status: 200 }]);
    const { sleeps, sleep } = sleeper();
    const res = await sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy({ sleep }) });
    expect(res.status).toBe(429);
    expect(requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('stops once the time budget is spent', async () => {
    let clock = NOW;
    const { transport, requests } = scripted([{ status: 503 }]);
    const res = await sendWithRetry(transport, prepareGet, {
      call: READ,
      idempotent: true,
      // Each sleep costs 1 s of a 1.5 s budget; the jitter is 0 so only the clock matters.
      policy: policy({ maxAttempts: 10, budgetMs: 1_500, random: () => 0, now: () => clock, sleep: async () => void (clock += 1_000) }),
    });
    expect(res.status).toBe(503);
    expect(requests).toHaveLength(3);
  });

  it('retries a read after a transport error, even one that was sent', async () => {
    const { transport, requests } = scripted([new TransportError('timed out waiting for SecMaster', 'UND_ERR_HEADERS_TIMEOUT', true), { status: 200 }]);
    const res = await sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy() });
    expect(res.status).toBe(200);
    expect(requests).toHaveLength(2);
  });

  it.each([
    { sent: true, kind: 'network', outcomeUnknown: true, code: 'ECONNRESET' },
    { sent: false, kind: 'connect', outcomeUnknown: false, code: 'ECONNREFUSED' },
  ])('a read whose transport always fails (sent=$sent) ends in a $kind SecMasterError', async ({ sent, kind, outcomeUnknown, code }) => {
    const cause = new TransportError('boom', code, sent);
    const { transport, requests } = scripted([cause]);
    const err = await rejection(sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy() }));
    expect(requests).toHaveLength(4);
    expect(err).toBeInstanceOf(SecMasterError);
    const e = err as SecMasterError;
    expect({ kind: e.kind, outcomeUnknown: e.outcomeUnknown, code: e.code, call: e.call }).toEqual({ kind, outcomeUnknown, code, call: READ });
    expect(e.message).toContain('boom');
    expect(e.cause).toBe(cause);
  });

  it.each([503, 502, 500, 504, 429])('does NOT retry a POST answered %i', async (s) => {
    const { transport, requests } = scripted([{ status: s, headers: { 'retry-after': '0' } }, { status: 200 }]);
    const { sleeps, sleep } = sleeper();
    const res = await sendWithRetry(transport, preparePost, { call: OPERATE, idempotent: false, policy: policy({ sleep }) });
    expect(res.status).toBe(s);
    expect(requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('does NOT retry a POST whose connection broke after sending: the outcome is unknown', async () => {
    const cause = new TransportError('x', 'ECONNRESET', true);
    const { transport, requests } = scripted([cause, { status: 200 }]);
    const err = await rejection(sendWithRetry(transport, preparePost, { call: OPERATE, idempotent: false, policy: policy() }));
    expect(requests).toHaveLength(1);
    expect(err).toBeInstanceOf(SecMasterError);
    const e = err as SecMasterError;
    expect(e.kind).toBe('network');
    expect(e.outcomeUnknown).toBe(true);
    expect(e.code).toBe('ECONNRESET');
    expect(e.call).toBe(OPERATE);
    expect(e.cause).toBe(cause);
  });

  it('retries a POST that certainly never left (sent=false)', async () => {
    const { transport, requests } = scripted([new TransportError('refused', 'ECONNREFUSED', false), { status: 200, body: '{}' }]);
    const { sleeps, sleep } = sleeper();
    const res = await sendWithRetry(transport, preparePost, { call: OPERATE, idempotent: false, policy: policy({ sleep }) });
    expect(res.status).toBe(200);
    expect(requests).toHaveLength(2);
    expect(requests.every((r) => r.method === 'POST' && r.body === '{"operation":"RETRY"}')).toBe(true);
    expect(sleeps).toEqual([50]);
  });

  it('a POST that never got through after every attempt is a connect error, outcome known', async () => {
    const { transport, requests } = scripted([new TransportError('refused', 'ECONNREFUSED', false)]);
    const err = (await rejection(sendWithRetry(transport, preparePost, { call: OPERATE, idempotent: false, policy: policy() }))) as SecMasterError;
    expect(requests).toHaveLength(4);
    expect(err.kind).toBe('connect');
    expect(err.outcomeUnknown).toBe(false);
  });

  it('a POST that first failed to connect and then broke after sending stops there', async () => {
    const { transport, requests } = scripted([new TransportError('refused', 'ECONNREFUSED', false), new TransportError('reset', 'ECONNRESET', true), { status: 200 }]);
    const err = (await rejection(sendWithRetry(transport, preparePost, { call: OPERATE, idempotent: false, policy: policy() }))) as SecMasterError;
    expect(requests).toHaveLength(2);
    expect(err.kind).toBe('network');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('passes an error that is not a TransportError through untouched and does not retry', async () => {
    const bug = new TypeError('programming error');
    const { transport, requests } = scripted([bug, { status: 200 }]);
    await expect(sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy() })).rejects.toBe(bug);
    expect(requests).toHaveLength(1);
  });

  it('tells onAttempt about every attempt', async () => {
    const { transport } = scripted([new TransportError('t', 'ECONNRESET', true), { status: 503 }, { status: 200 }]);
    const seen: Array<number | 'error'> = [];
    await sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy(), onAttempt: (i) => seen.push(i.status) });
    expect(seen).toEqual(['error', 503, 200]);
  });

  it('returns 2xx/3xx answers as they are', async () => {
    const { transport, requests } = scripted([{ status: 204 }]);
    expect((await sendWithRetry(transport, prepareGet, { call: READ, idempotent: true, policy: policy() })).status).toBe(204);
    expect(requests).toHaveLength(1);
  });
});

describe('errorFromResponse', () => {
  const res = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse => ({ status, body, headers });

  it.each([
    {
      name: 'SecMaster {code,message} with x-request-id',
      res: res(400, '{"code":"SecMaster.20010001","message":"instance not found"}', { 'x-request-id': 'hdr-req-1' }),
      expected: { status: 400, code: 'SecMaster.20010001', message: 'instance not found', requestId: 'hdr-req-1' },
    },
    {
      name: "API Gateway's {error_code,error_msg,request_id}",
      res: res(401, '{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information","request_id":"body-req-2"}'),
      expected: { status: 401, code: 'APIG.0301', message: 'Incorrect IAM authentication information', requestId: 'body-req-2' },
    },
    {
      name: 'API Gateway body with an x-request-id header too (the header wins)',
      res: res(429, '{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached","request_id":"body-req"}', { 'x-request-id': 'hdr-req' }),
      expected: { status: 429, code: 'APIG.0308', message: 'The throttling threshold has been reached', requestId: 'hdr-req' },
    },
    {
      name: "IAM's nested {error:{code,message}}",
      res: res(401, '{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}', { 'x-request-id': 'iam-req-3' }),
      expected: { status: 401, code: '401', message: 'The request you have made requires authentication.', requestId: 'iam-req-3' },
    },
    {
      name: 'IAM nested error with a string code and a top-level request_id',
      res: res(400, '{"error":{"code":"1101","message":"Invalid user"},"request_id":"iam-body-req"}'),
      expected: { status: 400, code: '1101', message: 'Invalid user', requestId: 'iam-body-req' },
    },
    {
      name: 'an HTML page from a proxy',
      res: res(502, '<html><body>Bad Gateway</body></html>', { 'x-request-id': 'proxy-req' }),
      expected: { status: 502, code: undefined, message: 'Bad Gateway', requestId: 'proxy-req' },
    },
    {
      name: 'an nginx page: its first line of text, not a bare status',
      res: res(502, '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n'),
      expected: { status: 502, code: undefined, message: '502 Bad Gateway', requestId: undefined },
    },
    {
      name: 'plain text: the first non-blank line',
      res: res(503, '\n  upstream connect error or disconnect/reset before headers\nreset reason: overflow\n'),
      expected: { status: 503, code: undefined, message: 'upstream connect error or disconnect/reset before headers', requestId: undefined },
    },
    {
      name: 'camelCase errorCode/errorMsg (the Python SDK reads them too)',
      res: res(400, '{"errorCode":"SecMaster.20048004","errorMsg":"instance is running"}'),
      expected: { status: 400, code: 'SecMaster.20048004', message: 'instance is running', requestId: undefined },
    },
    {
      name: 'error_code/error_msg win over code/message in the same object (the SDK\'s order)',
      res: res(400, '{"code":"outer","message":"outer message","error_code":"SecMaster.1","error_msg":"the real one"}'),
      expected: { status: 400, code: 'SecMaster.1', message: 'the real one', requestId: undefined },
    },
    {
      name: 'a pair nested in any object, not only "error"',
      res: res(400, '{"result":{"errorCode":"SecMaster.20030005","errorMsg":"no such instance"},"request_id":"nested-req"}'),
      expected: { status: 400, code: 'SecMaster.20030005', message: 'no such instance', requestId: 'nested-req' },
    },
    { name: 'an empty body', res: res(503, ''), expected: { status: 503, code: undefined, message: 'HTTP 503', requestId: undefined } },
    { name: 'a JSON array (no object: its text is kept, as the SDK keeps it)', res: res(500, '[1,2]'), expected: { status: 500, code: undefined, message: '[1,2]', requestId: undefined } },
    { name: 'an empty message', res: res(400, '{"code":"SecMaster.1","message":""}'), expected: { status: 400, code: 'SecMaster.1', message: 'HTTP 400', requestId: undefined } },
  ])('$name', ({ res: r, expected }) => {
    const err = errorFromResponse(r, READ);
    expect(err).toBeInstanceOf(SecMasterError);
    expect(err.kind).toBe('http');
    expect(err.call).toBe(READ);
    expect({ status: err.status, code: err.code, message: err.message, requestId: err.requestId }).toEqual(expected);
  });

  it('keeps the encoded authorization message of a 403 policy denial', () => {
    const encoded = 'HY0L8G1lOe3rcfgxfKVP+AK+S33eYp/rHQ4I0kJed9rwaYmLp+pt/ICBwk==';
    const err = errorFromResponse(
      res(403, JSON.stringify({ error_code: 'SecMaster.20010002', error_msg: 'Policy doesn\'t allow secmaster:playbook:operate to be performed.', encoded_authorization_message: encoded }), { 'x-request-id': 'deny-req' }),
      OPERATE,
    );
    expect(err).toMatchObject({ status: 403, code: 'SecMaster.20010002', requestId: 'deny-req', encodedAuthorizationMessage: encoded });
    expect(err.toJSON()).toMatchObject({ encodedAuthorizationMessage: encoded });
  });

  it('finds an encoded authorization message nested like the code', () => {
    const err = errorFromResponse(res(403, '{"error":{"code":"IAM.0002","message":"denied","encoded_authorization_message":"ENC-1"}}'), READ);
    expect(err).toMatchObject({ code: 'IAM.0002', message: 'denied', encodedAuthorizationMessage: 'ENC-1' });
  });

  it('cuts a very long first line', () => {
    const err = errorFromResponse(res(502, 'x'.repeat(5000)), READ);
    expect(Array.from(err.message).length).toBeLessThanOrEqual(300);
    expect(err.message.endsWith('…')).toBe(true);
  });

  it('reads Retry-After', () => {
    expect(errorFromResponse(res(429, '{}', { 'retry-after': '3' }), READ).retryAfterMs).toBe(3_000);
    expect(errorFromResponse(res(429, '{}'), READ).retryAfterMs).toBeUndefined();
  });

  it.each([
    { status: 500, outcomeUnknown: true },
    { status: 503, outcomeUnknown: true },
    { status: 400, outcomeUnknown: false },
    { status: 429, outcomeUnknown: false },
  ])('an HTTP $status error has outcomeUnknown=$outcomeUnknown', ({ status, outcomeUnknown }) => {
    expect(errorFromResponse(res(status, ''), OPERATE).outcomeUnknown).toBe(outcomeUnknown);
  });

  it('toJSON carries what a person needs and no request details', () => {
    const json = errorFromResponse(res(400, '{"code":"C","message":"m"}', { 'x-request-id': 'r' }), READ).toJSON();
    expect(json).toEqual({ name: 'SecMasterError', kind: 'http', call: READ, status: 400, code: 'C', message: 'm', requestId: 'r' });
  });
});

describe('isAuthRejection', () => {
  it.each([
    { status: 401, body: '{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}', expected: true },
    // The public gateway's spelling (a revoked token, as real traces show it).
    { status: 401, body: '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: decrypt token fail","request_id":"r"}', expected: true },
    { status: 401, body: '{"error_code":"APIG.0302","error_msg":"other"}', expected: false },
    { status: 401, body: '{"error_code":"APIGW.0303","error_msg":"signature expired"}', expected: false },
    { status: 401, body: '{"error_code":"XAPIGW.0301","error_msg":"x"}', expected: false },
    { status: 401, body: '{"error_code":"APIGW.03010","error_msg":"x"}', expected: false },
    { status: 401, body: '{"error_code":"SecMaster.0301","error_msg":"x"}', expected: false },
    { status: 403, body: '{"error_code":"APIG.0301","error_msg":"x"}', expected: false },
    { status: 403, body: '{"error_code":"APIGW.0301","error_msg":"x"}', expected: false },
    { status: 401, body: 'not json', expected: false },
  ])('$status $body → $expected', ({ status, body, expected }) => {
    expect(isAuthRejection({ status, body, headers: {} })).toBe(expected);
  });
});
