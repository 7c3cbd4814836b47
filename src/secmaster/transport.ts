import { Agent, Pool, request, type Dispatcher } from 'undici';
import { USER_AGENT } from '../version';

/**
 * The only module that performs HTTP to SecMaster and IAM. It knows nothing of retries or
 * credentials: it sends one request over an injected undici dispatcher and says, when it fails,
 * whether the request can have reached the server (the distinction that keeps the operation POST
 * from ever being sent twice).
 */

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

/** A failure below HTTP. `sent` is false only when the request certainly never left this process. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly sent: boolean,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface TimeoutOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  connectionsPerOrigin: number;
}

export const DEFAULT_TIMEOUTS: TimeoutOptions = {
  connectTimeoutMs: 3_000,
  // SecMaster answers in well under a second; 6 s of silence means trouble, and a person is waiting.
  headersTimeoutMs: 6_000,
  bodyTimeoutMs: 6_000,
  keepAliveTimeoutMs: 30_000,
  connectionsPerOrigin: 32,
};

/** One keep-alive `Pool` per origin (SecMaster, IAM), with explicit timeouts. */
export function createSecMasterDispatcher(t: TimeoutOptions = DEFAULT_TIMEOUTS): Dispatcher {
  return new Agent({
    factory: (origin, opts) => new Pool(origin, { ...opts, connections: t.connectionsPerOrigin }),
    connect: { timeout: t.connectTimeoutMs },
    headersTimeout: t.headersTimeoutMs,
    bodyTimeout: t.bodyTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    keepAliveMaxTimeout: t.keepAliveTimeoutMs,
  });
}

/** Codes undici or the OS give when no byte of the request was written. */
const NOT_SENT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface TransportOptions {
  dispatcher: Dispatcher;
  timeouts?: Pick<TimeoutOptions, 'headersTimeoutMs' | 'bodyTimeoutMs'>;
}

export function createTransport({ dispatcher, timeouts = DEFAULT_TIMEOUTS }: TransportOptions): Transport {
  return async (req) => {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(req.url, {
        dispatcher,
        method: req.method,
        // Not signed (the signer signs only the headers it names), so adding it changes no signature.
        headers: { 'user-agent': USER_AGENT, ...req.headers },
        body: req.body,
        headersTimeout: timeouts.headersTimeoutMs,
        bodyTimeout: timeouts.bodyTimeoutMs,
      });
    } catch (err) {
      throw toTransportError(err);
    }
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_RESPONSE_BYTES) {
          res.body.destroy();
          throw new TransportError(`answer larger than ${MAX_RESPONSE_BYTES} bytes`, 'RESPONSE_TOO_LARGE', true);
        }
        chunks.push(chunk as Buffer);
      }
      return { status: res.statusCode, headers: flattenHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8') };
    } catch (err) {
      throw err instanceof TransportError ? err : toTransportError(err);
    }
  };
}

function toTransportError(err: unknown): TransportError {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? 'UNKNOWN';
  const sent = !NOT_SENT_CODES.has(code);
  const what = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? 'timed out waiting for SecMaster' : (e?.message ?? 'connection failed');
  return new TransportError(what, code, sent);
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
