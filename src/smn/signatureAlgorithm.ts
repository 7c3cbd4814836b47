/**
 * Which hash an SMN signing certificate asks for. Huawei's own samples verify with the certificate's
 * signature algorithm (Java: `Signature.getInstance(cert.getSigAlgName())`; Node: jsrsasign's
 * `getSignatureAlgorithmField()`), SMN user guide, appendix "HTTP/HTTPS Messages" → "Sample Code"
 * (smn_ug_a9004). Node 20's `X509Certificate` does not expose that field, so this reads the one
 * AlgorithmIdentifier it needs from the DER (RFC 5280 §4.1: Certificate ::= SEQUENCE {
 * tbsCertificate, signatureAlgorithm, signatureValue }). Only RSA PKCS#1 v1.5 with SHA-2 is
 * accepted: SHA-1 signatures are forgeable in practice, and SMN signs with SHA256withRSA.
 */
const RSA_SHA2: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

export type SignatureHash = 'sha256' | 'sha384' | 'sha512';

export type SignatureAlgorithm = { ok: true; hash: SignatureHash; oid: string } | { ok: false; reason: string };

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** One DER tag-length-value at `at`; undefined when it runs past the end or uses an indefinite length. */
function readTlv(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const bytes = len & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) return undefined;
    len = 0;
    for (let i = 0; i < bytes; i++) len = len * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + len;
  return end > limit ? undefined : { tag, start, end };
}

function oidToString(bytes: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

const SEQUENCE = 0x30;
const OID = 0x06;

/** The hash of the certificate's own signature algorithm, or why it cannot be used. */
export function signatureAlgorithmOf(der: Uint8Array): SignatureAlgorithm {
  const cert = readTlv(der, 0, der.length);
  if (!cert || cert.tag !== SEQUENCE) return { ok: false, reason: 'not a DER certificate' };
  const tbs = readTlv(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== SEQUENCE) return { ok: false, reason: 'no tbsCertificate' };
  const alg = readTlv(der, tbs.end, cert.end);
  if (!alg || alg.tag !== SEQUENCE) return { ok: false, reason: 'no signatureAlgorithm' };
  const oid = readTlv(der, alg.start, alg.end);
  if (!oid || oid.tag !== OID) return { ok: false, reason: 'no signature algorithm OID' };
  const dotted = oidToString(der.subarray(oid.start, oid.end));
  const hash = RSA_SHA2[dotted];
  return hash ? { ok: true, hash, oid: dotted } : { ok: false, reason: `signature algorithm ${dotted} is not RSA with SHA-256/384/512` };
}
