/**
 * The retry policy: reads are retried on 429 (honouring `Retry-After`), 5xx and connection errors
 * with full-jitter exponential backoff inside a time budget; a non-idempotent call (the operation
 * POST) is retried only when the request certainly never left this process.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts once this much time has passed since the first attempt. */
  budgetMs: number;
  /**
   * No call lasts longer than this in all: getting its credential, every attempt (each also bounded
   * by the transport's `requestTimeoutMs`), every pause, and the one repeat after a token renewal.
   * The operation lock's TTL is set well above it.
   */
  deadlineMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  // A person waits for the answer: no retry starts after 8 s, so they hear back within about 15 s.
  budgetMs: 8_000,
  // The last retry starts by 8 s and one request lasts at most 10 s (transport.ts): 20 s bounds it all.
  deadlineMs: 20_000,
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: Date.now,
};

/** Full jitter: uniform in [0, min(max, base·2^retry)], so a crowd of clients spreads out. */
export function backoffDelayMs(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(policy.random() * ceiling);
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Only HTTP-date forms (RFC 9110: IMF-fixdate, RFC 850, asctime): Date.parse alone accepts "-1" or "1 2".
  const httpDate = /^[A-Za-z]{3,9}, \d{2}[ -][A-Za-z]{3}[ -]\d{2,4} \d{2}:\d{2}:\d{2} GMT$|^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;
  if (!httpDate.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export type AttemptResult =
  | { kind: 'status'; status: number; retryAfterMs?: number }
  | { kind: 'transport'; sent: boolean };

/** Whether a failed attempt may be repeated, given whether the call is idempotent. */
export function isRetryable(result: AttemptResult, idempotent: boolean): boolean {
  if (result.kind === 'transport') return idempotent || !result.sent;
  if (!idempotent) return false;
  return result.status === 429 || result.status === 500 || result.status === 502 || result.status === 503 || result.status === 504;
}

/**
 * The delay before the next attempt, or undefined to stop: attempts used up, the budget spent, or a
 * `Retry-After` that would outlast the budget (better to tell the person now than to wait it out).
 */
export function nextDelayMs(result: AttemptResult, attempt: number, startedAt: number, policy: RetryPolicy): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const jitter = backoffDelayMs(attempt - 1, policy);
  const wanted = result.kind === 'status' && result.retryAfterMs !== undefined ? Math.max(result.retryAfterMs, jitter) : jitter;
  const elapsed = policy.now() - startedAt;
  if (elapsed + wanted > policy.budgetMs) return undefined;
  return wanted;
}
