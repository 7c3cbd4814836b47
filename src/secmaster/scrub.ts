import { REDACTED } from '../log';
import { SecMasterError } from './errors';

/**
 * An error answer may quote the request it refused (API gateways echo a bad token, a signature or
 * the access key they could not match). The credential sent with that request is taken out of the
 * error's message here, at the source, so no caller can pass it on: not Slack, the audit trail, a
 * log line or the alert webhook's answer. Secrets known by value (configured ones, IAM tokens) are
 * also redacted at each of those outlets; this covers what only this request carried (its signature).
 */
export function withoutSentCredentials(err: SecMasterError, sentHeaders: Record<string, string>): SecMasterError {
  const values = sentCredentials(sentHeaders);
  const scrub = (text: string) => values.reduce((out, v) => (out.includes(v) ? out.split(v).join(REDACTED) : out), text);
  const message = scrub(err.message);
  const encoded = err.encodedAuthorizationMessage === undefined ? undefined : scrub(err.encodedAuthorizationMessage);
  if (message === err.message && encoded === err.encodedAuthorizationMessage) return err;
  return new SecMasterError({
    kind: err.kind,
    call: err.call,
    status: err.status,
    code: err.code,
    message,
    requestId: err.requestId,
    retryAfterMs: err.retryAfterMs,
    encodedAuthorizationMessage: encoded,
    cause: err.cause,
  });
}

/** The credential values in a request's headers, whole and in parts (the AK/SK header's access key and signature), longest first. */
function sentCredentials(headers: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (key === 'x-auth-token' || key === 'x-security-token') out.add(value);
    if (key === 'authorization') {
      out.add(value);
      for (const m of value.matchAll(/\b(?:Access|Signature)=([^,\s]+)/g)) out.add(m[1]!);
    }
  }
  return [...out].filter((v) => v.length >= 8).sort((a, b) => b.length - a.length);
}
