import { z } from 'zod';
import { SecMasterError } from '../errors';
import type { RetryPolicy } from '../retry';
import { errorFromResponse, sendWithRetry } from '../send';
import type { Transport } from '../transport';
import type { Authenticator } from './types';
import { parseJsonOrUndefined } from '../../util/json';

/**
 * IAM password login: a project-scoped token, cached and renewed well before it expires. One login
 * is shared by every concurrent caller; while the token is still valid but inside the renewal
 * window, callers keep using it and one background login replaces it.
 */
export interface IamPasswordOptions {
  transport: Transport;
  iamEndpoint: string;
  domain: string;
  user: string;
  password: string;
  projectId: string;
  /** Renew this long before `expires_at` (the Huawei SDK uses 40 minutes); capped at half the token's life. */
  renewBeforeMs?: number;
  now?: () => number;
  retry?: RetryPolicy;
  /** Told of every successful login (metrics: IAM logins). */
  onLogin?: () => void;
  /** Told of every token obtained, before it is used: the redactor adds it to the secrets it hides. */
  onToken?: (token: string) => void;
}

interface CachedToken {
  token: string;
  expiresAt: number;
  renewAt: number;
}

const loginAnswer = z.looseObject({ token: z.looseObject({ expires_at: z.string() }) });
const CALL = 'POST /v3/auth/tokens';
/** Below this much remaining life a token is not used any more: the call waits for a new one. */
const MIN_REMAINING_MS = 60_000;

export function createIamPasswordAuthenticator(opts: IamPasswordOptions): Authenticator & { logins(): number } {
  const now = opts.now ?? Date.now;
  const renewBeforeMs = opts.renewBeforeMs ?? 40 * 60_000;
  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;
  let logins = 0;

  const url = new URL(`${opts.iamEndpoint.replace(/\/+$/, '')}/v3/auth/tokens?nocatalog=true`);
  const body = JSON.stringify({
    auth: {
      identity: { methods: ['password'], password: { user: { domain: { name: opts.domain }, name: opts.user, password: opts.password } } },
      scope: { project: { id: opts.projectId } },
    },
  });

  async function login(): Promise<CachedToken> {
    const issuedAt = now();
    const res = await sendWithRetry(
      opts.transport,
      async () => ({ method: 'POST', url, headers: { 'content-type': 'application/json;charset=UTF-8' }, body }),
      // A login creates a token and revokes nothing: safe to repeat.
      { call: CALL, idempotent: true, policy: opts.retry },
    );
    if (res.status !== 201 && res.status !== 200) throw errorFromResponse(res, CALL);
    const token = res.headers['x-subject-token'];
    const parsed = loginAnswer.safeParse(parseJsonOrUndefined(res.body));
    const expiresAt = parsed.success ? Date.parse(parsed.data.token.expires_at) : NaN;
    if (!token || Number.isNaN(expiresAt)) {
      throw new SecMasterError({ kind: 'invalid_response', call: CALL, status: res.status, message: 'IAM answered without a token or its expiry', requestId: res.headers['x-request-id'] });
    }
    opts.onToken?.(token);
    logins++;
    opts.onLogin?.();
    const margin = Math.min(renewBeforeMs, Math.max(0, (expiresAt - issuedAt) / 2));
    return { token, expiresAt, renewAt: expiresAt - margin };
  }

  function sharedLogin(): Promise<CachedToken> {
    inflight ??= login()
      .then((t) => {
        cached = t;
        return t;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  async function currentToken(): Promise<string> {
    const t = now();
    if (cached && t < cached.renewAt) return cached.token;
    if (cached && t < cached.expiresAt - MIN_REMAINING_MS) {
      // Still good: use it and renew in the background. A failed background login is retried by the next caller.
      sharedLogin().catch(() => undefined);
      return cached.token;
    }
    return (await sharedLogin()).token;
  }

  return {
    async authorize(req) {
      return { ...req.headers, 'X-Auth-Token': await currentToken() };
    },
    async renew(used) {
      // Only the first caller holding the refused token forces a login; the others reuse its result.
      if (cached && used['X-Auth-Token'] === cached.token) cached = undefined;
      if (!cached) await sharedLogin();
      return true;
    },
    logins: () => logins,
  };
}
