/**
 * Why PostgreSQL could not be opened at start-up, in one line: what `DATABASE_URL` pointed at (host,
 * port, database, user; never the password) and what to do. The codes are PostgreSQL's own SQLSTATEs
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html), Node's socket error codes, and
 * node-postgres's messages for TLS, which it raises without a code.
 */
export interface PostgresTarget {
  host: string;
  port: string;
  database: string;
  user: string;
  sslmode?: string;
}

/** What a `postgres://` URL names, without its password. */
export function postgresTarget(url: string): PostgresTarget {
  const u = new URL(url);
  const user = decodeURIComponent(u.username);
  return {
    host: u.hostname || 'localhost',
    port: u.port || '5432',
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || user,
    user,
    sslmode: u.searchParams.get('sslmode') ?? undefined,
  };
}

/** Node's codes for a TLS certificate the client did not accept. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface ErrorShape {
  code?: string;
  message?: string;
  errors?: Array<{ code?: string }>;
}

/** The one line for a failure to open PostgreSQL, or undefined when it is not one this knows. */
export function explainPostgresFailure(err: unknown, url: string): string | undefined {
  const e = (err ?? {}) as ErrorShape;
  // Node 20 reports a host with several addresses (localhost: ::1 and 127.0.0.1) as an AggregateError.
  const code = e.code ?? e.errors?.find((x) => x.code)?.code;
  const message = e.message ?? '';
  let t: PostgresTarget;
  try {
    t = postgresTarget(url);
  } catch {
    return undefined;
  }
  const at = `PostgreSQL at ${t.host}:${t.port}`;
  switch (code) {
    case 'ECONNREFUSED':
      return `DATABASE_URL: ${at} refused the connection (nothing listens on port ${t.port}); start PostgreSQL, or correct the host and port in DATABASE_URL`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DATABASE_URL: the host "${t.host}" could not be found (DNS ${code}); correct the host in DATABASE_URL`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `DATABASE_URL: ${at} could not be reached (${code}); check the host, the port and any firewall between this machine and the database`;
    case '3D000':
      return `DATABASE_URL: ${at} has no database "${t.database}"; create it (createdb ${t.database}) or name an existing database in DATABASE_URL`;
    case '28P01':
      return `DATABASE_URL: ${at} refused the password for user "${t.user}"; correct the password in DATABASE_URL`;
    case '28000':
      if (/^role ".*" does not exist/.test(message)) {
        return `DATABASE_URL: ${at} has no role "${t.user}"; create it (createuser ${t.user}) or name an existing user in DATABASE_URL`;
      }
      if (/no pg_hba\.conf entry/.test(message) && /no encryption|SSL off/.test(message)) {
        return `DATABASE_URL: ${at} accepts only TLS connections; add sslmode=require to DATABASE_URL (sslmode=no-verify for Heroku Postgres, whose certificate is not signed by a public CA)`;
      }
      return `DATABASE_URL: ${at} does not admit user "${t.user}" to database "${t.database}" from this host (${message}); ask its administrator to allow it in pg_hba.conf`;
    case '57P03':
      return `DATABASE_URL: ${at} is starting up or shutting down; start the bot again once it accepts connections`;
  }
  if (message === 'The server does not support SSL connections') {
    return `DATABASE_URL: asks for TLS (sslmode=${t.sslmode ?? 'on'}) but ${at} does not support SSL connections; enable SSL on the server, or remove sslmode from DATABASE_URL if the database is on this machine or a private network`;
  }
  if (code && CERTIFICATE_CODES.has(code)) {
    return `DATABASE_URL: the TLS certificate of ${at} was not accepted (${code}); use sslmode=no-verify for Heroku Postgres, or trust the server's CA with NODE_EXTRA_CA_CERTS`;
  }
  if (/timeout/i.test(message)) {
    return `DATABASE_URL: ${at} did not answer within 5 s; check that the server runs and that nothing between here and there drops the connection`;
  }
  return undefined;
}
