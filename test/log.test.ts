import { REDACTED, createLineCollector, createLogger, createRedactor, type Logger } from '../src/log';
import type { LogLevel } from '../src/log';

const BOT_TOKEN = 'xoxb-1111-2222-configuredBotToken';
const SK = 'configured-secret-key-0001';
const IAM_PASSWORD = 'configured-iam-password';
const WEBHOOK = 'configured-webhook-token-0001';
const SECRETS = [BOT_TOKEN, SK, IAM_PASSWORD, WEBHOOK];

const INSTANCE_ID = '11111111-2222-3333-4444-555555555555';
const CHANNEL_ID = 'C0123ABCDEF';

function setup(level: LogLevel = 'debug', secrets: readonly string[] = SECRETS): { logger: Logger; lines: string[] } {
  const { stream, lines } = createLineCollector();
  return { logger: createLogger({ level, secrets, stream }), lines };
}

/** Lets winston's stream pipeline deliver what was logged. */
async function flush(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

/** Logs through a fresh logger and returns the raw line and its parsed object. */
async function logOne(write: (logger: Logger) => void, secrets: readonly string[] = SECRETS): Promise<{ raw: string; json: Record<string, unknown> }> {
  const { logger, lines } = setup('debug', secrets);
  write(logger);
  await flush();
  expect(lines).toHaveLength(1);
  const raw = lines[0] ?? '';
  return { raw, json: JSON.parse(raw) as Record<string, unknown> };
}

function expectNoSecret(raw: string, secrets: readonly string[] = SECRETS): void {
  for (const s of secrets) expect(raw).not.toContain(s);
}

describe('createLineCollector', () => {
  it('splits on newlines, joins partial writes and drops empty lines', async () => {
    const { stream, lines } = createLineCollector();
    const write = (s: string) => new Promise<void>((resolve, reject) => stream.write(s, (err) => (err ? reject(err) : resolve())));
    await write('{"a":');
    expect(lines).toEqual([]);
    await write('1}\n\n{"b":2}\n{"c"');
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    await write(':3}\n');
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });
});

describe('createLogger: line format', () => {
  it('writes every entry as one JSON object per line', async () => {
    const { logger, lines } = setup();
    logger.info('first');
    logger.warn('second, with\nan embedded newline', { n: 1 });
    logger.error('third', { nested: { list: [1, 2, 3] } });
    logger.debug('fourth');
    await flush();
    expect(lines).toHaveLength(4);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => [p.level, p.message])).toEqual([
      ['info', 'first'],
      ['warn', 'second, with\nan embedded newline'],
      ['error', 'third'],
      ['debug', 'fourth'],
    ]);
    for (const p of parsed) {
      expect(typeof p).toBe('object');
      expect(Array.isArray(p)).toBe(false);
      expect(typeof p.timestamp).toBe('string');
      expect(Number.isNaN(Date.parse(p.timestamp as string))).toBe(false);
    }
  });

  it.each<{ level: LogLevel; shown: string[] }>([
    { level: 'error', shown: ['error'] },
    { level: 'warn', shown: ['error', 'warn'] },
    { level: 'info', shown: ['error', 'warn', 'info'] },
    { level: 'debug', shown: ['error', 'warn', 'info', 'debug'] },
  ])('level $level writes only $shown', async ({ level, shown }) => {
    const { logger, lines } = setup(level);
    logger.error('error');
    logger.warn('warn');
    logger.info('info');
    logger.debug('debug');
    await flush();
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(shown);
  });

  it('writes the audit line as {"message":"audit","audit":{…}}', async () => {
    const audit = {
      event: 'operation_done',
      operation: 'RETRY',
      instance_id: INSTANCE_ID,
      workspace_id: 'workspace-0001',
      user: 'U0123USER',
      channel: CHANNEL_ID,
      outcome: 'ok',
      request_id: 'req-0001',
      at: '2025-01-01T00:00:00.000Z',
    };
    const { json } = await logOne((l) => l.info('audit', { audit }));
    expect(json).toMatchObject({ message: 'audit', level: 'info', audit });
    expect(json.audit).toEqual(audit);
  });

  it('audit fields that are null stay null', async () => {
    const audit = { event: 'denied', operation: null, instance_id: null, user: 'U1', channel: null, outcome: 'denied', request_id: null, at: 'x' };
    const { json } = await logOne((l) => l.info('audit', { audit }));
    expect(json.audit).toEqual(audit);
  });
});

