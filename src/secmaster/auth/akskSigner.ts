import { createHash, createHmac } from 'node:crypto';

/**
 * Huawei Cloud SDK-HMAC-SHA256 request signing on `node:crypto`, tested against the reference
 * vectors (`shared/reference/secmaster-api.md`). The payload hash covers the exact bytes sent.
 */

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SignableRequest {
  method: string;
  url: URL;
  /** Header names in any case; values as they will be sent. */
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface SignOptions {
  accessKey: string;
  secretKey: string;
  /** `YYYYMMDDTHHMMSSZ`; derived from `now` when absent. */
  sdkDate?: string;
  now?: Date;
  /** Lower-case header names to sign; default: every header given plus host and x-sdk-date. */
  signedHeaders?: string[];
}

/** RFC 3986 percent-encoding: unreserved characters kept, everything else encoded (incl. `!'()*`). */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function formatSdkDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Each path segment encoded, plus the trailing `/` that only the signature sees. */
export function canonicalUri(pathname: string): string {
  const segments = pathname.split('/').map((seg) => percentEncode(safeDecode(seg)));
  const joined = segments.join('/');
  return joined.endsWith('/') ? joined : `${joined}/`;
}

/** Pairs sorted by key then value, each encoded like the path. */
export function canonicalQuery(params: URLSearchParams): string {
  const pairs: Array<[string, string]> = [];
  params.forEach((value, key) => pairs.push([percentEncode(key), percentEncode(value)]));
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Encodes a query object the way the signer canonicalises it (arrays repeat the key). */
export function encodeQuery(query: Record<string, string | number | boolean | Array<string | number | boolean>>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
  }
  return canonicalQuery(params);
}

function safeDecode(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hostHeader(url: URL): string {
  // `url.host` carries the port only when the URL names a non-default one, which is what is wanted.
  return url.host;
}

export interface SignedParts {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
  sdkDate: string;
  authorization: string;
}

/** Computes every stage of the signature (tests compare the stages with Huawei's SDK core). */
export function computeSignature(req: SignableRequest, opts: SignOptions): SignedParts {
  const sdkDate = opts.sdkDate ?? formatSdkDate(opts.now ?? new Date());
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) lower[k.toLowerCase()] = v;
  lower['host'] ??= hostHeader(req.url);
  lower['x-sdk-date'] = sdkDate;

  const names = (opts.signedHeaders ?? Object.keys(lower)).map((n) => n.toLowerCase()).sort();
  const canonicalHeaders = names.map((n) => `${n}:${(lower[n] ?? '').trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const body = req.body ?? '';
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri(req.url.pathname),
    canonicalQuery(req.url.searchParams),
    canonicalHeaders,
    signedHeaders,
    body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(body),
  ].join('\n');
  const stringToSign = `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', opts.secretKey).update(stringToSign).digest('hex');
  return {
    canonicalRequest,
    stringToSign,
    signature,
    signedHeaders,
    sdkDate,
    authorization: `${SIGNING_ALGORITHM} Access=${opts.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/**
 * Returns the headers to send: the given ones plus `X-Sdk-Date`, `host` and `Authorization`.
 * Signs `content-type;host;x-project-id;x-sdk-date` (whichever are present), the set Huawei recommends.
 */
export function signRequest(req: SignableRequest, opts: Omit<SignOptions, 'signedHeaders'>): Record<string, string> {
  const headers: Record<string, string> = { ...req.headers };
  const lowerNames = Object.keys(headers).map((k) => k.toLowerCase());
  const signed = ['content-type', 'x-project-id', 'x-security-token'].filter((n) => lowerNames.includes(n));
  signed.push('host', 'x-sdk-date');
  const parts = computeSignature(req, { ...opts, signedHeaders: signed });
  headers['X-Sdk-Date'] = parts.sdkDate;
  headers['Authorization'] = parts.authorization;
  return headers;
}
