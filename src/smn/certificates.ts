import { X509Certificate, type KeyObject } from 'node:crypto';
import type { HttpsGet } from './httpsGet';
import { signatureAlgorithmOf, type SignatureHash } from './signatureAlgorithm';

/**
 * SMN signing certificates, fetched from `signing_cert_url` (SMN user guide, "Message Signature
 * Verification", smn_ug_a9003, steps 2–3: download the X.509 certificate over HTTPS, take its public
 * key) and kept by URL. Hardened past what the AWS SNS validators do: the cache is bounded (LRU) and
 * each entry expires (at the certificate's own end of validity, a day at most); concurrent messages
 * naming the same URL share one download; at most a few downloads run at once; a failed download is
 * remembered briefly so a burst of messages naming a bad URL costs one fetch; the certificate must
 * be within its validity period and hold an RSA key of at least 2048 bits.
 */
export interface SigningCertificate {
  publicKey: KeyObject;
  hash: SignatureHash;
  subject: string;
  fingerprint256: string;
}

export type CertificateStep = 'cert_fetch' | 'cert_parse' | 'cert_validity' | 'cert_key';

export type CertificateResult = { ok: true; cert: SigningCertificate } | { ok: false; step: CertificateStep; reason: string };

export interface CertificateSource {
  get(url: URL): Promise<CertificateResult>;
  /** How many certificates are cached (for tests and metrics). */
  size(): number;
}

export interface CertificateSourceOptions {
  get: HttpsGet;
  now?: () => number;
  maxEntries?: number;
  maxConcurrentFetches?: number;
  /** How long a failed download or a refused certificate is remembered. */
  failureTtlMs?: number;
}

const DAY_MS = 24 * 3_600_000;

interface Entry {
  result: CertificateResult;
  expiresAt: number;
}

/**
 * Parses and checks one downloaded certificate (PEM or DER). Node parses lazily: a certificate whose
 * outer structure reads can still throw on its key or dates, so every read is guarded (found by the
 * fuzz test in test/smn/signatureAlgorithm.test.ts).
 */
export function parseSigningCertificate(body: Buffer, now: number): CertificateResult & { validTo?: number } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(body);
  } catch (err) {
    return { ok: false, step: 'cert_parse', reason: `not an X.509 certificate (${(err as Error).message})` };
  }
  try {
    const validFrom = Date.parse(cert.validFrom);
    const validTo = Date.parse(cert.validTo);
    if (!(validFrom <= now && now <= validTo)) return { ok: false, step: 'cert_validity', reason: `not valid now (valid ${cert.validFrom} to ${cert.validTo})` };
    let key: KeyObject;
    try {
      key = cert.publicKey;
    } catch (err) {
      return { ok: false, step: 'cert_key', reason: `its public key cannot be read (${(err as Error).message})` };
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== 'rsa') return { ok: false, step: 'cert_key', reason: `the key is ${key.asymmetricKeyType ?? 'unknown'}, not RSA` };
    if (bits < 2048) return { ok: false, step: 'cert_key', reason: `the RSA key has ${bits} bits, fewer than 2048` };
    const alg = signatureAlgorithmOf(cert.raw);
    if (!alg.ok) return { ok: false, step: 'cert_parse', reason: alg.reason };
    return { ok: true, cert: { publicKey: key, hash: alg.hash, subject: cert.subject.replace(/\n/g, ', '), fingerprint256: cert.fingerprint256 }, validTo };
  } catch (err) {
    return { ok: false, step: 'cert_parse', reason: `the certificate cannot be read (${(err as Error).message})` };
  }
}

export function createCertificateSource(opts: CertificateSourceOptions): CertificateSource {
  const now = opts.now ?? Date.now;
  const maxEntries = opts.maxEntries ?? 16;
  const maxConcurrent = opts.maxConcurrentFetches ?? 4;
  const failureTtlMs = opts.failureTtlMs ?? 30_000;
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<CertificateResult>>();

  function remember(key: string, result: CertificateResult, expiresAt: number): void {
    cache.delete(key);
    cache.set(key, { result, expiresAt });
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
  }

  async function download(url: URL): Promise<CertificateResult> {
    const got = await opts.get(url);
    if (!got.ok) return { ok: false, step: 'cert_fetch', reason: got.reason };
    if (got.status !== 200) return { ok: false, step: 'cert_fetch', reason: `HTTP ${got.status}${got.status >= 300 && got.status < 400 ? ' (redirects are not followed)' : ''}` };
    const at = now();
    const parsed = parseSigningCertificate(got.body, at);
    if (parsed.ok) remember(url.href, { ok: true, cert: parsed.cert }, Math.min(parsed.validTo ?? at, at + DAY_MS));
    else remember(url.href, parsed, at + failureTtlMs);
    return parsed.ok ? { ok: true, cert: parsed.cert } : parsed;
  }

  return {
    async get(url) {
      const key = url.href;
      const hit = cache.get(key);
      if (hit && hit.expiresAt > now()) {
        // Refresh its place in the LRU order.
        cache.delete(key);
        cache.set(key, hit);
        return hit.result;
      }
      if (hit) cache.delete(key);
      const pending = inFlight.get(key);
      if (pending) return pending;
      if (inFlight.size >= maxConcurrent) return { ok: false, step: 'cert_fetch', reason: `${maxConcurrent} certificate downloads already under way` };
      const p = download(url)
        .then((r) => {
          if (!r.ok && r.step === 'cert_fetch') remember(key, r, now() + failureTtlMs);
          return r;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, p);
      return p;
    },
    size: () => cache.size,
  };
}
