import { SecMasterError } from './errors';

/**
 * When SecMaster keeps failing (connection errors, timeouts, 5xx), stop calling it for a while:
 * people get an immediate, honest answer instead of a 15-second wait each, and an outage does not
 * pile up work. After the pause one trial call is let through; its result closes or reopens it.
 */

/**
 * How a call ended, as far as SecMaster's health goes: `ok` (it answered), `failed` (no connection,
 * no answer, a 5xx), `inconclusive` (the call ended for a reason that says nothing about SecMaster,
 * such as a bug; a half-open trial ending so lets the next call be the trial).
 */
export type CallVerdict = 'ok' | 'failed' | 'inconclusive';

/** Refuses calls while SecMaster is known to be down, so an outage does not pile up work. */
export interface CallGate {
  /** Throws a `circuit_open` {@link SecMasterError} when calls are refused. */
  check(call: string): void;
  /** Told once of every call that `check` let through. */
  record(verdict: CallVerdict): void;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  failureThreshold?: number;
  openMs?: number;
  now?: () => number;
  onStateChange?: (state: BreakerState) => void;
}

export function createCircuitBreaker(opts: CircuitBreakerOptions = {}): CallGate & { state(): BreakerState } {
  const threshold = opts.failureThreshold ?? 5;
  const openMs = opts.openMs ?? 15_000;
  const now = opts.now ?? Date.now;
  let failures = 0;
  let openedAt: number | undefined;
  let trialInFlight = false;

  const state = (): BreakerState => {
    if (openedAt === undefined) return 'closed';
    return now() - openedAt >= openMs ? 'half_open' : 'open';
  };

  return {
    state,
    check(call) {
      const s = state();
      if (s === 'closed') return;
      if (s === 'half_open' && !trialInFlight) {
        trialInFlight = true;
        opts.onStateChange?.('half_open');
        return;
      }
      const waitS = Math.max(1, Math.ceil((openMs - (now() - (openedAt ?? now()))) / 1000));
      throw new SecMasterError({
        kind: 'circuit_open',
        call,
        message: `SecMaster has been failing; not calling it for about ${waitS} s more`,
        retryAfterMs: waitS * 1000,
      });
    },
    record(verdict) {
      if (verdict === 'inconclusive') {
        // Nothing learnt: the next call may be the trial.
        trialInFlight = false;
        return;
      }
      if (verdict === 'ok') {
        if (openedAt !== undefined) opts.onStateChange?.('closed');
        failures = 0;
        openedAt = undefined;
        trialInFlight = false;
        return;
      }
      failures++;
      if (trialInFlight || (openedAt === undefined && failures >= threshold)) {
        openedAt = now();
        trialInFlight = false;
        opts.onStateChange?.('open');
      }
    },
  };
}
