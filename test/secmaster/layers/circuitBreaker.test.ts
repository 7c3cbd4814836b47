import { createCircuitBreaker, type CallGate, type CallVerdict } from '../../../src/secmaster/circuitBreaker';
import { SecMasterError } from '../../../src/secmaster/errors';
import { withCircuitBreaker } from '../../../src/secmaster/layers';
import { INSTANCE, readRequest, rejection, scriptedInner } from './fakes';

/**
 * The breaker wraps the transport: asked before each call, told exactly once how each call ended,
 * whichever way it ended. A refused call reaches nothing beneath.
 */
function recordingGate(refuse = false) {
  const verdicts: CallVerdict[] = [];
  const gate: CallGate = {
    check(call) {
      if (refuse) throw new SecMasterError({ kind: 'circuit_open', call, message: 'SecMaster has been failing; not calling it for about 15 s more', retryAfterMs: 15_000 });
    },
    record: (v) => void verdicts.push(v),
  };
  return { gate, verdicts };
}

const http = (status: number) => new SecMasterError({ kind: 'http', call: 'GET /x', status, code: status >= 500 ? undefined : 'SecMaster.20030005', message: `HTTP ${status}` });

describe('withCircuitBreaker', () => {
  it('an answer: recorded once as ok', async () => {
    const { gate, verdicts } = recordingGate();
    const { inner } = scriptedInner([INSTANCE]);
    await withCircuitBreaker(gate)(inner)(readRequest());
    expect(verdicts).toEqual(['ok']);
  });

  it.each<[string, CallVerdict, unknown]>([
    ['a 400 (SecMaster answered)', 'ok', http(400)],
    ['a 429 (throttled, but up)', 'ok', http(429)],
    ['a 500', 'failed', http(500)],
    ['a 503', 'failed', http(503)],
    ['no answer (network)', 'failed', new SecMasterError({ kind: 'network', call: 'GET /x', message: 'no answer from SecMaster (timed out)' })],
    ['no connection (connect)', 'failed', new SecMasterError({ kind: 'connect', call: 'GET /x', message: 'could not reach SecMaster (ECONNREFUSED)' })],
    ['an answer out of shape', 'ok', new SecMasterError({ kind: 'invalid_response', call: 'GET /x', status: 200, message: 'unexpected answer' })],
    ['a bug', 'inconclusive', new TypeError('cannot read properties of undefined')],
  ])('%s: rethrown as it is and recorded once as %s', async (_label, verdict, thrown) => {
    const { gate, verdicts } = recordingGate();
    const { inner } = scriptedInner([thrown as Error]);
    expect(await rejection(withCircuitBreaker(gate)(inner)(readRequest()))).toBe(thrown);
    expect(verdicts).toEqual([verdict]);
  });

  it('a refused call sends nothing and is not recorded', async () => {
    const { gate, verdicts } = recordingGate(true);
    const { inner, seen } = scriptedInner([INSTANCE]);
    const err = (await rejection(withCircuitBreaker(gate)(inner)(readRequest()))) as SecMasterError;
    expect(err.kind).toBe('circuit_open');
    expect(seen).toHaveLength(0);
    expect(verdicts).toEqual([]);
  });

  it('a half-open trial that hits a bug does not leave the breaker stuck: the next call is the trial', async () => {
    let clock = 0;
    const breaker = createCircuitBreaker({ failureThreshold: 1, openMs: 1_000, now: () => clock });
    const down = withCircuitBreaker(breaker)(scriptedInner([new SecMasterError({ kind: 'connect', call: 'GET /x', message: 'could not reach SecMaster' })]).inner);
    await rejection(down(readRequest()));
    expect(breaker.state()).toBe('open');
    clock += 1_000;
    const bug = new RangeError('a bug in a layer');
    expect(await rejection(withCircuitBreaker(breaker)(scriptedInner([bug]).inner)(readRequest()))).toBe(bug);
    const { inner, seen } = scriptedInner([INSTANCE]);
    await withCircuitBreaker(breaker)(inner)(readRequest());
    expect(seen).toHaveLength(1);
    expect(breaker.state()).toBe('closed');
  });
});
