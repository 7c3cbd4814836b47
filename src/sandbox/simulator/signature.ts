import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The simulator's own check of an SDK-HMAC-SHA256 signature, written from Huawei's API Request
 * Signing Guide and sharing no code with the bot's signer (an oracle that reuses the code under test
 * proves nothing; test/secmaster/sdkSigner.test.ts checks this verifier against Huawei's SDK core):
 * - constructing the canonical request, https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-002.html:
 *   method, URI (each path segment URI-encoded, ending in `/`), query (keys sorted, each key and value
 *   URI-encoded), the signed headers as `name:value` lower-cased and trimmed, their names, and the
 *   hex SHA-256 of the body as received;
 * - the string to sign, `SDK-HMAC-SHA256\n{X-Sdk-Date}\n{hex SHA-256 of the canonical request}`
 *   (api-sign-algorithm-003.html), and the signature, hex HMAC-SHA256 with the SK (api-sign-algorithm-004.html).
 * The gateway reads the path and query decoded, as a server does (the guide's Go signing demo takes
 * `URL.Path` and `URL.Query()`), so `+` in a query is a space.
 */

export interface ReceivedRequest {
  method: string;
  /** Path and query exactly as they arrived. */
  rawPath: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ParsedAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([a-z0-9-]+(?:;[a-z0-9-]+)*),\s*Signature=([0-9a-f]{64})$/;

export function parseSdkAuthorization(value: string): ParsedAuthorization | undefined {
  const m = AUTHORIZATION.exec(value.trim());
  return m ? { accessKey: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]! } : undefined;
}

/** RFC 3986: every byte but `A–Z a–z 0–9 - _ . ~` as `%XX`. */
function uriEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function headerValue(headers: ReceivedRequest['headers'], name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
}

/** The canonical request the gateway would build for this received request. */
export function canonicalRequestOf(req: ReceivedRequest, signedHeaders: string[]): string {
  const queryAt = req.rawPath.indexOf('?');
  const path = queryAt === -1 ? req.rawPath : req.rawPath.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : req.rawPath.slice(queryAt + 1));

  let uri = path.split('/').map((s) => uriEncode(decodeSegment(s))).join('/');
  if (!uri.endsWith('/')) uri += '/';

  const pairs = [...query].map(([k, v]) => [uriEncode(k), uriEncode(v)] as const);
  pairs.sort(([ka, va], [kb, vb]) => (ka === kb ? (va < vb ? -1 : va > vb ? 1 : 0) : ka < kb ? -1 : 1));

  const names = [...signedHeaders].sort();
  return [
    req.method.toUpperCase(),
    uri,
    pairs.map(([k, v]) => `${k}=${v}`).join('&'),
    names.map((n) => `${n}:${headerValue(req.headers, n)}\n`).join(''),
    names.join(';'),
    createHash('sha256').update(req.body).digest('hex'),
  ].join('\n');
}

/** True when `auth.signature` is what the SK gives for this request and date. */
export function signatureMatches(req: ReceivedRequest, auth: ParsedAuthorization, sdkDate: string, secretKey: string): boolean {
  const hashed = createHash('sha256').update(canonicalRequestOf(req, auth.signedHeaders)).digest('hex');
  const expected = createHmac('sha256', secretKey).update(`SDK-HMAC-SHA256\n${sdkDate}\n${hashed}`).digest('hex');
  return timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature));
}
