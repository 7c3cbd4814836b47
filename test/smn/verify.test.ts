import { createCertificateSource } from '../../src/smn/certificates';
import type { HttpsGet, HttpsGetResult } from '../../src/smn/httpsGet';
import { smnMessageSchema, type SmnMessage } from '../../src/smn/message';
import { createSmnVerifier, type Verification } from '../../src/smn/verify';
import { makeCertificate, opensslSign, type TestCertificate } from './openssl';
import { confirmation, huaweiStringToSign, notification, REGION, sign, smnTime, unsubscribe, type Body } from './messages';

/**
 * The signature check of shared/spec/interface.md section 9 against certificates and signatures
 * made by `openssl` in the test, over strings built from Huawei's sample code: what verifies, each
 * tampered field, each bad certificate URL (and that nothing is fetched for it), each bad
 * certificate, and the bounded cache.
 */
const HOST = `smn.${REGION}.myhuaweicloud.com`;
const TRUSTED = new Set([`${HOST}:443`]);
const CERT_URL = `https://${HOST}/smn/SMN_${REGION}_b3974c411807498bb532b3cd6cd65d91.pem`;
const SUBSCRIBE_URL = `https://${HOST}/smn/subscription/confirm?token=abc`;

let good: TestCertificate;
let other: TestCertificate;

beforeAll(() => {
  good = makeCertificate();
  other = makeCertificate();
});

interface Setup {
  verify(body: Body): Promise<Verification>;
  fetched: string[];
  serve(url: string, answer: HttpsGetResult): void;
}

function setup(opts: { now?: () => number; maxEntries?: number } = {}): Setup {
  const served = new Map<string, HttpsGetResult>([[CERT_URL, { ok: true, status: 200, body: Buffer.from(good.certPem) }]]);
  const fetched: string[] = [];
  const get: HttpsGet = async (url) => {
    fetched.push(url.href);
    return served.get(url.href) ?? { ok: true, status: 404, body: Buffer.from('not found') };
  };
  const certificates = createCertificateSource({ get, now: opts.now, maxEntries: opts.maxEntries });
  const verifier = createSmnVerifier({ trustedHosts: TRUSTED, certificates, now: opts.now });
  return {
    fetched,
    serve: (url, answer) => served.set(url, answer),
    verify: async (body) => verifier.verify(smnMessageSchema.parse(body) as SmnMessage),
  };
}

const signed = (body: Body, cert = good, certUrl = CERT_URL, finalNewline = true) => sign(body, { cert, certUrl, finalNewline });

describe('what verifies', () => {
  test('a notification signed over the documented string (final \\n) verifies with the certificate hash', async () => {
    const s = setup();
    const r = await s.verify(signed(notification()));
    expect(r).toMatchObject({ ok: true, cert: { hash: 'sha256' } });
    expect(s.fetched).toEqual([CERT_URL]);
  });

  test('the same string without its final \\n is accepted too', async () => {
    expect((await setup().verify(signed(notification(), good, CERT_URL, false))).ok).toBe(true);
  });

  test('a subscription confirmation and an unsubscription are signed over subscribe_url', async () => {
    const s = setup();
    expect((await s.verify(signed(confirmation(SUBSCRIBE_URL)))).ok).toBe(true);
    expect((await s.verify(signed(unsubscribe(SUBSCRIBE_URL)))).ok).toBe(true);
  });

  test('an empty subject is left out of the string to sign (and so is a missing one)', async () => {
    const s = setup();
    expect((await s.verify(signed(notification({ subject: '' })))).ok).toBe(true);
    const none = notification();
    delete none.subject;
    expect((await s.verify(signed(none))).ok).toBe(true);
  });

  test('an empty subject signed as if it had a subject line does not verify', async () => {
    const body = { ...notification({ subject: '' }), signature_version: 'v1', signing_cert_url: CERT_URL };
    const withSubjectLine = huaweiStringToSign({ ...body, subject: 'x' }).replace('subject\nx\n', 'subject\n\n');
    const r = await setup().verify({ ...body, signature: opensslSign(withSubjectLine, good.keyPem) });
    expect(r).toMatchObject({ ok: false, step: 'signature' });
  });

  test('certificates signed with SHA-384 and SHA-512 are accepted; the signature uses that hash', async () => {
    for (const hash of ['sha384', 'sha512'] as const) {
      const cert = makeCertificate({ hash });
      const s = setup();
      s.serve(CERT_URL, { ok: true, status: 200, body: Buffer.from(cert.certPem) });
      const body = { ...notification(), signature_version: 'v1', signing_cert_url: CERT_URL };
      const text = huaweiStringToSign(body);
      // Signed with SHA-256: the certificate says otherwise, so it must not verify.
      expect(await s.verify({ ...body, signature: opensslSign(text, cert.keyPem, 'sha256') })).toMatchObject({ ok: false, step: 'signature' });
      const { createSign } = await import('node:crypto');
      const sig = createSign(hash).update(text, 'utf8').sign(cert.keyPem, 'base64');
      expect(await s.verify({ ...body, signature: sig })).toMatchObject({ ok: true, cert: { hash } });
    }
  });

  test('a DER certificate is read as well as a PEM one', async () => {
    const { X509Certificate } = await import('node:crypto');
    const s = setup();
    s.serve(CERT_URL, { ok: true, status: 200, body: new X509Certificate(good.certPem).raw });
    expect((await s.verify(signed(notification()))).ok).toBe(true);
  });
});

