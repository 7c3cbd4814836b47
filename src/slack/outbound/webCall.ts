import type { SendOutcome } from './queue';

/**
 * One Web API call, its failure told apart the way the queue needs: a 429 (not carried out, with
 * its `Retry-After`), a 5xx or network error (it may have been carried out), or Slack's own
 * `{ ok: false, error }` answer.
 */
interface SlackErrorLike {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string };
}

export async function webCall<T>(fn: () => Promise<T>): Promise<SendOutcome<T>> {
  try {
    return { kind: 'ok', value: await fn() };
  } catch (err) {
    const e = err as SlackErrorLike;
    if (e.code === 'slack_webapi_rate_limited_error') return { kind: 'rate_limited', retryAfterS: e.retryAfter ?? 1 };
    const error = e.data?.error ?? (e.code === 'slack_webapi_http_error' ? `http_${e.statusCode}` : e.code === 'slack_webapi_request_error' ? 'request_failed' : 'unknown_error');
    const transient = e.code === 'slack_webapi_request_error' || (e.code === 'slack_webapi_http_error' && (e.statusCode ?? 0) >= 500);
    return { kind: 'error', error, transient };
  }
}
