import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, isRawBodyError } from '@slack/bolt';
import type { Logger } from '../log';
import { sendJson } from '../http/json';

/**
 * Stands in front of Bolt's HTTP receiver and refuses, with a 400, a signed body that is not a JSON
 * object: Bolt 5.1 reads `body.ssl_check` of whatever it parsed, so a signed `null` (or
 * `payload=null`) throws inside its request handler, the request is never answered and the
 * rejection is unhandled. The body is read and verified with Bolt's own functions, exactly as the
 * receiver does, and handed on already buffered (Bolt then uses it as is), so a request without a
 * valid signature still gets Bolt's 401 and nothing else.
 */
export function guardSlackBodies(listener: RequestListener, opts: { signingSecret: string; bodyLimit: number; logger: Logger }): RequestListener {
  return (req, res) => {
    void screen(req, res).catch((err) => {
      opts.logger.error('could not screen a Slack request', { err });
      if (!res.headersSent) sendJson(res, 400, { ok: false, error: 'bad_request' });
    });
  };

  async function screen(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.parseAndVerifyHTTPRequest>>;
    try {
      buffered = await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ enabled: true, signingSecret: opts.signingSecret, bodyLimit: opts.bodyLimit }, req);
    } catch (err) {
      // The same answers Bolt's receiver gives: 413 for a body over the limit, 401 for the rest.
      const tooLarge = isRawBodyError(err) && (err.type === 'entity.too.large' || err.statusCode === 413);
      if (!tooLarge) opts.logger.warn('refused a Slack request whose signature did not verify', { err });
      HTTPModuleFunctions.buildNoBodyResponse(res, tooLarge ? 413 : 401);
      return;
    }
    let body: unknown;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
    } catch {
      body = undefined;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      opts.logger.warn('refused a signed Slack request whose body is not a JSON object', { kind: body === null ? 'null' : Array.isArray(body) ? 'array' : typeof body });
      sendJson(res, 400, { ok: false, error: 'malformed_body' });
      return;
    }
    listener(buffered, res);
  }
}
