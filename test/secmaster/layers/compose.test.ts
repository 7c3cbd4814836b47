import type { Authenticator } from '../../../src/secmaster/auth/types';
import { createCircuitBreaker } from '../../../src/secmaster/circuitBreaker';
import { SecMasterError } from '../../../src/secmaster/errors';
import { createSecMasterTransport, type CallObserver, type SecMasterCall } from '../../../src/secmaster/layers';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../src/secmaster/retry';
import type { HttpRequest, HttpResponse, Transport } from '../../../src/secmaster/transport';
import { INSTANCE, OPERATE_CALL, READ_CALL, rejection, REVOKED_TOKEN, URL_ONE } from './fakes';

/**
 * The layers in their order (layers/index.ts), over a scripted HTTP transport: the credential sits
 * inside the retries (every attempt authorized afresh), the renewal outside them (once per call),
 * the error answer above the renewal (a renewed call's first 401 is never reported), and the breaker
 * outermost (one verdict per call, whatever happened beneath).
 */
type Script = Array<{ status: number; headers?: Record<string, string>; body?: string } | Error>;

function http(script: Script) {
  const sent: HttpRequest[] = [];
  const transport: Transport = async (req) => {
    sent.push(req);
    const step = script[Math.min(sent.length - 1, script.length - 1)]!;
    if (step instanceof Error) throw step;
    return { status: step.status, headers: step.headers ?? {}, body: step.body ?? '' } satisfies HttpResponse;
  };
  return { transport, sent };
}

/** An IAM-like authenticator: token n until refused, then a login gives token n+1. */
function iamLike(opts: { renewFails?: Error } = {}) {
  let current = 1;
  const auth: Authenticator & { logins: number; authorized: number } = {
    logins: 0,
    authorized: 0,
    async authorize(req) {
      auth.authorized++;
      return { ...req.headers, 'X-Auth-Token': `iam-token-${current}` };
    },
    async renew() {
      if (opts.renewFails) throw opts.renewFails;
      auth.logins++;
      current++;
      return true;
    },
  };
  return auth;
}

const fast: RetryPolicy = { ...DEFAULT_RETRY_POLICY, random: () => 0, sleep: async () => undefined };

const read: SecMasterCall = { name: 'get_instance', call: READ_CALL, method: 'GET', url: URL_ONE, headers: { 'content-type': 'application/json;charset=UTF-8' }, idempotent: true };
const operate: SecMasterCall = { name: 'operate', call: OPERATE_CALL, method: 'POST', url: new URL(`${URL_ONE.href}/operation`), headers: { 'content-type': 'application/json;charset=UTF-8' }, body: '{"operation":"RETRY"}', idempotent: false };

function stack(script: Script, opts: { auth?: Authenticator; failureThreshold?: number } = {}) {
  const h = http(script);
  const auth = opts.auth ?? iamLike();
  const breaker = createCircuitBreaker({ failureThreshold: opts.failureThreshold ?? 5 });
  const observed: Parameters<CallObserver>[0][] = [];
  const httpErrors: SecMasterError[] = [];
  const verdicts: string[] = [];
  const gate = { check: (c: string) => breaker.check(c), record: (v: Parameters<typeof breaker.record>[0]) => (verdicts.push(v), breaker.record(v)) };
  const transport = createSecMasterTransport({ http: h.transport, auth, retry: fast, gate, observe: (e) => observed.push(e), onHttpError: (e) => httpErrors.push(e) });
  return { transport, sent: h.sent, auth, breaker, observed, httpErrors, verdicts };
}