describe('createLogger: configured secrets', () => {
  it.each<{ name: string; write: (l: Logger) => void }>([
    { name: 'in the message', write: (l) => l.info(`token is ${BOT_TOKEN} and sk=${SK}`) },
    { name: 'in top-level metadata', write: (l) => l.info('meta', { value: SK, other: `pw:${IAM_PASSWORD}` }) },
    { name: 'in nested objects', write: (l) => l.info('nested', { a: { b: { c: { d: `x${WEBHOOK}y` } } } }) },
    { name: 'in arrays', write: (l) => l.info('array', { list: ['ok', SK, [IAM_PASSWORD, { deep: WEBHOOK }]] }) },
    { name: 'in an Error passed as metadata', write: (l) => l.error('failed', new Error(`login with ${IAM_PASSWORD} failed`)) },
    { name: 'in an Error logged directly', write: (l) => l.error(new Error(`bad signature ${SK}`)) },
    { name: 'in an Error nested in metadata', write: (l) => l.warn('failed', { err: new Error(`webhook ${WEBHOOK} refused`) }) },
    {
      name: 'in an Error with extra fields',
      write: (l) =>
        l.error('call failed', {
          err: Object.assign(new Error('HTTP 401'), { body: `{"token":"${BOT_TOKEN}"}`, response: { data: SK }, attempts: [{ note: IAM_PASSWORD }] }),
        }),
    },
    { name: 'in errors inside arrays', write: (l) => l.error('many', { errors: [new Error(SK), new Error(`x ${WEBHOOK}`)] }) },
    { name: 'in a Map', write: (l) => l.info('map', { m: new Map([['k', SK]]) }) },
    { name: 'when repeated in one string', write: (l) => l.info(`${SK}${SK} ${SK}`) },
  ])('are redacted $name', async ({ write }) => {
    const { raw } = await logOne(write);
    expectNoSecret(raw);
    expect(raw).toContain(REDACTED);
  });

  it('keeps the text around a redacted secret', async () => {
    const { json } = await logOne((l) => l.info(`before ${SK} after`, { field: `a-${IAM_PASSWORD}-b` }));
    expect(json.message).toBe(`before ${REDACTED} after`);
    expect(json.field).toBe(`a-${REDACTED}-b`);
  });

  it('redacts the Error message and the stack, and keeps the error name', async () => {
    const { json } = await logOne((l) => l.warn('failed', { err: new Error(`boom ${SK}`) }));
    const err = json.err as { name: string; message: string; stack: string };
    expect(err.name).toBe('Error');
    expect(err.message).toBe(`boom ${REDACTED}`);
    expect(err.stack.startsWith(`Error: boom ${REDACTED}`)).toBe(true);
  });

  it('redacts the stack of an Error logged directly', async () => {
    const { json } = await logOne((l) => l.error(new Error(`direct ${SK}`)));
    expect(json.message).toBe(`direct ${REDACTED}`);
    expect(String(json.stack)).toContain(`direct ${REDACTED}`);
  });

  it('replaces a secret that contains another secret whole', async () => {
    const inner = 'abcd-inner-secret';
    const outer = `prefix-${inner}-suffix`;
    const { json } = await logOne((l) => l.info(`v=${outer}`), [inner, outer]);
    expect(json.message).toBe(`v=${REDACTED}`);
  });

  it('leaves text alone when no secret is configured', async () => {
    const { json } = await logOne((l) => l.info('plain text', { value: 'configured-secret-key' }), []);
    expect(json).toMatchObject({ message: 'plain text', value: 'configured-secret-key' });
  });

  /*
   * BUG (src/log.ts createRedactor walkObject): object KEYS are written as they are, so a
   * configured secret used as a key (a map keyed by token, `Object.fromEntries` of a Map) reaches
   * the log: `logger.info('x', { byToken: { [SK]: 1 } })` writes `{"byToken":{"configured-secret-key-0001":1}}`.
   * Spec section 2: "No secret value is ever written to a log". Expected: the key is redacted too.
   */
  it('a configured secret used as an object key is redacted', async () => {
    const { raw } = await logOne((l) => l.info('keys', { byToken: { [SK]: 1 }, viaMap: new Map([[IAM_PASSWORD, 'x']]) }));
    expectNoSecret(raw);
  });
});

