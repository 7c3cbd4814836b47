import { parseErrorBody } from './errorBody';
import { SecMasterError } from './errors';
import { GATEWAY_CODES, isGatewayCode } from './gatewayCodes';
import { DEFAULT_RETRY_POLICY, isRetryable, nextDelayMs, parseRetryAfterMs, type AttemptResult, type RetryPolicy } from './retry';
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from './transport';

/**
 * Sends one logical call with the retry policy applied, and turns failures into
 * {@link SecMasterError}. `prepare` runs before every attempt so credentials (an AK/SK signature,
 * a renewed token) are fresh each time.
 */
export interface SendOptions {
  /** `METHOD /path`, used in errors and logs instead of the URL. */
  call: string;
  idempotent: boolean;
  policy?: RetryPolicy;
  /** Told of every attempt, for metrics and benchmarks. */
  onAttempt?: (info: { status: number | 'error'; durationMs: number }) => void;
  /** When the whole call must be over (on `policy.now`'s clock); `policy.deadlineMs` from the start when unset. */
  deadlineAt?: number;
}

export async function sendWithRetry(transport: Transport, prepare: () => Promise<HttpRequest>, opts: SendOptions): Promise<HttpResponse> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  const startedAt = policy.now();
  const deadlineAt = opts.deadlineAt ?? startedAt + policy.deadlineMs;
  for (let attempt = 1; ; attempt++) {
    const req = await beforeDeadline(prepare(), deadlineAt - policy.now(), opts.call);
    const t0 = policy.now();
    let result: AttemptResult;
    let res: HttpResponse | undefined;
    let failure: TransportError | undefined;
    try {
      // The deadline covers the body too: the transport aborts the request, reading included, when it passes.
      res = await transport({ ...req, signal: AbortSignal.timeout(Math.max(1, deadlineAt - t0)) });
      opts.onAttempt?.({ status: res.status, durationMs: policy.now() - t0 });
      if (res.status < 400) return res;
      result = { kind: 'status', status: res.status, retryAfterMs: parseRetryAfterMs(res.headers['retry-after'], policy.now()) };
    } catch (err) {
      opts.onAttempt?.({ status: 'error', durationMs: policy.now() - t0 });
      if (!(err instanceof TransportError)) throw err;
      failure = err;
      result = { kind: 'transport', sent: err.sent };
    }
    const wanted = isRetryable(result, opts.idempotent) ? nextDelayMs(result, attempt, startedAt, policy) : undefined;
    const delay = wanted !== undefined && policy.now() + wanted < deadlineAt ? wanted : undefined;
    if (delay === undefined) {
      if (res) return res;
      throw transportFailure(failure!, opts.call);
    }
    await policy.sleep(delay);
  }
}

/** `work` (getting a credential: an IAM login, say), or a not-sent failure once the call's deadline passes. */
async function beforeDeadline<T>(work: Promise<T>, leftMs: number, call: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(transportFailure(new TransportError('its deadline passed before the request could be sent', 'DEADLINE', false), call)), Math.max(0, leftMs));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function transportFailure(err: TransportError, call: string): SecMasterError {
  return new SecMasterError({
    kind: err.sent ? 'network' : 'connect',
    call,
    code: err.code,
    message: err.sent ? `no answer from SecMaster (${err.message})` : `could not reach SecMaster (${err.message})`,
    cause: err,
  });
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