describe('tampered messages do not verify', () => {
  test.each([
    ['message', { message: 'Brute force on ecs-prod-02' }],
    ['message_id', { message_id: 'ffffffffffffffffffffffffffffffff' }],
    ['subject', { subject: 'Nothing to see' }],
    ['subject removed', { subject: undefined }],
    ['timestamp', { timestamp: smnTime(Date.now() - 1000) }],
    ['topic_urn', { topic_urn: `urn:smn:${REGION}:0553db98c800d5192f9bc01232b89622:other-topic` }],
    ['message with a trailing newline', { message: 'Brute force on ecs-prod-01\n' }],
  ])('%s changed after signing → signature', async (_field, change) => {
    const body = { ...signed(notification()), ...change };
    expect(await setup().verify(body)).toMatchObject({ ok: false, step: 'signature' });
  });

  test('a confirmation whose subscribe_url was changed → signature', async () => {
    const body = { ...signed(confirmation(SUBSCRIBE_URL)), subscribe_url: `https://${HOST}/smn/subscription/confirm?token=evil` };
    expect(await setup().verify(body)).toMatchObject({ ok: false, step: 'signature' });
  });

  test('a confirmation presented as an unsubscription (type changed) → signature', async () => {
    const n = signed(confirmation(SUBSCRIBE_URL));
    expect(await setup().verify({ ...n, type: 'UnsubscribeConfirmation' })).toMatchObject({ ok: false, step: 'signature' });
  });

  test('a signature by another key, with the trusted certificate URL → signature', async () => {
    const body = { ...signed(notification(), other), signing_cert_url: CERT_URL };
    expect(await setup().verify(body)).toMatchObject({ ok: false, step: 'signature' });
  });

  test('a signature that is not base64 of a signature (random bytes) → signature', async () => {
    const body = { ...signed(notification()), signature: Buffer.alloc(256, 7).toString('base64') };
    expect(await setup().verify(body)).toMatchObject({ ok: false, step: 'signature' });
  });

  test('signature_version other than v1 → signature_version, nothing fetched', async () => {
    const s = setup();
    expect(await s.verify({ ...signed(notification()), signature_version: 'v2' })).toMatchObject({ ok: false, step: 'signature_version' });
    expect(s.fetched).toEqual([]);
  });

  test('a timestamp older than seven days, or far in the future → timestamp, nothing fetched', async () => {
    const s = setup();
    const old = signed(notification({ timestamp: smnTime(Date.now() - 8 * 24 * 3_600_000) }));
    const future = signed(notification({ timestamp: smnTime(Date.now() + 3_600_000) }));
    expect(await s.verify(old)).toMatchObject({ ok: false, step: 'timestamp' });
    expect(await s.verify(future)).toMatchObject({ ok: false, step: 'timestamp' });
    expect(s.fetched).toEqual([]);
  });
});

describe('the certificate URL: nothing is fetched from an untrusted place', () => {
  test.each([
    ['http://', `http://${HOST}/smn/SMN_x.pem`],
    ['another host', 'https://attacker.example/smn/SMN_x.pem'],
    ['a lookalike host ending in the trusted name', `https://${HOST}.attacker.example/smn/SMN_x.pem`],
    ['a lookalike host starting with it', `https://evil-${HOST}/smn/SMN_x.pem`],
    ['the trusted host as user info', `https://${HOST}@attacker.example/smn/SMN_x.pem`],
    ['user info before the trusted host', `https://attacker:x@${HOST}/smn/SMN_x.pem`],
    ['another port', `https://${HOST}:8443/smn/SMN_x.pem`],
    ['a path that is not a .pem', `https://${HOST}/smn/redirect?to=https://attacker.example/x.pem`],
    ['a backslash trick', `https://attacker.example\\@${HOST}/smn/SMN_x.pem`],
    ['not a URL', 'smn certificate'],
    ['file://', 'file:///etc/ssl/certs/ca.pem'],
  ])('%s → cert_url', async (_label, url) => {
    const s = setup();
    const r = await s.verify(signed(notification(), good, url));
    expect(r).toMatchObject({ ok: false, step: 'cert_url' });
    expect(s.fetched).toEqual([]);
  });

  test('the trusted host in upper case, or with :443 written out, is the same host', async () => {
    for (const url of [CERT_URL.replace(HOST, HOST.toUpperCase()), CERT_URL.replace(HOST, `${HOST}:443`)]) {
      const s = setup();
      s.serve(new URL(url).href, { ok: true, status: 200, body: Buffer.from(good.certPem) });
      expect((await s.verify(signed(notification(), good, url))).ok).toBe(true);
    }
  });
});

