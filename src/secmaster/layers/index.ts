import type { Authenticator } from '../auth/types';
import type { CallGate } from '../circuitBreaker';
import { deadlineIn } from '../deadline';
import type { SecMasterError } from '../errors';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry';
import type { Transport } from '../transport';
import { withCircuitBreaker } from './circuitBreaker';
import { withCredential } from './credential';
import { withErrorAnswers } from './errorAnswers';
import { overHttp } from './http';
import { withObserver, type CallObserver } from './observer';
import { withRetry } from './retry';
import { withTokenRenewal } from './tokenRenewal';
import type { CallTransport, Layer, SecMasterTransport } from './types';

export type { CallObserver } from './observer';
export type { CallName, CallRequest, CallTransport, Exchange, Layer, SecMasterCall, SecMasterTransport } from './types';
export { overHttp, withCircuitBreaker, withCredential, withErrorAnswers, withObserver, withRetry, withTokenRenewal };

export interface SecMasterTransportOptions {
  /** The HTTP transport (transport.ts): the only undici call. */
  http: Transport;
  auth: Authenticator;
  retry?: RetryPolicy;
  /** The circuit breaker; none: every call is sent. */
  gate?: CallGate;
  /** Told of every HTTP attempt. */
  observe?: CallObserver;
  /**
   * Told of every 4xx/5xx answer before it is thrown, so each refusal leaves a log line with its
   * code, request ID and, for a policy denial, the encoded authorization message.
   */
  onHttpError?: (err: SecMasterError) => void;
}

/**
 * The layers a SecMaster call passes through, outermost first:
 *
 * 1. circuit breaker: refuses while SecMaster is known to be down; hears of the call's end once;
 * 2. error answers: a final 4xx/5xx becomes a SecMasterError, the sent credential scrubbed out;
 * 3. token renewal: a gateway 401 0301 renews the token once and repeats the call once;
 * 4. retry: the retry policy over attempts, never repeating a POST that may have been sent;
 * 5. credential: each attempt authorized afresh, within the deadline;
 * 6. observer: each HTTP attempt measured;
 * 7. HTTP: one request over undici, 10 s at most.
 *
 * Every call gets one deadline (`retry.deadlineMs`, 20 s) as it enters: every attempt, pause,
 * credential and the repeat after a renewal fit inside it.
 */
export function createSecMasterTransport(opts: SecMasterTransportOptions): SecMasterTransport {
  const policy = opts.retry ?? DEFAULT_RETRY_POLICY;
  const layers: Layer[] = [
    ...(opts.gate ? [withCircuitBreaker(opts.gate)] : []),
    withErrorAnswers(opts.onHttpError),
    withTokenRenewal(opts.auth),
    withRetry(policy),
    withCredential(opts.auth),
    ...(opts.observe ? [withObserver(opts.observe, policy.now)] : []),
  ];
  const stack = layers.reduceRight<CallTransport>((inner, layer) => layer(inner), overHttp(opts.http));
  return async (call) => (await stack({ ...call, deadline: deadlineIn(policy.deadlineMs, policy.now) })).response;
}