describe('createLogger: credential keys', () => {
  it.each([
    'Authorization',
    'authorization',
    'AUTHORIZATION',
    'Proxy-Authorization',
    'X-Auth-Token',
    'x-auth-token',
    'X-AUTH-TOKEN',
    'X-Subject-Token',
    'x-subject-token',
    'X-Security-Token',
    'password',
    'Password',
    'PASSWORD',
    'passwd',
    'secret',
    'signingSecret',
    'client_secret',
    'token',
    'access_token',
    'botToken',
    'x-slack-signature',
    'cookie',
    'Set-Cookie',
    'sk',
  ])('%s is redacted whatever its value', async (key) => {
    for (const value of ['plain-looking-value', 12345, { nested: 'object' }, ['a', 'b'], true]) {
      const { json } = await logOne((l) => l.info('headers', { headers: { [key]: value, accept: 'application/json' } }));
      expect(json.headers).toEqual({ [key]: REDACTED, accept: 'application/json' });
    }
  });

  it('redacts credential keys at the top level and deep inside arrays', async () => {
    const { json } = await logOne((l) => l.info('req', { password: 'hunter2', requests: [{ headers: { 'X-Auth-Token': 'MIIabc' } }] }));
    expect(json.password).toBe(REDACTED);
    expect(json.requests).toEqual([{ headers: { 'X-Auth-Token': REDACTED } }]);
  });

  it.each(['X-Request-Id', 'x-project-id', 'content-type', 'user', 'tokens_used', 'passwordless', 'authorized'])(
    '%s is not a credential key',
    async (key) => {
      const { json } = await logOne((l) => l.info('headers', { headers: { [key]: 'visible-value' } }));
      expect(json.headers).toEqual({ [key]: 'visible-value' });
    },
  );

  it('an empty, null or undefined credential stays as it is (nothing to hide)', () => {
    const redact = createRedactor([]);
    expect(redact({ password: '', token: null, authorization: undefined })).toEqual({ password: '', token: null, authorization: undefined });
  });
});

