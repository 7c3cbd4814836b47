import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry';
import { attemptSignal, retryAttempts } from '../send';
import type { Layer } from './types';

/**
 * The retry policy (retry.ts): reads repeated on 429, 5xx and failures below HTTP with jittered
 * backoff; the operation POST repeated only when it certainly never left this process. Each
 * attempt is bounded by what is left of the call's deadline, its body included.
 */
export function withRetry(policy: RetryPolicy = DEFAULT_RETRY_POLICY): Layer {
  return (inner) => (req) =>
    retryAttempts(
      () => inner({ ...req, signal: attemptSignal(req.deadline) }),
      (exchange) => exchange.response,
      { call: req.call, idempotent: req.idempotent, policy, deadline: req.deadline },
    );
}