describe('the certificate itself', () => {
  const serveAndVerify = async (answer: HttpsGetResult, now?: () => number) => {
    const s = setup({ now });
    s.serve(CERT_URL, answer);
    return s.verify(signed(notification({ timestamp: smnTime(now?.() ?? Date.now()) })));
  };

  test('a body that is not a certificate → cert_parse', async () => {
    expect(await serveAndVerify({ ok: true, status: 200, body: Buffer.from('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n') })).toMatchObject({ ok: false, step: 'cert_parse' });
    expect(await serveAndVerify({ ok: true, status: 200, body: Buffer.from('<html>maintenance</html>') })).toMatchObject({ ok: false, step: 'cert_parse' });
  });

  test('a private key served instead of a certificate → cert_parse', async () => {
    expect(await serveAndVerify({ ok: true, status: 200, body: Buffer.from(good.keyPem) })).toMatchObject({ ok: false, step: 'cert_parse' });
  });

  test('a redirect is not followed → cert_fetch', async () => {
    expect(await serveAndVerify({ ok: true, status: 302, body: Buffer.alloc(0) })).toMatchObject({ ok: false, step: 'cert_fetch', reason: expect.stringContaining('redirects are not followed') });
  });

  test('a 404 or a failed download → cert_fetch', async () => {
    expect(await serveAndVerify({ ok: true, status: 404, body: Buffer.alloc(0) })).toMatchObject({ ok: false, step: 'cert_fetch' });
    expect(await serveAndVerify({ ok: false, reason: 'no answer within 5000 ms' })).toMatchObject({ ok: false, step: 'cert_fetch' });
  });

  test('a certificate past its validity → cert_validity', async () => {
    const later = Date.now() + 60 * 24 * 3_600_000;
    expect(await serveAndVerify({ ok: true, status: 200, body: Buffer.from(good.certPem) }, () => later)).toMatchObject({ ok: false, step: 'cert_validity' });
  });

  test('an EC key or a 1024-bit RSA key → cert_key', async () => {
    expect(await serveAndVerify({ ok: true, status: 200, body: Buffer.from(makeCertificate({ key: 'ec' }).certPem) })).toMatchObject({ ok: false, step: 'cert_key' });
    expect(await serveAndVerify({ ok: true, status: 200, body: Buffer.from(makeCertificate({ key: 'rsa:1024' }).certPem) })).toMatchObject({ ok: false, step: 'cert_key' });
  });

  test('a certificate signed with SHA-1 is refused (its hash would be SHA-1)', async () => {
    const r = await serveAndVerify({ ok: true, status: 200, body: Buffer.from(makeCertificate({ hash: 'sha1' }).certPem) });
    expect(r).toMatchObject({ ok: false, step: 'cert_parse', reason: expect.stringContaining('1.2.840.113549.1.1.5') });
  });
});

describe('the certificate cache', () => {
  test('a certificate is fetched once for many messages, also when they arrive together', async () => {
    const s = setup();
    const results = await Promise.all(Array.from({ length: 5 }, () => s.verify(signed(notification()))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect((await s.verify(signed(notification()))).ok).toBe(true);
    expect(s.fetched).toEqual([CERT_URL]);
  });

  test('a failed download is remembered briefly: a burst naming it costs one fetch', async () => {
    const s = setup();
    const bad = `https://${HOST}/smn/SMN_missing.pem`;
    for (let i = 0; i < 3; i++) expect(await s.verify(signed(notification(), good, bad))).toMatchObject({ ok: false, step: 'cert_fetch' });
    expect(s.fetched).toEqual([bad]);
  });

  test('the cache is bounded: the least recently used URL is dropped and fetched again', async () => {
    const s = setup({ maxEntries: 2 });
    const urls = [1, 2, 3].map((i) => `https://${HOST}/smn/SMN_${i}.pem`);
    for (const u of urls) s.serve(u, { ok: true, status: 200, body: Buffer.from(good.certPem) });
    for (const u of urls) expect((await s.verify(signed(notification(), good, u))).ok).toBe(true);
    expect((await s.verify(signed(notification(), good, urls[0])))).toMatchObject({ ok: true });
    expect(s.fetched).toEqual([...urls, urls[0]]);
  });

  test('an entry expires: after a day the certificate is fetched again', async () => {
    let t = Date.now();
    const s = setup({ now: () => t });
    expect((await s.verify(signed(notification({ timestamp: smnTime(t) })))).ok).toBe(true);
    t += 25 * 3_600_000;
    expect((await s.verify(signed(notification({ timestamp: smnTime(t) })))).ok).toBe(true);
    expect(s.fetched).toEqual([CERT_URL, CERT_URL]);
  });
});
