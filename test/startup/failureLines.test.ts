import { explainListenFailure } from '../../src/startup/listenFailure';
import { explainPostgresFailure, postgresTarget } from '../../src/startup/postgresFailure';

/**
 * The start-up lines for failures the process tests cannot make on this machine (the local
 * PostgreSQL neither requires TLS nor asks for a password; the tests run as root). The error shapes
 * are PostgreSQL's own (its SQLSTATEs and the pg_hba.conf rejection text, see
 * https://www.postgresql.org/docs/current/errcodes-appendix.html and auth.c's ClientAuthentication)
 * and Node's (`listen`/`connect` system errors, TLS verification codes).
 */
const URL_ = 'postgres://bot:s3cret-pass@db.example.test:6543/botdb?sslmode=require';

describe('explainPostgresFailure', () => {
  it('a server that accepts only TLS (pg_hba.conf has hostssl only): add sslmode', () => {
    const err = Object.assign(new Error('no pg_hba.conf entry for host "10.0.0.5", user "bot", database "botdb", no encryption'), { code: '28000' });
    expect(explainPostgresFailure(err, 'postgres://bot:s3cret-pass@db.example.test:6543/botdb')).toBe(
      'DATABASE_URL: PostgreSQL at db.example.test:6543 accepts only TLS connections; add sslmode=require to DATABASE_URL (sslmode=no-verify for Heroku Postgres, whose certificate is not signed by a public CA)',
    );
  });

  it('older servers word it "SSL off"', () => {
    const err = Object.assign(new Error('no pg_hba.conf entry for host "10.0.0.5", user "bot", database "botdb", SSL off'), { code: '28000' });
    expect(explainPostgresFailure(err, URL_)).toMatch(/accepts only TLS connections/);
  });

  it('another pg_hba.conf refusal names user and database', () => {
    const err = Object.assign(new Error('no pg_hba.conf entry for host "10.0.0.5", user "bot", database "botdb", SSL encryption'), { code: '28000' });
    expect(explainPostgresFailure(err, URL_)).toMatch(/^DATABASE_URL: PostgreSQL at db\.example\.test:6543 does not admit user "bot" to database "botdb" from this host/);
  });

  it('a wrong password, without the password', () => {
    const line = explainPostgresFailure(Object.assign(new Error('password authentication failed for user "bot"'), { code: '28P01' }), URL_)!;
    expect(line).toBe('DATABASE_URL: PostgreSQL at db.example.test:6543 refused the password for user "bot"; correct the password in DATABASE_URL');
    expect(line).not.toContain('s3cret-pass');
  });

  it.each(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'])('a certificate not trusted (%s): sslmode=no-verify or NODE_EXTRA_CA_CERTS', (code) => {
    expect(explainPostgresFailure(Object.assign(new Error('self-signed certificate'), { code }), URL_)).toBe(
      `DATABASE_URL: the TLS certificate of PostgreSQL at db.example.test:6543 was not accepted (${code}); use sslmode=no-verify for Heroku Postgres, or trust the server's CA with NODE_EXTRA_CA_CERTS`,
    );
  });

  it("Node 20's AggregateError for a host with two addresses is read by its inner code", () => {
    const err = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], 'connect failed');
    expect(explainPostgresFailure(err, 'postgres://bot@localhost/botdb')).toMatch(/^DATABASE_URL: PostgreSQL at localhost:5432 refused the connection/);
  });

  it('an unknown host', () => {
    expect(explainPostgresFailure(Object.assign(new Error('getaddrinfo ENOTFOUND db.example.test'), { code: 'ENOTFOUND' }), URL_)).toBe(
      'DATABASE_URL: the host "db.example.test" could not be found (DNS ENOTFOUND); correct the host in DATABASE_URL',
    );
  });

  it('anything else is left to the caller (shown as it came)', () => {
    expect(explainPostgresFailure(new Error('something new'), URL_)).toBeUndefined();
    expect(explainPostgresFailure(Object.assign(new Error('deadlock'), { code: '40P01' }), URL_)).toBeUndefined();
  });

  it('reads the target without the password; the database defaults to the user, as libpq does', () => {
    expect(postgresTarget('postgres://bot:pw@h/')).toEqual({ host: 'h', port: '5432', database: 'bot', user: 'bot', sslmode: undefined });
  });
});

describe('explainListenFailure', () => {
  it('a privileged port', () => {
    expect(explainListenFailure(Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES', syscall: 'listen', port: 80 }))).toBe(
      'PORT: this user may not listen on port 80 (ports below 1024 need privileges); set PORT to 1024 or above',
    );
  });

  it('only listen errors', () => {
    expect(explainListenFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' }))).toBeUndefined();
    expect(explainListenFailure(undefined)).toBeUndefined();
  });
});
