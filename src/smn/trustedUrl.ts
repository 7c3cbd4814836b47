/**
 * The host rule for every URL an SMN message names (`signing_cert_url`, `subscribe_url`): `https:`,
 * no user info, and a host (with its port, 443 when none is written) that `SMN_TRUSTED_HOSTS` lists
 * exactly. A message's URL is parsed once, here, and only the parsed URL is ever fetched, so the
 * check and the fetch cannot read the same text two ways. This is the rule AWS's SNS validators
 * learned the hard way (a certificate fetched from anywhere lets anyone sign): they pin the host to
 * `sns.<region>.amazonaws.com` and the path to `*.pem`; we pin it to the configured hosts.
 */
export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

const DEFAULT_HTTPS_PORT = '443';

/** `host:port` as compared: the WHATWG parser's lower-cased host and the port, 443 when none is given. */
export function hostKey(u: URL): string {
  return `${u.hostname}:${u.port || DEFAULT_HTTPS_PORT}`;
}

/**
 * Parses one `SMN_TRUSTED_HOSTS` entry (`host` or `host:port`) into its comparison key, or says why
 * it is not one. Parsed with the same URL parser as the messages' URLs.
 */
export function parseTrustedHost(entry: string): { ok: true; key: string } | { ok: false; reason: string } {
  const text = entry.trim();
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(text)) return { ok: false, reason: `"${entry}" is not a host or host:port` };
  let u: URL;
  try {
    u = new URL(`https://${text}/`);
  } catch {
    return { ok: false, reason: `"${entry}" is not a host or host:port` };
  }
  if (u.host.toLowerCase() !== text.toLowerCase().replace(/:443$/, '')) return { ok: false, reason: `"${entry}" is not a host or host:port` };
  return { ok: true, key: hostKey(u) };
}

export function checkTrustedUrl(raw: string, trustedHosts: ReadonlySet<string>, opts: { pem?: boolean } = {}): UrlCheck {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (u.protocol !== 'https:') return { ok: false, reason: `${u.protocol.replace(/:$/, '')}:// is not https://` };
  if (u.username || u.password) return { ok: false, reason: 'carries user info' };
  const key = hostKey(u);
  if (!trustedHosts.has(key)) return { ok: false, reason: `host ${key} is not in SMN_TRUSTED_HOSTS` };
  if (opts.pem && !u.pathname.endsWith('.pem')) return { ok: false, reason: 'path does not end in .pem' };
  return { ok: true, url: u };
}
