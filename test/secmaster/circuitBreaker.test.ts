import { createCircuitBreaker, type BreakerState } from '../../src/secmaster/circuitBreaker';
import { SecMasterError } from '../../src/secmaster/errors';

/**
 * The breaker's state machine, on a clock the test moves: closed until five failures in a row,
 * open (every call refused at once, saying for how long) for 15 s, then half-open: one trial call
 * is let through and its verdict closes or reopens it. A call that ends without a verdict on
 * SecMaster (a bug) lets the next call be the trial instead of keeping the breaker half-open.
 */
function breaker() {
  let clock = 1_000_000;
  const changes: BreakerState[] = [];
  const b = createCircuitBreaker({ failureThreshold: 5, openMs: 15_000, now: () => clock, onStateChange: (s) => changes.push(s) });
  return { b, changes, advance: (ms: number) => void (clock += ms) };
}

function refusal(fn: () => void): SecMasterError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecMasterError);
    return err as SecMasterError;
  }
  throw new Error('expected the call to be refused');
}

function fail(b: ReturnType<typeof breaker>['b'], times: number) {
  for (let i = 0; i < times; i++) {
    b.check('GET /x');
    b.record('failed');
  }
}

describe('createCircuitBreaker', () => {
  it('stays closed through four failures in a row and opens on the fifth', () => {
    const { b, changes } = breaker();
    fail(b, 4);
    expect(b.state()).toBe('closed');
    expect(() => b.check('GET /x')).not.toThrow();
    b.record('failed');
    expect(b.state()).toBe('open');
    expect(changes).toEqual(['open']);
  });

  it('a success resets the count: failures must come in a row', () => {
    const { b } = breaker();
    fail(b, 4);
    b.check('GET /x');
    b.record('ok');
    fail(b, 4);
    expect(b.state()).toBe('closed');
  });

  it('an inconclusive call neither counts as a failure nor resets the count', () => {
    const { b } = breaker();
    fail(b, 4);
    b.check('GET /x');
    b.record('inconclusive');
    expect(b.state()).toBe('closed');
    fail(b, 1);
    expect(b.state()).toBe('open');
  });

  it('open: refuses every call at once with circuit_open, the call named and the wait in seconds', () => {
    const { b, advance } = breaker();
    fail(b, 5);
    advance(4_200);
    const err = refusal(() => b.check('POST /v1/p/op'));
    expect(err).toMatchObject({ kind: 'circuit_open', call: 'POST /v1/p/op', retryAfterMs: 11_000 });
    expect(err.message).toBe('SecMaster has been failing; not calling it for about 11 s more');
    expect(err.outcomeUnknown).toBe(false);
  });

  it('half-open after the pause: exactly one trial is let through, the others are refused meanwhile', () => {
    const { b, changes, advance } = breaker();
    fail(b, 5);
    advance(15_000);
    expect(b.state()).toBe('half_open');
    expect(() => b.check('GET /trial')).not.toThrow();
    expect(changes).toEqual(['open', 'half_open']);
    expect(refusal(() => b.check('GET /second')).kind).toBe('circuit_open');
    expect(refusal(() => b.check('GET /third')).kind).toBe('circuit_open');
  });

  it('a trial that succeeds closes it: calls go through again', () => {
    const { b, changes, advance } = breaker();
    fail(b, 5);
    advance(15_000);
    b.check('GET /trial');
    b.record('ok');
    expect(b.state()).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
    expect(() => b.check('GET /next')).not.toThrow();
  });

  it('a trial that fails reopens it at once, for another full pause', () => {
    const { b, changes, advance } = breaker();
    fail(b, 5);
    advance(15_000);
    b.check('GET /trial');
    b.record('failed');
    expect(b.state()).toBe('open');
    expect(changes).toEqual(['open', 'half_open', 'open']);
    advance(14_999);
    expect(refusal(() => b.check('GET /x')).kind).toBe('circuit_open');
    advance(1);
    expect(() => b.check('GET /x')).not.toThrow();
  });

  it('a trial that ends inconclusive lets the next call be the trial (it never stays half-open for good)', () => {
    const { b, advance } = breaker();
    fail(b, 5);
    advance(15_000);
    b.check('GET /trial');
    b.record('inconclusive');
    expect(b.state()).toBe('half_open');
    expect(() => b.check('GET /next-trial')).not.toThrow();
    expect(refusal(() => b.check('GET /meanwhile')).kind).toBe('circuit_open');
    b.record('ok');
    expect(b.state()).toBe('closed');
  });

  it('says nothing while closed calls succeed', () => {
    const { b, changes } = breaker();
    for (let i = 0; i < 20; i++) {
      b.check('GET /x');
      b.record('ok');
    }
    expect(changes).toEqual([]);
  });
});
