import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { readBody } from '../http/body';
import { sendJson } from '../http/json';
import type { Route } from '../http/server';
import type { Logger } from '../log';
import { firstIssue, parseJsonOrUndefined } from '../util/json';
import { alertFields, CHANNEL_ERRORS } from './fields';
import type { AlertPublisher } from './publish';

/**
 * `POST /alerts` for the tools that raise alerts (spec section 6): a bearer token compared in
 * constant time, a zod-checked body (400 naming the field), then the instance is read and an alert
 * card with the buttons its status allows is posted (and kept current like any status card). When
 * Slack's limit holds the post longer than a few seconds the answer is 202 `queued`: the card is
 * stored and posted as soon as Slack allows.
 */
const alertBody = z.object(alertFields);

const BODY_LIMIT = 16 * 1024;

/** How long the sender waits for the post before it is told `queued` (spec: "more than a few seconds"). */
export const ALERT_ANSWER_WITHIN_MS = 3_000;

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares digests, so neither the token's length nor its content leaks through timing. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return timingSafeEqual(sha256(m?.[1]?.trim() ?? ''), sha256(token)) && Boolean(m);
}

export function alertRoute(deps: { token: string | undefined; alerts: AlertPublisher; logger: Logger }): Route {
  return {
    method: 'POST',
    path: '/alerts',
    handler: async (req, res) => {
      if (!deps.token) return sendJson(res, 404, { ok: false, error: 'not_found' });
      if (!bearerMatches(req.headers.authorization, deps.token)) {
        req.resume();
        return sendJson(res, 401, { ok: false, error: 'invalid_token' }, { 'www-authenticate': 'Bearer' });
      }
      const raw = await readBody(req, BODY_LIMIT);
      if (!raw) return sendJson(res, 413, { ok: false, error: 'payload_too_large', limit: BODY_LIMIT });
      const json = parseJsonOrUndefined(raw.toString('utf8'));
      if (json === undefined) return sendJson(res, 400, { ok: false, error: 'invalid_json', message: 'the body is not JSON' });
      const parsed = alertBody.safeParse(json);
      if (!parsed.success) {
        const { field, message } = firstIssue(parsed.error);
        return sendJson(res, 400, { ok: false, error: 'invalid_body', field, message: `${field}: ${message}` });
      }
      const a = parsed.data;
      const posted = await deps.alerts.instanceAlertOrQueue({ channel: a.channel, instanceId: a.instance_id, workspaceId: a.workspace_id, title: a.title, severity: a.severity }, ALERT_ANSWER_WITHIN_MS);
      if (!posted.ok && posted.stage === 'instance') {
        const e = posted.error;
        return sendJson(res, e.isNotFound ? 404 : 502, {
          ok: false,
          error: e.isNotFound ? 'instance_not_found' : 'secmaster_unavailable',
          code: e.code,
          message: deps.logger.redact.text(e.message),
          request_id: e.requestId,
        });
      }
      if (!posted.ok) return sendJson(res, CHANNEL_ERRORS.has(posted.error) ? 400 : 502, { ok: false, error: posted.error });
      if ('queued' in posted) {
        deps.logger.info('alert card queued for Slack', { channel: a.channel, instance_id: a.instance_id });
        return sendJson(res, 202, { ok: true, queued: true, channel: a.channel });
      }
      deps.logger.info('alert card posted', { channel: a.channel, ts: posted.ts, instance_id: a.instance_id });
      return sendJson(res, 200, { ok: true, channel: a.channel, ts: posted.ts });
    },
  };
}
