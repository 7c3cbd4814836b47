import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalInstanceId, isInstanceId } from '../domain/command';
import type { Logger } from '../log';
import { asSecMasterError } from '../secmaster/errors';
import type { SecMasterClient } from '../secmaster/client';
import type { CardService } from '../slack/cards/cardService';
import { readBody } from './body';
import { sendJson } from './json';
import type { Route } from './server';
import { firstIssue, parseJsonOrUndefined } from '../util/json';
import { SLACK_CHANNEL_ID_HINT, SLACK_CHANNEL_ID_PATTERN } from '../domain/slackIds';

/**
 * `POST /alerts` for the tools that raise alerts (spec section 6): a bearer token compared in
 * constant time, a zod-checked body (400 naming the field), then the instance is read and an alert
 * card with the buttons its status allows is posted (and kept current like any status card).
 */
const alertBody = z.object({
  channel: z.string({ error: 'required: a Slack channel ID like "C0INCIDENT"' }).regex(SLACK_CHANNEL_ID_PATTERN, SLACK_CHANNEL_ID_HINT),
  instance_id: z.string({ error: 'required: the playbook instance ID' }).refine(isInstanceId, 'must be 1–64 letters, digits, - or _'),
  workspace_id: z.string().refine(isInstanceId, 'must be 1–64 letters, digits, - or _').optional(),
  title: z.string().max(200, 'must be at most 200 characters').optional(),
  severity: z.string().max(40, 'must be at most 40 characters').optional(),
});

const BODY_LIMIT = 16 * 1024;
const CHANNEL_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares digests, so neither the token's length nor its content leaks through timing. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return timingSafeEqual(sha256(m?.[1]?.trim() ?? ''), sha256(token)) && Boolean(m);
}

export function alertRoute(deps: { token: string | undefined; secmaster: SecMasterClient; cards: CardService; defaultWorkspaceId: string; logger: Logger }): Route {
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
      const target = { workspaceId: a.workspace_id ?? deps.defaultWorkspaceId, instanceId: canonicalInstanceId(a.instance_id) };
      let answer;
      try {
        answer = await deps.secmaster.getInstance(target);
      } catch (err) {
        const e = asSecMasterError(err);
        return sendJson(res, e.isNotFound ? 404 : 502, {
          ok: false,
          error: e.isNotFound ? 'instance_not_found' : 'secmaster_unavailable',
          code: e.code,
          message: e.message,
          request_id: e.requestId,
        });
      }
      const posted = await deps.cards.publish({
        channel: a.channel,
        instance: answer.data,
        target,
        card: { kind: 'alert', title: a.title, severity: a.severity, requestId: answer.requestId },
        placement: { kind: 'new' },
      });
      if (!posted.ok) return sendJson(res, CHANNEL_ERRORS.has(posted.error) ? 400 : 502, { ok: false, error: posted.error });
      deps.logger.info('alert card posted', { channel: a.channel, ts: posted.value.ts, instance_id: target.instanceId });
      return sendJson(res, 200, { ok: true, channel: a.channel, ts: posted.value.ts });
    },
  };
}
