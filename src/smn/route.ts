import { readBody } from '../http/body';
import { sendJson } from '../http/json';
import type { Route } from '../http/server';
import type { SmnReceiver } from './receiver';

/**
 * `POST /smn` (spec section 9): 404 while `SMN_TOPICS` is unset, 413 past the body limit, else
 * whatever the receiver answers. SMN messages are at most 256 KB (SMN user guide, "JSON Message
 * Format"); JSON escaping can double that, hence the limit.
 */
export const SMN_PATH = '/smn';
export const SMN_BODY_LIMIT = 512 * 1024;

export function smnRoute(receiver: SmnReceiver | undefined): Route {
  return {
    method: 'POST',
    path: SMN_PATH,
    handler: async (req, res) => {
      if (!receiver) {
        req.resume();
        return sendJson(res, 404, { ok: false, error: 'not_found' });
      }
      const raw = await readBody(req, SMN_BODY_LIMIT);
      if (!raw) return sendJson(res, 413, { ok: false, error: 'payload_too_large', limit: SMN_BODY_LIMIT });
      const answer = await receiver.receive(req.headers, raw);
      return sendJson(res, answer.status, answer.body, answer.headers);
    },
  };
}
