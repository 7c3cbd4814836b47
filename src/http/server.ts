import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log';
import { createInFlight } from '../util/inflight';
import { sendJson } from './json';

/**
 * The one HTTP server on `PORT`: Slack requests go to Bolt's receiver; health, readiness, metrics,
 * the alert webhook and (in the sandbox) the sandbox page are plain routes. It counts requests in
 * flight so shutdown can stop intake and wait for them.
 */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface Route {
  method: string;
  /** Exact path, or a prefix ending in `*`. */
  path: string;
  handler: RouteHandler;
}

export interface HttpServer {
  server: http.Server;
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting connections and waits (up to `graceMs`) for requests in flight. */
  close(graceMs: number): Promise<void>;
}

/** Slack payloads are a few kilobytes; anything far larger is not from Slack. */
export const SLACK_BODY_LIMIT = 64 * 1024;

/**
 * The request target as a URL, or undefined when none can be made of it. Node hands over whatever
 * the request line said (origin-form `/path`, absolute-form `http://host/path`, or junk such as
 * `//` and `//[` that `new URL` refuses with ERR_INVALID_URL).
 */
export function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

export function createHttpServer(opts: { routes: Route[]; slack?: { path: string; listener: RequestListener; onAnswered?: (ms: number, status: number) => void }; logger: Logger }): HttpServer {
  const inFlight = createInFlight();
  let closing = false;

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    void inFlight.track(new Promise<void>((resolve) => res.on('close', () => resolve())));
    if (closing) res.setHeader('connection', 'close');
    const url = requestUrl(req.url);
    if (!url) {
      // `GET //`, `//[`, an absolute-form `http://`: a target no URL can be made of. Answered, never thrown.
      req.resume();
      return sendJson(res, 400, { ok: false, error: 'bad_request' });
    }
    try {
      if (opts.slack && url.pathname === opts.slack.path) {
        if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: 'method_not_allowed' }, { allow: 'POST' });
        if (Number(req.headers['content-length'] ?? 0) > SLACK_BODY_LIMIT) {
          req.resume();
          return sendJson(res, 413, { ok: false, error: 'payload_too_large' });
        }
        const onAnswered = opts.slack.onAnswered;
        if (onAnswered) res.on('finish', () => onAnswered(Number(process.hrtime.bigint() - started) / 1e6, res.statusCode));
        return opts.slack.listener(req, res);
      }
      const route = opts.routes.find((r) => r.method === req.method && (r.path.endsWith('*') ? url.pathname.startsWith(r.path.slice(0, -1)) : r.path === url.pathname));
      if (!route) {
        const known = opts.routes.some((r) => (r.path.endsWith('*') ? url.pathname.startsWith(r.path.slice(0, -1)) : r.path === url.pathname));
        return sendJson(res, known ? 405 : 404, { ok: false, error: known ? 'method_not_allowed' : 'not_found' });
      }
      Promise.resolve(route.handler(req, res, url)).catch((err) => {
        opts.logger.error('an HTTP route failed', { err, path: url.pathname });
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error' });
        else res.destroy();
      });
    } catch (err) {
      opts.logger.error('an HTTP request failed', { err, path: url.pathname });
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error' });
      else res.destroy();
    }
  });
  // Slack and load balancers keep connections alive; do not let idle ones hold shutdown up.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  return {
    server,
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    },
    async close(graceMs) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await inFlight.idle(graceMs);
      server.closeAllConnections();
      await closed;
    },
  };
}