describe('createSecMasterTransport', () => {
  it('a revoked token: one renewal, the call repeated with the new token; one verdict, no error reported', async () => {
    const s = stack([REVOKED_TOKEN, INSTANCE]);
    const res = await s.transport(operate);
    expect(res.status).toBe(200);
    expect(s.sent.map((r) => [r.method, r.headers['X-Auth-Token']])).toEqual([
      ['POST', 'iam-token-1'],
      ['POST', 'iam-token-2'],
    ]);
    expect(s.observed.map((e) => [e.call, e.status])).toEqual([
      ['operate', 401],
      ['operate', 200],
    ]);
    expect(s.httpErrors).toEqual([]);
    expect(s.verdicts).toEqual(['ok']);
  });

  it('retries sit inside the renewal: a read answered 503, 503, 200 is authorized three times and renews nothing', async () => {
    const auth = iamLike();
    const s = stack([{ status: 503 }, { status: 503 }, INSTANCE], { auth });
    await s.transport(read);
    expect(auth.authorized).toBe(3);
    expect(auth.logins).toBe(0);
    expect(s.verdicts).toEqual(['ok']);
  });

  it('the operation answered 502: sent once, an http error with its outcome unknown, reported once, one failure', async () => {
    const s = stack([{ status: 502, headers: { 'x-request-id': 'rid-502' }, body: '<html><body>Bad Gateway</body></html>' }, INSTANCE]);
    const err = (await rejection(s.transport(operate))) as SecMasterError;
    expect(err).toMatchObject({ kind: 'http', status: 502, requestId: 'rid-502', message: 'Bad Gateway', call: OPERATE_CALL });
    expect(err.outcomeUnknown).toBe(true);
    expect(s.sent).toHaveLength(1);
    expect(s.httpErrors).toEqual([err]);
    expect(s.verdicts).toEqual(['failed']);
  });

  it('the refused credential never reaches the error that is thrown', async () => {
    const s = stack([{ status: 401, body: '{"error_code":"APIGW.0301","error_msg":"token iam-token-1 was revoked"}' }], { auth: { authorize: async (r) => ({ ...r.headers, 'X-Auth-Token': 'iam-token-1-abcdefgh' }), renew: async () => false } });
    const err = (await rejection(s.transport(read))) as SecMasterError;
    expect(err.status).toBe(401);
    expect(err.message).not.toContain('iam-token-1-abcdefgh');
  });

  it('a renewal that throws ends a half-open trial exactly once: the breaker reopens, it does not stay half-open', async () => {
    const unreachable = new SecMasterError({ kind: 'connect', call: 'POST /v3/auth/tokens', code: 'ECONNREFUSED', message: 'could not reach SecMaster (connect ECONNREFUSED)' });
    const s = stack([REVOKED_TOKEN], { auth: iamLike({ renewFails: unreachable }), failureThreshold: 1 });
    expect(await rejection(s.transport(read))).toBe(unreachable);
    expect(s.verdicts).toEqual(['failed']);
    expect(s.breaker.state()).toBe('open');
  });

  it('an open breaker refuses before anything is authorized or sent', async () => {
    const auth = iamLike();
    const s = stack([new SecMasterError({ kind: 'network', call: READ_CALL, message: 'x' })], { auth, failureThreshold: 1 });
    await rejection(s.transport(read));
    const sentBefore = s.sent.length;
    const authorizedBefore = auth.authorized;
    const err = (await rejection(s.transport(read))) as SecMasterError;
    expect(err.kind).toBe('circuit_open');
    expect(s.sent).toHaveLength(sentBefore);
    expect(auth.authorized).toBe(authorizedBefore);
  });

  it('a bug beneath reaches the caller as itself, and the breaker learns nothing from it', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'status')");
    const s = stack([bug]);
    expect(await rejection(s.transport(read))).toBe(bug);
    expect(s.verdicts).toEqual(['inconclusive']);
  });

  it('one deadline for the whole call: the repeat after a renewal gets what is left of it, not a new one', async () => {
    let clock = 0;
    const policy: RetryPolicy = { ...fast, deadlineMs: 5_000, now: () => clock };
    const h = http([REVOKED_TOKEN, INSTANCE]);
    const slowLogin: Authenticator = {
      authorize: async (r) => ({ ...r.headers, 'X-Auth-Token': 'tok-0123456789' }),
      async renew() {
        // The login takes all but 1 ms of the call's 5 s.
        clock += 4_999;
        return true;
      },
    };
    const transport = createSecMasterTransport({ http: h.transport, auth: slowLogin, retry: policy });
    await transport(read);
    expect(h.sent).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 30));
    // The first attempt had (about) 5 s; the repeat only the 1 ms left, and its signal has fired.
    expect(h.sent[0]!.signal?.aborted).toBe(false);
    expect(h.sent[1]!.signal?.aborted).toBe(true);
  });

  it('a credential that outlasts the deadline on the repeat: not sent, a connect error', async () => {
    let clock = 0;
    const policy: RetryPolicy = { ...fast, deadlineMs: 1_000, now: () => clock };
    const h = http([REVOKED_TOKEN, INSTANCE]);
    let renewed = false;
    const hangsAfterRenewal: Authenticator = {
      authorize: (r) => (renewed ? new Promise(() => undefined) : Promise.resolve({ ...r.headers, 'X-Auth-Token': 'tok-0123456789' })),
      async renew() {
        renewed = true;
        clock += 1_000;
        return true;
      },
    };
    const transport = createSecMasterTransport({ http: h.transport, auth: hangsAfterRenewal, retry: policy });
    const err = (await rejection(transport(read))) as SecMasterError;
    expect(err).toMatchObject({ kind: 'connect', code: 'DEADLINE', call: READ_CALL });
    expect(h.sent).toHaveLength(1);
  });
});
