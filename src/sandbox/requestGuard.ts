import type { IncomingMessage } from 'node:http';
import { sendJson } from '../http/json';
import type { RouteHandler } from '../http/server';

/**
 * The sandbox's routes sign Slack requests as any demo user, including the lead who may terminate,
 * so only the page served from this machine may call them. The server listens on 127.0.0.1, but a
 * web page elsewhere can still reach it through the visitor's browser:
 * - DNS rebinding: a name the attacker controls is re-pointed at 127.0.0.1, and the browser treats
 *   the sandbox as that page's own origin. The `Host` header then names the attacker's host, so
 *   every sandbox route requires a loopback `Host`.
 * - Cross-site requests: a form or a `fetch` in `no-cors` mode may POST `text/plain` or a form
 *   encoding to any origin without asking first. A `content-type: application/json` request from
 *   another origin needs a CORS preflight, which the sandbox never grants, and browsers send
 *   `Origin` on every POST: so the sandbox's POSTs require JSON and an `Origin` that is this very
 *   origin (`http://` + the loopback `Host`).
 */

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The request's `Host` as an origin (`http://localhost:3000`), when it names this machine; else undefined. */
export function loopbackOrigin(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (!host) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return undefined;
  }
  // `Host: localhost:3000/x` or `user@localhost` would parse too: only a bare host and port is a Host.
  if (url.host !== host.toLowerCase() || !LOOPBACK_HOSTNAMES.has(url.hostname)) return undefined;
  return url.origin;
}

function isJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && /^application\/json\s*(;|$)/i.test(type.trim());
}

/** Any sandbox route: answered only when `Host` names this machine. */
export function loopbackOnly(handler: RouteHandler): RouteHandler {
  return (req, res, url) => {
    if (!loopbackOrigin(req)) {
      req.resume();
      return sendJson(res, 403, { ok: false, error: 'forbidden_host', detail: 'the sandbox answers only requests addressed to localhost' });
    }
    return handler(req, res, url);
  };
}

/** A sandbox POST: a loopback `Host`, an `Origin` that is that same origin, and a JSON body. */
export function sameOriginJson(handler: RouteHandler): RouteHandler {
  return loopbackOnly((req, res, url) => {
    if (req.headers.origin !== loopbackOrigin(req)) {
      req.resume();
      return sendJson(res, 403, { ok: false, error: 'cross_origin', detail: 'the sandbox answers only its own page' });
    }
    if (!isJson(req)) {
      req.resume();
      return sendJson(res, 415, { ok: false, error: 'unsupported_media_type', detail: 'send application/json' });
    }
    return handler(req, res, url);
  });
}
