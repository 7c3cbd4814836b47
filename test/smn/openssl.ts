import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Certificates and keys made in the test with the `openssl` command line, so the SMN verifier is
 * checked against certificates it did not make: as SMN's would be, an X.509 certificate whose key
 * signs the messages.
 */
export interface TestCertificate {
  certPem: string;
  keyPem: string;
}

export interface CertificateSpec {
  /** `rsa:2048` (default), `rsa:1024`, or `ec` (P-256). */
  key?: 'rsa:2048' | 'rsa:1024' | 'rsa:3072' | 'ec';
  /** The certificate's own signature hash. */
  hash?: 'sha256' | 'sha384' | 'sha512' | 'sha1';
  days?: number;
  subject?: string;
  /** subjectAltName, e.g. `IP:127.0.0.1` for a loopback HTTPS server. */
  san?: string;
}

export function makeCertificate(spec: CertificateSpec = {}): TestCertificate {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smn-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    const key = spec.key ?? 'rsa:2048';
    const newKey = key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', key];
    execFileSync(
      'openssl',
      ['req', '-x509', ...newKey, '-nodes', '-keyout', keyFile, '-out', certFile, `-${spec.hash ?? 'sha256'}`, '-days', String(spec.days ?? 30), '-subj', spec.subject ?? '/CN=smn.test.example/O=SMN test', ...(spec.san ? ['-addext', `subjectAltName=${spec.san}`] : [])],
      { stdio: 'pipe' },
    );
    return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Signs `text` with `openssl dgst`, the way SMN's signer would (RSA PKCS#1 v1.5), and returns base64. */
export function opensslSign(text: string, keyPem: string, hash: 'sha256' | 'sha1' = 'sha256'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smn-sign-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    writeFileSync(keyFile, keyPem);
    const sig = execFileSync('openssl', ['dgst', `-${hash}`, '-sign', keyFile], { input: Buffer.from(text, 'utf8'), stdio: ['pipe', 'pipe', 'pipe'] });
    return sig.toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
