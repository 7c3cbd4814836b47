import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { parseSigningCertificate } from '../../src/smn/certificates';
import { signatureAlgorithmOf } from '../../src/smn/signatureAlgorithm';
import { makeCertificate } from './openssl';

/**
 * The certificate's signature algorithm, read from DER made by `openssl`, and the reader's safety on
 * bytes nobody vouches for (a certificate URL on a trusted host can still serve garbage).
 */
test.each([
  ['sha256', '1.2.840.113549.1.1.11'],
  ['sha384', '1.2.840.113549.1.1.12'],
  ['sha512', '1.2.840.113549.1.1.13'],
] as const)('an openssl certificate signed with %s reads as %s', (hash, oid) => {
  const der = new X509Certificate(makeCertificate({ hash }).certPem).raw;
  expect(signatureAlgorithmOf(der)).toEqual({ ok: true, hash, oid });
});

test('SHA-1 and ECDSA certificates are named and refused', () => {
  expect(signatureAlgorithmOf(new X509Certificate(makeCertificate({ hash: 'sha1' }).certPem).raw)).toEqual({ ok: false, reason: expect.stringContaining('1.2.840.113549.1.1.5 ') });
  expect(signatureAlgorithmOf(new X509Certificate(makeCertificate({ key: 'ec' }).certPem).raw)).toEqual({ ok: false, reason: expect.stringContaining('1.2.840.10045.4.3.2 ') });
});

describe('never throws', () => {
  const der = () => new X509Certificate(makeCertificate().certPem).raw;

  test('on every truncation of a real certificate', () => {
    const full = der();
    for (let n = 0; n < full.length; n++) {
      const r = signatureAlgorithmOf(full.subarray(0, n));
      // A prefix may still hold the algorithm (it sits before the signature value); it never throws.
      expect(typeof r.ok).toBe('boolean');
    }
  });

  test('on random bytes, and on a real certificate with random bytes changed', () => {
    const full = der();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        expect(typeof signatureAlgorithmOf(bytes).ok).toBe('boolean');
        expect(parseSigningCertificate(Buffer.from(bytes), Date.now()).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: full.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const copy = Buffer.from(full);
        for (const [at, v] of edits) copy[at] = v;
        expect(typeof signatureAlgorithmOf(copy).ok).toBe('boolean');
        expect(typeof parseSigningCertificate(copy, Date.now()).ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  test('on lengths that claim more than there is, or use more than four length bytes', () => {
    expect(signatureAlgorithmOf(Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30]))).toEqual({ ok: false, reason: 'not a DER certificate' });
    expect(signatureAlgorithmOf(Uint8Array.from([0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]))).toEqual({ ok: false, reason: 'not a DER certificate' });
    expect(signatureAlgorithmOf(Uint8Array.from([0x30, 0x80, 0x00, 0x00]))).toEqual({ ok: false, reason: 'not a DER certificate' });
  });
});
