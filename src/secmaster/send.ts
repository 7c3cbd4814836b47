import { beforeDeadline, deadlineIn, type Deadline } from './deadline';
import { parseErrorBody } from './errorBody';
import { fromTransportError, SecMasterError } from './errors';
import { GATEWAY_CODES, isGatewayCode } from './gatewayCodes';
import { DEFAULT_RETRY_POLICY, isRetryable, nextDelayMs, parseRetryAfterMs, type AttemptResult, type RetryPolicy } from './retry';
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from './transport';

/**
 * The retry policy at work on one logical call, and the reading of error answers. Failures below
 * HTTP become {@link SecMasterError}s; anything else an attempt throws (a bug) is passed on as it is.
 */

/** The least time a repeated attempt must have before the call's deadline for it to be sent at all. */
export const MIN_ATTEMPT_MS = 250;

export interface RetryOptions {
  /** `METHOD /path`, used in errors and logs instead of the URL. */
  call: string;
  idempotent: boolean;
  policy: RetryPolicy;
  deadline: Deadline;
}

/**
 * Runs `attempt` until it gives an answer below 400, the policy says stop, or the deadline leaves no
 * room for the next pause. Returns the last answer (the caller reads an error answer), or throws the
 * last failure below HTTP as a `network` or `connect` {@link SecMasterError}.
 */
export async function retryAttempts<T>(attempt: () => Promise<T>, responseOf: (value: T) => HttpResponse, opts: RetryOptions): Promise<T> {
  const { policy, deadline } = opts;
  const startedAt = policy.now();
  for (let n = 1; ; n++) {
    let result: AttemptResult;
    let answered: T | undefined;
    let failure: TransportError | undefined;
    try {
      answered = await attempt();
      const res = responseOf(answered);
      if (res.status < 400) return answered;
      result = { kind: 'status', status: res.status, retryAfterMs: parseRetryAfterMs(res.headers['retry-after'], policy.now()) };
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      failure = err;
      result = { kind: 'transport', sent: err.sent };
    }
    const wanted = isRetryable(result, opts.idempotent) ? nextDelayMs(result, n, startedAt, policy) : undefined;
    // A pause is taken only when the attempt after it still has time to be worth sending: with a
    // millisecond left (a zero jitter, or a timer and the clock a tick apart) it could only fail.
    const delay = wanted !== undefined && wanted + MIN_ATTEMPT_MS <= deadline.leftMs() ? wanted : undefined;
    if (delay === undefined) {
      if (answered !== undefined) return answered;
      throw fromTransportError(failure!, opts.call);
    }
    await policy.sleep(delay);
  }
}

/** The signal that ends one attempt, body included, when the call's deadline passes. */
export function attemptSignal(deadline: Deadline): AbortSignal {
  return AbortSignal.timeout(Math.max(1, deadline.leftMs()));
}

/**
 * Sends one request with the retry policy applied (the IAM login uses it; SecMaster calls go
 * through the transport layers). `prepare` runs before every attempt, bounded by the deadline.
 */
export interface SendOptions {
  /** `METHOD /path`, used in errors and logs instead of the URL. */
  call: string;
  idempotent: boolean;
  policy?: RetryPolicy;
  /** Told of every attempt, for metrics and benchmarks. */
  onAttempt?: (info: { status: number | 'error'; durationMs: number }) => void;
}

export async function sendWithRetry(transport: Transport, prepare: () => Promise<HttpRequest>, opts: SendOptions): Promise<HttpResponse> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  const deadline = deadlineIn(policy.deadlineMs, policy.now);
  const attempt = async (): Promise<HttpResponse> => {
    const req = await beforeDeadline(prepare(), deadline, opts.call);
    const t0 = policy.now();
    try {
      // The deadline covers the body too: the transport aborts the request, reading included, when it passes.
      const res = await transport({ ...req, signal: attemptSignal(deadline) });
      opts.onAttempt?.({ status: res.status, durationMs: policy.now() - t0 });
      return res;
    } catch (err) {
      opts.onAttempt?.({ status: 'error', durationMs: policy.now() - t0 });
      throw err;
    }
  };
  return retryAttempts(attempt, (res) => res, { call: opts.call, idempotent: opts.idempotent, policy, deadline });
}

/** Turns a 4xx/5xx answer into a {@link SecMasterError} with the service code and request ID. */
export function errorFromResponse(res: HttpResponse, call: string): SecMasterError {
  const parsed = parseErrorBody(res.body);
  return new SecMasterError({
    kind: 'http',
    call,
    status: res.status,
    code: parsed.code,
    message: parsed.message ?? `HTTP ${res.status}`,
    requestId: res.headers['x-request-id'] ?? parsed.requestId,
    retryAfterMs: parseRetryAfterMs(res.headers['retry-after']),
    encodedAuthorizationMessage: parsed.encodedAuthorizationMessage,
  });
}

/**
 * API Gateway's answer to a bad, expired or revoked token (or signature): 401 with code 0301, which
 * the public gateway spells `APIGW.0301` and dedicated gateways `APIG.0301`.
 */
export function isAuthRejection(res: HttpResponse): boolean {
  return res.status === 401 && isGatewayCode(parseErrorBody(res.body).code, GATEWAY_CODES.authRejected);
}
