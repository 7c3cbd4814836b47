import type { TransportError } from './transport';

/**
 * The one error type of the SecMaster client. It carries what a person needs to act on a failure
 * (HTTP status, service code, message, `X-request-id`) and what an operator needs to find it (the
 * call), and never a credential: requests are described by method and path only.
 */
export type SecMasterErrorKind =
  /** SecMaster or API Gateway answered 4xx/5xx. */
  | 'http'
  /** Could not connect: the request never left this process, so it did not run. */
  | 'connect'
  /** The connection failed or timed out after the request was sent: it may have run. */
  | 'network'
  /** An answer arrived but is not what the API documents. */
  | 'invalid_response'
  /** The circuit breaker refused the call without sending it. */
  | 'circuit_open';

export interface SecMasterErrorInit {
  kind: SecMasterErrorKind;
  call: string;
  status?: number;
  code?: string;
  message: string;
  requestId?: string;
  retryAfterMs?: number;
  encodedAuthorizationMessage?: string;
  cause?: unknown;
}

export class SecMasterError extends Error {
  readonly kind: SecMasterErrorKind;
  /** `METHOD /path` of the call (no query credentials, no headers). */
  readonly call: string;
  readonly status?: number;
  /** `SecMaster.NNNNNNNN`, or API Gateway's `APIGW.NNNN` / `APIG.NNNN` (match those with `gatewayCodes.ts`). */
  readonly code?: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
  /**
   * What a 403 policy denial attaches for an operator to decode (IAM DecodeAuthorizationMessage).
   * Logged whole; a person is only told that one exists.
   */
  readonly encodedAuthorizationMessage?: string;

  constructor(init: SecMasterErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'SecMasterError';
    this.kind = init.kind;
    this.call = init.call;
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.encodedAuthorizationMessage = init.encodedAuthorizationMessage;
  }

  /** True when SecMaster may have carried out the request even though no clear answer came back. */
  get outcomeUnknown(): boolean {
    return this.kind === 'network' || (this.kind === 'http' && (this.status ?? 0) >= 500);
  }

  /**
   * SecMaster says "no such instance" with a 400 (or 404) and its own service code. A 404 from API
   * Gateway (`APIGW.0101` / `APIG.0101`: no such API), a proxy's page or any 5xx is not that: treating them so would
   * end every watch on a misconfigured endpoint.
   */
  get isNotFound(): boolean {
    if (this.kind !== 'http' || (this.status !== 400 && this.status !== 404)) return false;
    if (!this.code?.startsWith('SecMaster.')) return false;
    return this.code === 'SecMaster.20030005' || /not\s*(be\s*)?found|does not exist|not exist/i.test(this.message);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      call: this.call,
      status: this.status,
      code: this.code,
      message: this.message,
      requestId: this.requestId,
      encodedAuthorizationMessage: this.encodedAuthorizationMessage,
    };
  }
}

/**
 * The SecMaster failure `err` is. Anything else is a bug, thrown on unchanged, so that it reaches
 * the caller's internal-error handling (logged, and answered as an internal error) instead of being
 * shown as something SecMaster said.
 */
export function secMasterErrorOrRethrow(err: unknown): SecMasterError {
  if (err instanceof SecMasterError) return err;
  throw err;
}

/** A failure below HTTP as the call's error: `connect` when it certainly was not sent, else `network` (it may have run). */
export function fromTransportError(err: TransportError, call: string): SecMasterError {
  return new SecMasterError({
    kind: err.sent ? 'network' : 'connect',
    call,
    code: err.code,
    message: err.sent ? `no answer from SecMaster (${err.message})` : `could not reach SecMaster (${err.message})`,
    cause: err,
  });
}
