import { Agent, request, type Dispatcher } from 'undici';

/**
 * The only HTTP the SMN receiver makes: a GET of a URL that already passed the host rule
 * (`trustedUrl.ts`), bounded in time and size, never following a redirect (undici's `request` has
 * no redirect handling unless asked for it, so a 3xx is just an answer that is not 200). TLS is
 * verified as usual against Node's CA store, so `NODE_EXTRA_CA_CERTS` works; the sandbox alone
 * injects its own CA through `ca`, which nothing in the environment can set.
 */
export type HttpsGetResult = { ok: true; status: number; body: Buffer } | { ok: false; reason: string };

export type HttpsGet = (url: URL, limits?: { maxBytes?: number }) => Promise<HttpsGetResult>;

export interface HttpsGetOptions {
  /** Whole request, connection to last byte. */
  timeoutMs?: number;
  maxBytes?: number;
  /** PEM CA certificates to trust instead of Node's store: the sandbox's own CA, nothing else. */
  ca?: string;
  dispatcher?: Dispatcher;
}

export interface HttpsGetter {
  get: HttpsGet;
  close(): Promise<void>;
}

export const SMN_GET_TIMEOUT_MS = 5_000;

export function createHttpsGetter(opts: HttpsGetOptions = {}): HttpsGetter {
  const timeoutMs = opts.timeoutMs ?? SMN_GET_TIMEOUT_MS;
  const defaultMaxBytes = opts.maxBytes ?? 64 * 1024;
  const dispatcher =
    opts.dispatcher ??
    new Agent({
      connect: { timeout: timeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connections: 4,
    });

  return {
    async get(url, limits) {
      const maxBytes = limits?.maxBytes ?? defaultMaxBytes;
      if (url.protocol !== 'https:') return { ok: false, reason: 'only https:// is fetched' };
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const res = await request(url, { method: 'GET', dispatcher, signal, headers: { accept: '*/*' } });
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > maxBytes) {
          res.body.destroy();
          return { ok: false, reason: `answer of ${declared} bytes is over ${maxBytes}` };
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > maxBytes) {
            res.body.destroy();
            return { ok: false, reason: `answer is over ${maxBytes} bytes` };
          }
          chunks.push(chunk as Buffer);
        }
        return { ok: true, status: res.statusCode, body: Buffer.concat(chunks) };
      } catch (err) {
        const e = err as { code?: string; name?: string; message?: string };
        if (signal.aborted) return { ok: false, reason: `no answer within ${timeoutMs} ms` };
        return { ok: false, reason: e.code ?? e.name ?? 'request failed' };
      }
    },
    async close() {
      if (!opts.dispatcher) await dispatcher.close().catch(() => undefined);
    },
  };
}
