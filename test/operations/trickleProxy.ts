import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A SecMaster stand-in in front of the simulator that can trickle an answer's body: the headers come
 * at once, then the body one byte per `byteEveryMs`. undici's body timeout restarts on every chunk,
 * so a client that bounds only the silence between chunks waits for as long as the trickle lasts.
 */
export interface TrickleProxy {
  url: string;
  /** The next request matching `match` has its answer trickled. */
  trickleNext(match: (method: string, path: string) => boolean, byteEveryMs: number): void;
  /** How many requests were trickled. */
  trickled(): number;
  close(): Promise<void>;
}

export async function startTrickleProxy(target: string): Promise<TrickleProxy> {
  const pending: Array<{ match: (method: string, path: string) => boolean; byteEveryMs: number }> = [];
  let trickled = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const i = pending.findIndex((p) => p.match(req.method ?? 'GET', req.url ?? '/'));
      const slow = i >= 0 ? pending.splice(i, 1)[0] : undefined;
      const headers = { ...req.headers };
      delete headers.host;
      const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers }, (up) => {
        const body: Buffer[] = [];
        up.on('data', (c: Buffer) => body.push(c));
        up.on('end', () => {
          const all = Buffer.concat(body);
          const outHeaders = { ...up.headers };
          delete outHeaders['content-length'];
          res.writeHead(up.statusCode ?? 502, outHeaders);
          if (!slow) return res.end(all);
          trickled++;
          let at = 0;
          const tick = () => {
            if (res.destroyed) return;
            if (at >= all.length) return res.end();
            res.write(all.subarray(at, at + 1));
            at++;
            const t = setTimeout(() => {
              timers.delete(t);
              tick();
            }, slow.byteEveryMs);
            timers.add(t);
          };
          tick();
        });
      });
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    trickleNext: (match, byteEveryMs) => pending.push({ match, byteEveryMs }),
    trickled: () => trickled,
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
