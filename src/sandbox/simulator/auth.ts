import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parseSdkAuthorization, signatureMatches } from './signature';

/**
 * The simulator's side of the three credential kinds: IAM password login issuing expiring tokens,
 * ready tokens, and AK/SK signatures verified byte for byte (date window included), answering with
 * the API Gateway errors the real service gives. Gateway codes are returned as their numbers
 * (`0301`); the server writes them with the gateway's prefix.
 */

export interface SimulatorCredentials {
  /** AK → SK pairs that may sign requests. */
  accessKeys: Record<string, string>;
  /** IAM users that may log in. */
  users: Array<{ domain: string; user: string; password: string }>;
  /** Tokens accepted as they are (what `SECMASTER_AUTH_TOKEN` would hold). */
  staticTokens: string[];
  /** Lifetime of tokens issued by the IAM endpoint. */
  tokenTtlMs: number;
}

export type AuthCheck =
  | { ok: true; kind: 'aksk' | 'token' | 'iam_token'; principal: string }
  | { ok: false; status: number; gatewayCode: string; message: string };

export interface RequestFacts {
  method: string;
  /** Path and query exactly as received. */
  rawPath: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const DATE_WINDOW_MS = 15 * 60_000;

export class SimulatorAuth {
  private readonly issued = new Map<string, { expiresAt: number; user: string; projectId: string }>();
  /** Every successful login, newest last (tests check renewals). */
  readonly logins: Array<{ user: string; at: number; expiresAt: number }> = [];

  constructor(
    public creds: SimulatorCredentials,
    private readonly now: () => number = Date.now,
  ) {}

  /** Issues a token directly (simulator mode hands one to the bot without a password). */
  issueToken(user: string, projectId: string, ttlMs = this.creds.tokenTtlMs): { token: string; expiresAt: number } {
    const token = `MIIsim${randomBytes(24).toString('base64url')}`;
    const expiresAt = this.now() + ttlMs;
    this.issued.set(token, { expiresAt, user, projectId });
    return { token, expiresAt };
  }

  /** Revokes every issued token (to test the 401 → renew → repeat path). */
  revokeIssued(): void {
    this.issued.clear();
  }

  login(body: unknown): { ok: true; token: string; expiresAt: number; user: string; projectId: string } | { ok: false; status: number; message: string } {
    const b = body as {
      auth?: { identity?: { methods?: string[]; password?: { user?: { domain?: { name?: string }; name?: string; password?: string } } }; scope?: { project?: { id?: string } } };
    };
    const u = b?.auth?.identity?.password?.user;
    const projectId = b?.auth?.scope?.project?.id;
    if (!u || !b.auth?.identity?.methods?.includes('password') || !projectId) return { ok: false, status: 400, message: 'The request body is invalid.' };
    const match = this.creds.users.find((c) => c.domain === u.domain?.name && c.user === u.name && safeEqual(c.password, u.password ?? ''));
    if (!match) return { ok: false, status: 401, message: 'The username or password is wrong.' };
    const { token, expiresAt } = this.issueToken(match.user, projectId);
    this.logins.push({ user: match.user, at: this.now(), expiresAt });
    return { ok: true, token, expiresAt, user: match.user, projectId };
  }

  check(req: RequestFacts, projectId: string): AuthCheck {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    };
    const authz = header('authorization');
    if (authz?.startsWith('SDK-HMAC-SHA256')) return this.checkSignature(req, authz, header);
    const token = header('x-auth-token');
    if (token) {
      if (this.creds.staticTokens.some((t) => safeEqual(t, token))) return { ok: true, kind: 'token', principal: 'static-token' };
      const issued = this.issued.get(token);
      if (!issued || issued.expiresAt <= this.now()) return unauthorized('0301', 'Incorrect IAM authentication information: decrypt token fail');
      if (issued.projectId !== projectId) return { ok: false, status: 403, gatewayCode: '0302', message: 'The IAM user is not authorized to access the project' };
      return { ok: true, kind: 'iam_token', principal: issued.user };
    }
    return unauthorized('0301', 'Incorrect IAM authentication information: no credential');
  }

  private checkSignature(req: RequestFacts, authz: string, header: (n: string) => string | undefined): AuthCheck {
    const parsed = parseSdkAuthorization(authz);
    if (!parsed) return unauthorized('0301', 'Incorrect IAM authentication information: malformed Authorization');
    // The AK comes from the request: only the simulator's own keys count, never Object's members.
    const sk = Object.hasOwn(this.creds.accessKeys, parsed.accessKey) ? this.creds.accessKeys[parsed.accessKey] : undefined;
    if (!sk) return unauthorized('0301', 'Incorrect IAM authentication information: Get secretKey failed, err:ak not exist');
    const sdkDate = header('x-sdk-date');
    const when = sdkDate ? parseSdkDate(sdkDate) : NaN;
    if (!sdkDate || Number.isNaN(when)) return unauthorized('0301', 'Incorrect IAM authentication information: missing X-Sdk-Date');
    if (Math.abs(this.now() - when) > DATE_WINDOW_MS) return unauthorized('0303', 'Incorrect IAM authentication information: signature expired');
    if (!signatureMatches(req, parsed, sdkDate, sk)) return unauthorized('0301', 'Incorrect IAM authentication information: verify aksk signature fail');
    return { ok: true, kind: 'aksk', principal: parsed.accessKey };
  }
}

function unauthorized(gatewayCode: string, message: string): AuthCheck {
  return { ok: false, status: 401, gatewayCode, message };
}

function parseSdkDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
