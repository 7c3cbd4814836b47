import type { HttpRequest } from '../transport';

/** A credential for Huawei Cloud: exactly one kind is configured (AK/SK signing, IAM password login, or a ready token). */
export type CloudCredential =
  | { kind: 'aksk'; accessKey: string; secretKey: string }
  | { kind: 'password'; domain: string; user: string; password: string; iamEndpoint: string }
  | { kind: 'token'; token: string };

/**
 * How a request to SecMaster gets its credential. The client asks for headers just before each
 * attempt (AK/SK signs every attempt afresh) and, on a 401 with gateway code 0301
 * (`APIGW.0301` from the public gateway, `APIG.0301` from a dedicated one), asks once for a renewal.
 */
export interface Authenticator {
  /** The request's headers with the credential added (and, for AK/SK, signed). */
  authorize(req: HttpRequest): Promise<Record<string, string>>;
  /**
   * Called after a 401 `APIGW.0301` / `APIG.0301` on a request sent with `used` headers. Resolves true when a
   * repeat of the call may succeed (a fresh IAM token); false when nothing would change.
   */
  renew(used: Record<string, string>): Promise<boolean>;
}
