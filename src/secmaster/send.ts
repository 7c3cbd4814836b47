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
}

export async function sendWithRetry(transport: Transport, prepare: () => Promise<HttpRequest>, opts: SendOptions): Promise<HttpResponse> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  const startedAt = policy.now();
  for (let attempt = 1; ; attempt++) {
    const req = await prepare();
    const t0 = policy.now();
    let result: AttemptResult;
    let res: HttpResponse | undefined;
    let failure: TransportError | undefined;
    try {
      res = await transport(req);
      opts.onAttempt?.({ status: res.status, durationMs: policy.now() - t0 });
      if (res.status < 400) return res;
      result = { kind: 'status', status: res.status, retryAfterMs: parseRetryAfterMs(res.headers['retry-after'], policy.now()) };
    } catch (err) {
      opts.onAttempt?.({ status: 'error', durationMs: policy.now() - t0 });
      if (!(err instanceof TransportError)) throw err;
      failure = err;
      result = { kind: 'transport', sent: err.sent };
    }
    const delay = isRetryable(result, opts.idempotent) ? nextDelayMs(result, attempt, startedAt, policy) : undefined;
    if (delay === undefined) {
      if (res) return res;
      throw transportFailure(failure!, opts.call);
    }
    await policy.sleep(delay);
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
