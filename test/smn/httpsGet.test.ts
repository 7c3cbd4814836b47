import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpsGetter } from '../../src/smn/httpsGet';
import { makeCertificate, type TestCertificate } from './openssl';

/**
 * The SMN receiver's only HTTP client against a real HTTPS server on loopback (its certificate made
 * by `openssl` in the test): TLS is verified (a certificate nobody vouches for is refused unless its
 * CA is injected), redirects are not followed, and answers are bounded in size and time.
 */
let tls: TestCertificate;
let server: https.Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  tls = makeCertificate({ san: 'IP:127.0.0.1', subject: '/CN=127.0.0.1' });
  server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/cert.pem') return res.end('-----BEGIN CERTIFICATE-----\n…\n');
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/elsewhere' });
      return res.end();
    }
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // No content-length: the limit must hold on a streamed body too.
      const chunk = Buffer.alloc(16 * 1024, 65);
      for (let i = 0; i < 8; i++) res.write(chunk);
      return res.end();
    }
    if (req.url === '/slow') {
      const late = setTimeout(() => res.end('late'), 2_000);
      res.on('close', () => clearTimeout(late));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test('with the CA injected, a GET answers status and body', async () => {
  const g = createHttpsGetter({ ca: tls.certPem });
  const r = await g.get(new URL(`${base}/cert.pem`));
  expect(r).toMatchObject({ ok: true, status: 200 });
  expect(r.ok && r.body.toString()).toContain('BEGIN CERTIFICATE');
  await g.close();
});

test('without it, a certificate nobody vouches for is refused: TLS is verified as usual', async () => {
  const before = hits.length;
  const g = createHttpsGetter();
  const r = await g.get(new URL(`${base}/cert.pem`));
  expect(r.ok).toBe(false);
  expect(hits.length).toBe(before);
  await g.close();
});

test('a redirect is answered as it is: its target is never requested', async () => {
  const g = createHttpsGetter({ ca: tls.certPem });
  const r = await g.get(new URL(`${base}/redirect`));
  expect(r).toMatchObject({ ok: true, status: 302 });
  expect(hits).not.toContain('/elsewhere');
  await g.close();
});

test('an answer over the size limit is cut off', async () => {
  const g = createHttpsGetter({ ca: tls.certPem, maxBytes: 64 * 1024 });
  expect(await g.get(new URL(`${base}/big`))).toMatchObject({ ok: false, reason: expect.stringContaining('over 65536 bytes') });
  expect(await g.get(new URL(`${base}/big`), { maxBytes: 256 * 1024 })).toMatchObject({ ok: true, status: 200 });
  await g.close();
});

test('an answer that takes longer than the time limit is given up', async () => {
  const g = createHttpsGetter({ ca: tls.certPem, timeoutMs: 300 });
  expect(await g.get(new URL(`${base}/slow`))).toMatchObject({ ok: false, reason: 'no answer within 300 ms' });
  await g.close();
});

test('only https:// is fetched', async () => {
  const g = createHttpsGetter();
  expect(await g.get(new URL('http://127.0.0.1:1/x'))).toEqual({ ok: false, reason: 'only https:// is fetched' });
  await g.close();
});
