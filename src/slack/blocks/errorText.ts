import type { SecMasterError } from '../../secmaster/errors';
import { code, safeText } from '../mrkdwn';

/** One line a person can act on: HTTP status, SecMaster code, message and request ID, escaped. */
export function describeSecMasterError(err: SecMasterError): string {
  const parts: string[] = [];
  if (err.status !== undefined) parts.push(`HTTP ${err.status}`);
  if (err.code) parts.push(err.code);
  const head = parts.length > 0 ? `${code(parts.join(' · '), 80)} ` : '';
  const rid = err.requestId ? ` (request ID ${code(err.requestId, 120)})` : '';
  const retry = err.retryAfterMs !== undefined && err.status === 429 ? ` Try again in ${Math.ceil(err.retryAfterMs / 1000)} s.` : '';
  return `${head}${safeText(err.message, 600)}${rid}${retry}`;
}
