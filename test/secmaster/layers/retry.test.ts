import { SecMasterError } from '../../../src/secmaster/errors';
import { withRetry } from '../../../src/secmaster/layers';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../src/secmaster/retry';
import { MIN_ATTEMPT_MS } from '../../../src/secmaster/send';
import { TransportError } from '../../../src/secmaster/transport';
import { INSTANCE, movableDeadline, OPERATE_CALL, operateRequest, READ_CALL, readRequest, rejection, scriptedInner } from './fakes';

/**
 * The retry policy as a layer: reads repeated on 429/5xx and failures below HTTP, the operation POST
 * never repeated once it may have left, every attempt bounded by what is left of the call's deadline.
 */
function policy(sleeps: number[], overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms), ...overrides };
}

describe('withRetry', () => {
  it('a read answered 503 then 200: two attempts, one jittered pause, the success returned', async () => {
    const sleeps: number[] = [];
    const { inner, seen } = scriptedInner([{ status: 503 }, INSTANCE]);
    const exchange = await withRetry(policy(sleeps))(inner)(readRequest());
    expect(exchange.response.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(sleeps).toEqual([125]);
  });

  it('each attempt carries its own signal, bounded by the call deadline', async () => {
    const { inner, seen } = scriptedInner([{ status: 502 }, INSTANCE]);
    await withRetry(policy([]))(inner)(readRequest());
    expect(seen.map((r) => r.signal instanceof AbortSignal)).toEqual([true, true]);
    expect(seen[0]!.signal).not.toBe(seen[1]!.signal);
  });

  it('the signal aborts the attempt when the call deadline passes', async () => {
    const { inner, seen } = scriptedInner([INSTANCE]);
    const short = readRequest({ deadline: { at: Date.now() + 30, leftMs: () => 30 } });
    await withRetry(policy([]))(inner)(short);
    const signal = seen[0]!.signal!;
    expect(signal.aborted).toBe(false);
    await new Promise((r) => setTimeout(r, 80));
    expect(signal.aborted).toBe(true);
  });

  it.each([500, 502, 503, 504, 429])('the operation POST answered %i is never repeated; the answer is returned', async (status) => {
    const sleeps: number[] = [];
    const { inner, seen } = scriptedInner([{ status, headers: { 'retry-after': '0' } }, INSTANCE]);
    const exchange = await withRetry(policy(sleeps))(inner)(operateRequest());
    expect(exchange.response.status).toBe(status);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('the operation POST whose connection broke after sending is not repeated: network, outcome unknown', async () => {
    const cause = new TransportError('socket hang up', 'ECONNRESET', true);
    const { inner, seen } = scriptedInner([cause, INSTANCE]);
    const err = (await rejection(withRetry(policy([]))(inner)(operateRequest()))) as SecMasterError;
    expect(err).toBeInstanceOf(SecMasterError);
    expect(err).toMatchObject({ kind: 'network', code: 'ECONNRESET', call: OPERATE_CALL });
    expect(err.outcomeUnknown).toBe(true);
    expect(err.cause).toBe(cause);
    expect(seen).toHaveLength(1);
  });

  it('the operation POST that certainly never left is sent again', async () => {
    const { inner, seen } = scriptedInner([new TransportError('connect ECONNREFUSED', 'ECONNREFUSED', false), INSTANCE]);
    const exchange = await withRetry(policy([]))(inner)(operateRequest());
    expect(exchange.response.status).toBe(200);
    expect(seen.map((r) => r.body)).toEqual(['{"operation":"RETRY"}', '{"operation":"RETRY"}']);
  });

  it('a read that never connects ends in a connect error after every attempt', async () => {
    const { inner, seen } = scriptedInner([new TransportError('connect ECONNREFUSED', 'ECONNREFUSED', false)]);
    const err = (await rejection(withRetry(policy([]))(inner)(readRequest()))) as SecMasterError;
    expect(err).toMatchObject({ kind: 'connect', code: 'ECONNREFUSED', call: READ_CALL });
    expect(seen).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it('no pause starts that the deadline would cut short: the last answer is returned', async () => {
    const sleeps: number[] = [];
    const { deadline } = movableDeadline(100);
    const { inner, seen } = scriptedInner([{ status: 503 }, INSTANCE]);
    // The jitter wants 125 ms; 100 ms are left.
    const exchange = await withRetry(policy(sleeps))(inner)(readRequest({ deadline }));
    expect(exchange.response.status).toBe(503);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('no attempt is repeated into the last moments of the deadline: a zero pause with under MIN_ATTEMPT_MS left is not taken', async () => {
    const sleeps: number[] = [];
    const { deadline, advance } = movableDeadline(1_000);
    const { inner, seen } = scriptedInner([{ status: 503 }, INSTANCE]);
    // The first attempt used all but 100 ms of the call; the jitter happens to want no pause at all.
    const slowFirst = async (req: Parameters<typeof inner>[0]) => {
      const answer = await inner(req);
      advance(1_000 - 100);
      return answer;
    };
    const exchange = await withRetry(policy(sleeps, { random: () => 0 }))(slowFirst)(readRequest({ deadline }));
    expect(MIN_ATTEMPT_MS).toBeGreaterThan(100);
    expect(exchange.response.status).toBe(503);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('a failure that is not below HTTP (the credential layer refusing, a bug) is passed on at once', async () => {
    const unsent = new SecMasterError({ kind: 'connect', call: READ_CALL, code: 'DEADLINE', message: 'could not reach SecMaster (its deadline passed before the request could be sent)' });
    const bug = new TypeError('a bug');
    for (const thrown of [unsent, bug]) {
      const { inner, seen } = scriptedInner([thrown, INSTANCE]);
      expect(await rejection(withRetry(policy([]))(inner)(readRequest()))).toBe(thrown);
      expect(seen).toHaveLength(1);
    }
  });
});
