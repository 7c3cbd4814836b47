import type { SecMasterError } from '../../secmaster/errors';
import { code, safeText } from '../mrkdwn';

/**
 * One line a person can act on: HTTP status, SecMaster code, message and request ID, escaped; and,
 * for a policy denial that carries one, that an encoded authorization message exists.
 */
export function describeSecMasterError(err: SecMasterError): string {
  const parts: string[] = [];
  if (err.status !== undefined) parts.push(`HTTP ${err.status}`);
  if (err.code) parts.push(err.code);
  const head = parts.length > 0 ? `${code(parts.join(' · '), 80)} ` : '';
  const rid = err.requestId ? ` (request ID ${code(err.requestId, 120)})` : '';
  const retry = err.retryAfterMs !== undefined && err.status === 429 ? ` Try again in ${Math.ceil(err.retryAfterMs / 1000)} s.` : '';
  // The encoded message may only be read by whoever IAM lets decode it: say it exists, keep it in the log.
  const encoded = err.encodedAuthorizationMessage ? ' SecMaster attached an encoded authorization message; it is in the bot\'s log for an operator to decode (IAM DecodeAuthorizationMessage).' : '';
  return `${head}${safeText(err.message, 600)}${rid}${retry}${encoded}`;
}
