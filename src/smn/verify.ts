import { verify as verifySignature } from 'node:crypto';
import type { CertificateSource, CertificateStep, SigningCertificate } from './certificates';
import type { SmnMessage } from './message';
import { stringsToSign } from './stringToSign';
import { checkTrustedUrl } from './trustedUrl';

/**
 * Verifies one SMN message the way the SMN user guide's "Message Signature Verification"
 * (smn_ug_a9003) lays out, with the local checks first so nothing is fetched for a message that
 * fails them: the signature version (`v1`, smn_ug_a9002), the timestamp (a replay window: a
 * message older than `maxAgeMs` is refused, so the store's record of message IDs, kept longer than
 * that, always catches a replay), the certificate URL's host rule, then the certificate (fetched or
 * cached) and the RSA signature over the string to sign, with the certificate's own hash.
 */
export type VerifyStep = 'signature_version' | 'timestamp' | 'cert_url' | CertificateStep | 'signature';

export type Verification = { ok: true; cert: SigningCertificate } | { ok: false; step: VerifyStep; reason: string };

export interface SmnVerifier {
  verify(message: SmnMessage): Promise<Verification>;
}

/** Older deliveries are refused; SMN's retries of one message (six at most) come well within it. */
export const SMN_MAX_MESSAGE_AGE_MS = 7 * 24 * 3_600_000;
/** Clocks differ; a message stamped a little in the future is still SMN's. */
const CLOCK_SKEW_MS = 15 * 60_000;

export function createSmnVerifier(deps: { trustedHosts: ReadonlySet<string>; certificates: CertificateSource; now?: () => number; maxAgeMs?: number }): SmnVerifier {
  const now = deps.now ?? Date.now;
  const maxAgeMs = deps.maxAgeMs ?? SMN_MAX_MESSAGE_AGE_MS;
  return {
    async verify(m) {
      if (m.signature_version.toLowerCase() !== 'v1') return { ok: false, step: 'signature_version', reason: `"${m.signature_version.slice(0, 8)}" is not v1` };
      const at = Date.parse(m.timestamp);
      const t = now();
      if (!(at >= t - maxAgeMs && at <= t + CLOCK_SKEW_MS)) return { ok: false, step: 'timestamp', reason: `${m.timestamp} is outside the accepted window` };
      const certUrl = checkTrustedUrl(m.signing_cert_url, deps.trustedHosts, { pem: true });
      if (!certUrl.ok) return { ok: false, step: 'cert_url', reason: certUrl.reason };
      const cert = await deps.certificates.get(certUrl.url);
      if (!cert.ok) return cert;
      const signature = Buffer.from(m.signature, 'base64');
      const signed = stringsToSign(m).some((text) => {
        try {
          return verifySignature(cert.cert.hash, Buffer.from(text, 'utf8'), cert.cert.publicKey, signature);
        } catch {
          return false;
        }
      });
      return signed ? { ok: true, cert: cert.cert } : { ok: false, step: 'signature', reason: `does not verify with the certificate at ${certUrl.url.href}` };
    },
  };
}