describe('createLogger: secrets recognised by shape', () => {
  it.each([
    { name: 'Slack bot token', text: 'using xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp now', secret: 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp' },
    { name: 'Slack user token', text: 'xoxp-1-2-3-abcdef', secret: 'xoxp-1-2-3-abcdef' },
    { name: 'Slack app token', text: 'app=xapp-1-A0123456789-1234567890123-abcdef0123', secret: 'xapp-1-A0123456789-1234567890123-abcdef0123' },
    {
      name: 'AK/SK authorization header',
      text: 'Authorization: SDK-HMAC-SHA256 Access=AKIDEXAMPLE0001, SignedHeaders=host;x-sdk-date, Signature=0123abcd',
      secret: 'Access=AKIDEXAMPLE0001',
    },
    { name: 'AK/SK signature part', text: 'SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=deadbeefcafe', secret: 'deadbeefcafe' },
    { name: 'Bearer token', text: 'header Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl sent', secret: 'eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl' },
    { name: 'lower-case bearer', text: 'bearer abc123def456', secret: 'abc123def456' },
  ])('$name is redacted although not configured', async ({ text, secret }) => {
    const { raw, json } = await logOne((l) => l.info(text, { copy: text, inArray: [text] }), []);
    expect(raw).not.toContain(secret);
    expect(json.message).toContain(REDACTED);
    expect(json.copy).toBe(json.message);
    expect(json.inArray).toEqual([json.message]);
  });

  it('keeps the scheme word so the reader knows what was there', () => {
    const redact = createRedactor([]);
    expect(redact.text('SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc')).toBe(`SDK-HMAC-SHA256 ${REDACTED}`);
    expect(redact.text('Bearer abc.def')).toBe(`Bearer ${REDACTED}`);
    expect(redact.text('t=xoxb-1-2-3 end')).toBe(`t=${REDACTED} end`);
  });

  it('stops an AK/SK header redaction at the end of the line', () => {
    const redact = createRedactor([]);
    expect(redact.text('SDK-HMAC-SHA256 Access=AK, Signature=abc\nnext line')).toBe(`SDK-HMAC-SHA256 ${REDACTED}\nnext line`);
  });
});

describe('createLogger: non-secret data', () => {
  it('leaves instance IDs, channel IDs, numbers, booleans and nulls untouched', async () => {
    const meta = {
      instance_id: INSTANCE_ID,
      channel: CHANNEL_ID,
      workspace_id: 'workspace-0001',
      status: 'FAILED',
      count: 42,
      ratio: 0.5,
      negative: -1,
      ok: true,
      nothing: null,
      list: [1, 'two', { three: 3 }],
      call: 'POST /v1/{project_id}/workspaces/{workspace_id}/soc/playbooks/instances/{instance_id}/operation',
    };
    const { json } = await logOne((l) => l.info(`instance ${INSTANCE_ID} in ${CHANNEL_ID}`, meta));
    expect(json).toMatchObject({ message: `instance ${INSTANCE_ID} in ${CHANNEL_ID}`, ...meta });
  });

  it('redactor returns primitives as they are', () => {
    const redact = createRedactor(SECRETS);
    for (const v of [0, 1.5, -3, true, false, null, undefined]) expect(redact(v)).toBe(v);
  });

  it('describes a Buffer instead of writing its bytes', () => {
    const redact = createRedactor(SECRETS);
    expect(redact({ body: Buffer.from(SK) })).toEqual({ body: '[Buffer 26 bytes]' });
  });

  it('does not treat secrets shorter than 4 characters as text to hide', () => {
    const redact = createRedactor(['ab', 'abc']);
    expect(redact.text('abcabc ab')).toBe('abcabc ab');
  });

  it('does not change the object it was given', () => {
    const redact = createRedactor(SECRETS);
    const input = { password: 'x', nested: { v: SK } };
    redact(input);
    expect(input).toEqual({ password: 'x', nested: { v: SK } });
  });
});

describe('createLogger: awkward shapes', () => {
  it('circular objects do not throw and are marked', async () => {
    const a: Record<string, unknown> = { name: 'a', secret_value: SK };
    const b: Record<string, unknown> = { name: 'b', a };
    a.b = b;
    a.self = a;
    const arr: unknown[] = [1];
    arr.push(arr);
    const { raw, json } = await logOne((l) => l.info('circular', { a, arr }));
    expectNoSecret(raw);
    expect(json.a).toEqual({ name: 'a', secret_value: REDACTED, b: { name: 'b', a: '[Circular]' }, self: '[Circular]' });
    expect(json.arr).toEqual([1, '[Circular]']);
  });

  it('a circular Error does not throw', async () => {
    const err = new Error(`loop ${SK}`) as Error & { self?: unknown };
    err.self = err;
    const { raw } = await logOne((l) => l.error('loop', { err }));
    expectNoSecret(raw);
    expect(raw).toContain('[Circular]');
  });

  it('very deep objects are truncated rather than walked forever', () => {
    const redact = createRedactor([]);
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(redact(deep))).toContain('[Truncated]');
  });

  /*
   * BUG (minor, src/log.ts createRedactor walk): `seen` is never cleared after an object is walked,
   * so the same (non-circular) object reached twice — `{ before: instance, after: instance }` — is
   * written the second time as "[Circular]", losing non-secret data. Expected: both copies written.
   */
  it('an object referenced twice (not circular) is written both times', () => {
    const redact = createRedactor([]);
    const shared = { instance_id: INSTANCE_ID };
    expect(redact({ before: shared, after: shared })).toEqual({ before: shared, after: shared });
  });
});

describe('secrets obtained at run time and outbound messages', () => {
  const IAM_TOKEN = 'MIIrunTimeIamToken0123456789abcdef';

  it('a token added after the logger was made is redacted from then on, in lines and in nested objects', async () => {
    const { logger, lines } = setup();
    logger.info('before', { detail: `token ${IAM_TOKEN}` });
    logger.redact.add(IAM_TOKEN);
    logger.info('after', { detail: `token ${IAM_TOKEN}`, nested: { err: new Error(`echo: ${IAM_TOKEN}`) } });
    await flush();
    expect(lines[0]).toContain(IAM_TOKEN);
    expect(lines[1]).not.toContain(IAM_TOKEN);
    expect(lines[1]).toContain(`token ${REDACTED}`);
    expect(logger.redact.text(`x ${IAM_TOKEN} y`)).toBe(`x ${REDACTED} y`);
  });

  it('strings() redacts every string of a Block Kit message and keeps its shape (no depth cut, no masking by key)', () => {
    const redact = createRedactor([SK]);
    let deep: unknown = { type: 'mrkdwn', text: `deep ${SK}` };
    for (let i = 0; i < 12; i++) deep = { elements: [deep] };
    const msg = { text: `fallback ${SK}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `SecMaster said: ${SK}` } }, deep], token: 'not-a-secret-field-value' };
    const out = redact.strings(msg);
    expect(JSON.stringify(out)).not.toContain(SK);
    expect(out.text).toBe(`fallback ${REDACTED}`);
    expect(out.token).toBe('not-a-secret-field-value');
    expect(JSON.stringify(out).replaceAll(REDACTED, SK)).toBe(JSON.stringify(msg));
  });
});
