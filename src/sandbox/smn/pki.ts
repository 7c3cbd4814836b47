import { generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

/**
 * The sandbox's own small PKI, made fresh at every start so nothing secret is ever stored: a CA, the
 * TLS certificate of the SMN stand-in's HTTPS server on loopback, and the certificate whose key
 * signs its messages (SHA256withRSA, as SMN's are). Node's crypto cannot issue X.509 certificates,
 * so node-forge does that part; the keys are Node's. Only the sandbox hands the CA to the bot
 * (`BuildOptions.smnCa`): a deployment keeps verifying TLS against Node's store.
 */
export interface SandboxPki {
  caPem: string;
  tls: { certPem: string; keyPem: string };
  signing: { certPem: string; privateKey: KeyObject };
}

const generate = promisify(generateKeyPair);
const DAY_MS = 24 * 3_600_000;

async function rsaKey(): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return generate('rsa', { modulusLength: 2048 });
}

function forgeCert(opts: {
  subject: string;
  issuer: { name: string; key: KeyObject } | 'self';
  key: { privateKey: KeyObject; publicKey: KeyObject };
  extensions: unknown[];
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.key.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  // A positive serial number: its first byte's high bit clear.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 5 * 60_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * DAY_MS);
  const subject = [{ name: 'commonName', value: opts.subject }, { name: 'organizationName', value: 'Playbook bot sandbox' }];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer === 'self' ? subject : [{ name: 'commonName', value: opts.issuer.name }, { name: 'organizationName', value: 'Playbook bot sandbox' }]);
  cert.setExtensions(opts.extensions as never[]);
  const signer = opts.issuer === 'self' ? opts.key.privateKey : opts.issuer.key;
  cert.sign(forge.pki.privateKeyFromPem(signer.export({ type: 'pkcs1', format: 'pem' }) as string), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export async function createSandboxPki(): Promise<SandboxPki> {
  const [caKey, tlsKey, signingKey] = await Promise.all([rsaKey(), rsaKey(), rsaKey()]);
  const caName = 'Playbook bot sandbox CA';
  const caPem = forgeCert({
    subject: caName,
    issuer: 'self',
    key: caKey,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const issuer = { name: caName, key: caKey.privateKey };
  const tlsPem = forgeCert({
    subject: '127.0.0.1',
    issuer,
    key: tlsKey,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const signingPem = forgeCert({
    subject: 'SMN sandbox message signing',
    issuer,
    key: signingKey,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
    ],
  });
  return {
    caPem,
    tls: { certPem: tlsPem, keyPem: tlsKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
    signing: { certPem: signingPem, privateKey: signingKey.privateKey },
  };
}
