import type { CallGate, CallVerdict } from '../circuitBreaker';
import { SecMasterError } from '../errors';
import type { Layer } from './types';

/**
 * Asks the breaker before a call and tells it how the call ended, exactly once, however it ended:
 * an answer, a failure, a renewal that threw, a bug. A half-open trial that never reported would
 * keep the breaker from ever closing.
 */
export function withCircuitBreaker(gate: CallGate): Layer {
  return (inner) => async (req) => {
    gate.check(req.call);
    let verdict: CallVerdict = 'inconclusive';
    try {
      const exchange = await inner(req);
      verdict = 'ok';
      return exchange;
    } catch (err) {
      verdict = verdictOn(err);
      throw err;
    } finally {
      gate.record(verdict);
    }
  };
}

/**
 * What a failed call says about SecMaster: no connection, no answer or a 5xx is SecMaster (or the
 * way to it) failing; any other answer is SecMaster working. A bug says nothing about SecMaster.
 */
export function verdictOn(err: unknown): CallVerdict {
  if (!(err instanceof SecMasterError)) return 'inconclusive';
  return err.kind === 'network' || err.kind === 'connect' || (err.status ?? 0) >= 500 ? 'failed' : 'ok';
}
