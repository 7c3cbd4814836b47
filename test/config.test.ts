import { ConfigError, DEFAULT_SLACK_API_URL, loadConfig, planStart, type CloudSecMaster, type Config } from '../src/config';

/**
 * Unit tests of the environment contract in shared/spec/interface.md section 2.
 * Every environment is built from small fragments so each case names exactly what it changes.
 */

type Env = Record<string, string | undefined>;

const BOT_TOKEN = 'xoxb-1111-2222-botTokenValue';
const SIGNING_SECRET = 'signing-secret-value-0001';
const APP_TOKEN = 'xapp-1-A111-appTokenValue';
const AK = 'ACCESSKEYID0001';
const SK = 'secret-key-value-0001';
const IAM_PASSWORD = 'iam-password-value-0001';
const AUTH_TOKEN = 'ready-made-auth-token-0001';
const WEBHOOK_TOKEN = 'alert-webhook-token-0001';
const PG_PASSWORD = 'pg-password-value-0001';

const SLACK_HTTP: Env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET };
const SLACK_SOCKET: Env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN };
const TARGET: Env = { SECMASTER_REGION: 'ap-southeast-1', SECMASTER_PROJECT_ID: 'project-0001', SECMASTER_WORKSPACE_ID: 'workspace-0001' };
const AKSK: Env = { CLOUD_SDK_AK: AK, CLOUD_SDK_SK: SK };
const IAM: Env = { HUAWEICLOUD_IAM_DOMAIN: 'my-domain', HUAWEICLOUD_IAM_USER: 'bot-user', HUAWEICLOUD_IAM_PASSWORD: IAM_PASSWORD };
const TOKEN: Env = { SECMASTER_AUTH_TOKEN: AUTH_TOKEN };

/** A complete, valid HTTP-mode environment with a token credential. */
const VALID: Env = { ...SLACK_HTTP, ...TARGET, ...TOKEN };

function without(env: Env, ...names: string[]): Env {
  const out = { ...env };
  for (const n of names) delete out[n];
  return out;
}

/** The ConfigError thrown by `fn`; fails the test when nothing (or something else) is thrown. */
function configError(fn: () => unknown): ConfigError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

/** The cloud SecMaster a configuration names; fails the test for the simulator. */
function cloud(config: Config): CloudSecMaster {
  expect(config.secmaster.mode).toBe('cloud');
  return config.secmaster as CloudSecMaster;
}

function problemsOf(env: Env): string[] {
  return configError(() => loadConfig(env)).problems;
}

/** The problems that name `name` as the variable at fault (problems are written `NAME: why`). */
function problemsNaming(problems: string[], name: string): string[] {
  return problems.filter((p) => p.startsWith(`${name}:`));
}

describe('planStart: sandbox or bot', () => {
  it('runs the sandbox with the defaults when nothing is set', () => {
    expect(planStart({})).toEqual({ kind: 'sandbox', port: 3000, logLevel: 'info' });
  });

  it('keeps PORT and LOG_LEVEL for the sandbox', () => {
    expect(planStart({ PORT: '4100', LOG_LEVEL: 'debug' })).toEqual({ kind: 'sandbox', port: 4100, logLevel: 'debug' });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'chatty'],
  ])('refuses a malformed %s=%s in the sandbox too', (name, value) => {
    const err = configError(() => planStart({ [name]: value }));
    expect(problemsNaming(err.problems, name)).toHaveLength(1);
  });

  it('still runs the sandbox when only a tuning knob (STATUS_POLL_INTERVAL_MS) is set', () => {
    expect(planStart({ STATUS_POLL_INTERVAL_MS: '1000' }).kind).toBe('sandbox');
  });

  it.each([
    ['SLACK_API_URL', 'https://slack.example.test/api/'],
    ['ALERT_WEBHOOK_TOKEN', WEBHOOK_TOKEN],
    ['IAM_ENDPOINT', 'https://iam.example.test'],
  ])('does not run the sandbox when %s is set: it is a Slack or SecMaster setting (or a credential), so the rest is required', (name, value) => {
    expect(() => planStart({ [name]: value })).toThrow(ConfigError);
  });

  it.each([
    ['DATABASE_URL', 'sqlite:/tmp/x.sqlite'],
    ['DATABASE_URL', `postgres://bot:${PG_PASSWORD}@db.example.test/bot`],
    ['HUAWEICLOUD_SDK_AK', AK],
    ['HUAWEICLOUD_SDK_SK', SK],
    ['PLAYBOOK_POLICY_FILE', 'other.yml'],
    ['PLAYBOOK_POLICY', 'slack_team_id: T0123ABCD\n'],
    ['SMN_TOPICS', 'urn:smn:ap-southeast-1:0123abcd:alerts=C0INCIDENT'],
  ])('does not run the sandbox when only %s is set (a deployment was meant): a configuration error listing what is missing', (name, value) => {
    const err = configError(() => planStart({ [name]: value }));
    for (const missing of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SECMASTER_REGION', 'SECMASTER_PROJECT_ID', 'SECMASTER_WORKSPACE_ID', 'SecMaster credential']) {
      expect(problemsNaming(err.problems, missing)).toHaveLength(1);
    }
    // No secret value in what is shown.
    for (const secret of [PG_PASSWORD, SK]) expect(err.message).not.toContain(secret);
  });

  it.each([
    ['DATABASE_URL', { DATABASE_URL: `postgres://bot:${PG_PASSWORD}@db.example.test/bot` }],
    ['PLAYBOOK_POLICY_FILE, SMN_TOPICS', { PLAYBOOK_POLICY_FILE: 'other.yml', SMN_TOPICS: 'urn:smn:ap-southeast-1:0123abcd:alerts=C0INCIDENT', PORT: '3100' }],
  ])('says why only %s is not the sandbox, naming what is set', (named, env) => {
    const err = configError(() => planStart(env));
    expect(err.note).toBe(
      `This is a configuration, not the sandbox, because ${named} ${named.includes(',') ? 'are' : 'is'} set: the sandbox starts only when no Slack, SecMaster, database, policy, alert or SMN variable is set; unset ${named.includes(',') ? 'them' : 'it'} to try the sandbox, or set the rest.`,
    );
    expect(err.message.endsWith(`\n${err.note}`)).toBe(true);
    expect(err.message).not.toContain(PG_PASSWORD);
  });

  it('adds no sandbox note once Slack or SecMaster is configured: the problems speak for themselves', () => {
    expect(configError(() => planStart({ ...SLACK_HTTP, DATABASE_URL: 'sqlite:/tmp/x.sqlite' })).note).toBeUndefined();
  });

  it('never runs the sandbox on Heroku (DYNO set): a configuration error listing what is missing', () => {
    const err = configError(() => planStart({ DYNO: 'web.1', PORT: '5000' }));
    for (const missing of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SECMASTER_REGION', 'SECMASTER_PROJECT_ID', 'SECMASTER_WORKSPACE_ID', 'SecMaster credential']) {
      expect(problemsNaming(err.problems, missing)).toHaveLength(1);
    }
    expect(err.note).toBe('DYNO is set, so this runs on Heroku, where the sandbox never starts: set the variables above (heroku config:set NAME=value).');
  });

  it('on Heroku with only DATABASE_URL (Heroku Postgres added), the note names both', () => {
    const err = configError(() => planStart({ DYNO: 'web.1', DATABASE_URL: 'postgres://u:p@db.example.test/d' }));
    expect(err.note).toMatch(/^This is a configuration, not the sandbox, because DATABASE_URL is set: .* On Heroku \(DYNO is set\) the sandbox never starts\.$/);
  });

  it('a blank DYNO is not Heroku', () => {
    expect(planStart({ DYNO: ' ' }).kind).toBe('sandbox');
  });

  it("names CLOUD_SDK_AK/SK when only the Huawei SDKs' own variable names are set", () => {
    const [credential] = problemsNaming(configError(() => planStart({ ...SLACK_HTTP, ...TARGET, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK })).problems, 'SecMaster credential');
    expect(credential).toContain("HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are the Huawei SDKs' names; this bot reads CLOUD_SDK_AK and CLOUD_SDK_SK");
  });

  it('treats blank Slack/SecMaster variables as unset', () => {
    expect(planStart({ SLACK_BOT_TOKEN: '', SECMASTER_REGION: '   ', SECMASTER_AUTH_TOKEN: '\t' }).kind).toBe('sandbox');
  });

  it.each([
    'SLACK_SIGNING_SECRET',
    'SLACK_BOT_TOKEN',
    'SLACK_APP_TOKEN',
    'SECMASTER_REGION',
    'SECMASTER_ENDPOINT',
    'SECMASTER_PROJECT_ID',
    'SECMASTER_WORKSPACE_ID',
    'CLOUD_SDK_AK',
    'CLOUD_SDK_SK',
    'HUAWEICLOUD_IAM_DOMAIN',
    'HUAWEICLOUD_IAM_USER',
    'HUAWEICLOUD_IAM_PASSWORD',
    'SECMASTER_AUTH_TOKEN',
    'SECMASTER_SIMULATOR',
  ])('never starts the sandbox half-configured: %s alone is a configuration error', (name) => {
    const value = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SECMASTER_REGION: 'ap-southeast-1', SECMASTER_ENDPOINT: 'https://x.example.test', SECMASTER_SIMULATOR: '1' }[name] ?? 'value-0001';
    const err = configError(() => planStart({ [name]: value }));
    expect(err.problems.length).toBeGreaterThan(0);
  });

  it('plans the bot for a complete configuration', () => {
    const plan = planStart(VALID);
    expect(plan.kind).toBe('bot');
    expect(plan.kind === 'bot' && cloud(plan.config).credential).toEqual({ kind: 'token', token: AUTH_TOKEN });
  });
});

describe('loadConfig: required variables', () => {
  it.each([
    { missing: 'SLACK_BOT_TOKEN', env: without(VALID, 'SLACK_BOT_TOKEN') },
    { missing: 'SLACK_SIGNING_SECRET', env: without(VALID, 'SLACK_SIGNING_SECRET') },
    { missing: 'SECMASTER_REGION', env: without(VALID, 'SECMASTER_REGION') },
    { missing: 'SECMASTER_PROJECT_ID', env: without(VALID, 'SECMASTER_PROJECT_ID') },
    { missing: 'SECMASTER_WORKSPACE_ID', env: without(VALID, 'SECMASTER_WORKSPACE_ID') },
  ])('$missing missing gives exactly the problem naming it', ({ missing, env }) => {
    const err = configError(() => loadConfig(env));
    expect(err.problems).toHaveLength(1);
    expect(problemsNaming(err.problems, missing)).toHaveLength(1);
    expect(err.problems[0]).toMatch(/required/);
    expect(err.message).toContain(missing);
  });

  it.each(['SLACK_BOT_TOKEN', 'SECMASTER_PROJECT_ID', 'SECMASTER_WORKSPACE_ID'])('%s set to blanks counts as missing', (name) => {
    expect(problemsNaming(problemsOf({ ...VALID, [name]: '   ' }), name)).toHaveLength(1);
  });

  it('names every missing variable at once', () => {
    const problems = problemsOf({ SLACK_APP_TOKEN: APP_TOKEN });
    for (const name of ['SLACK_BOT_TOKEN', 'SECMASTER_REGION', 'SECMASTER_PROJECT_ID', 'SECMASTER_WORKSPACE_ID']) {
      expect(problemsNaming(problems, name)).toHaveLength(1);
    }
    expect(problems.some((p) => p.includes('credential'))).toBe(true);
  });

  it('the SLACK_SIGNING_SECRET problem points at Socket Mode as the alternative', () => {
    const [problem] = problemsNaming(problemsOf(without(VALID, 'SLACK_SIGNING_SECRET')), 'SLACK_SIGNING_SECRET');
    expect(problem).toContain('SLACK_APP_TOKEN');
  });

  it('SECMASTER_ENDPOINT stands in for SECMASTER_REGION', () => {
    const config = loadConfig({ ...without(VALID, 'SECMASTER_REGION'), SECMASTER_ENDPOINT: 'https://secmaster.example.test' });
    expect(cloud(config).endpoint).toBe('https://secmaster.example.test');
  });
});

describe('loadConfig: malformed values', () => {
  it.each([
    { name: 'PORT', value: 'abc' },
    { name: 'PORT', value: '70000' },
    { name: 'PORT', value: '65536' },
    { name: 'PORT', value: '-1' },
    { name: 'PORT', value: '80.5' },
    { name: 'PORT', value: '0x50' },
    { name: 'LOG_LEVEL', value: 'loud' },
    { name: 'LOG_LEVEL', value: 'trace' },
    { name: 'DATABASE_URL', value: 'mysql://u:p@h/db' },
    { name: 'DATABASE_URL', value: 'data/playbook-bot.sqlite' },
    { name: 'DATABASE_URL', value: 'sqlite:' },
    { name: 'DATABASE_URL', value: 'postgres://' },
    { name: 'SLACK_BOT_TOKEN', value: 'xoxp-1111-user-token' },
    { name: 'SLACK_BOT_TOKEN', value: 'not-a-token' },
    { name: 'SLACK_APP_TOKEN', value: 'xoxb-1111-not-an-app-token' },
    { name: 'SLACK_APP_TOKEN', value: 'app-token' },
    { name: 'ALERT_WEBHOOK_TOKEN', value: 'short' },
    { name: 'ALERT_WEBHOOK_TOKEN', value: 'x'.repeat(15) },
    { name: 'SECMASTER_REGION', value: 'AP-SOUTHEAST-1' },
    { name: 'SECMASTER_REGION', value: 'ap_southeast_1' },
    { name: 'SECMASTER_REGION', value: 'ap-southeast' },
    { name: 'SECMASTER_REGION', value: 'apsoutheast1' },
    { name: 'SECMASTER_REGION', value: 'https://secmaster.ap-southeast-1.myhuaweicloud.com' },
    { name: 'SECMASTER_REGION', value: 'ap-southeast-1/../evil' },
    { name: 'SECMASTER_ENDPOINT', value: 'secmaster.example.test' },
    { name: 'SECMASTER_ENDPOINT', value: 'ftp://secmaster.example.test' },
    { name: 'IAM_ENDPOINT', value: 'not a url' },
    { name: 'SLACK_API_URL', value: 'slack.example.test/api' },
    { name: 'SECMASTER_PROJECT_ID', value: 'has space' },
    { name: 'SECMASTER_WORKSPACE_ID', value: '../other' },
    { name: 'STATUS_POLL_INTERVAL_MS', value: '50' },
    { name: 'STATUS_POLL_MAX_INTERVAL_MS', value: 'soon' },
    { name: 'STATUS_WATCH_TIMEOUT_MS', value: '999' },
    { name: 'SECMASTER_SIMULATOR', value: 'yes' },
    { name: 'SECMASTER_SIMULATOR', value: 'true' },
  ])('$name=$value is refused with a problem naming $name', ({ name, value }) => {
    const problems = problemsOf({ ...VALID, [name]: value });
    expect(problemsNaming(problems, name)).toHaveLength(1);
    // Nothing else is blamed for it.
    expect(problems).toHaveLength(1);
  });

  it('explains why PORT is wrong', () => {
    expect(problemsNaming(problemsOf({ ...VALID, PORT: 'abc' }), 'PORT')[0]).toMatch(/whole number/);
    expect(problemsNaming(problemsOf({ ...VALID, PORT: '70000' }), 'PORT')[0]).toMatch(/between 0 and 65535/);
  });

  it('lists the accepted LOG_LEVEL values', () => {
    expect(problemsNaming(problemsOf({ ...VALID, LOG_LEVEL: 'loud' }), 'LOG_LEVEL')[0]).toMatch(/error, warn, info/);
  });

  it.each([
    { interval: '5000', max: '1000' },
    { interval: '2001', max: '2000' },
  ])('STATUS_POLL_MAX_INTERVAL_MS=$max below STATUS_POLL_INTERVAL_MS=$interval is refused', ({ interval, max }) => {
    const problems = problemsOf({ ...VALID, STATUS_POLL_INTERVAL_MS: interval, STATUS_POLL_MAX_INTERVAL_MS: max });
    expect(problems).toHaveLength(1);
    expect(problemsNaming(problems, 'STATUS_POLL_MAX_INTERVAL_MS')[0]).toContain('STATUS_POLL_INTERVAL_MS');
  });

  it('STATUS_POLL_MAX_INTERVAL_MS below the default interval is refused', () => {
    expect(problemsNaming(problemsOf({ ...VALID, STATUS_POLL_MAX_INTERVAL_MS: '1500' }), 'STATUS_POLL_MAX_INTERVAL_MS')).toHaveLength(1);
  });

  it.each([
    { name: 'PORT', value: '0' },
    { name: 'PORT', value: '65535' },
    { name: 'PORT', value: ' 8080 ' },
    { name: 'ALERT_WEBHOOK_TOKEN', value: 'x'.repeat(16) },
    { name: 'SECMASTER_REGION', value: 'cn-north-4' },
    { name: 'SECMASTER_REGION', value: 'la-south-2' },
    { name: 'SECMASTER_REGION', value: ' ap-southeast-3 ' },
    { name: 'DATABASE_URL', value: 'postgresql://u@h/db' },
    { name: 'DATABASE_URL', value: 'sqlite::memory:' },
    { name: 'LOG_LEVEL', value: 'silly' },
    { name: 'STATUS_POLL_MAX_INTERVAL_MS', value: '2000' },
    { name: 'SECMASTER_SIMULATOR', value: '0' },
  ])('$name=$value is accepted', ({ name, value }) => {
    expect(() => loadConfig({ ...VALID, [name]: value })).not.toThrow();
  });

  it('names every malformed variable at once', () => {
    const problems = problemsOf({ ...VALID, PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', SLACK_BOT_TOKEN: 'xoxp-1' });
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'SLACK_BOT_TOKEN']) expect(problemsNaming(problems, name)).toHaveLength(1);
  });

  /*
   * BUG (src/config.ts loadConfig): the STATUS_POLL_MAX_INTERVAL_MS < STATUS_POLL_INTERVAL_MS check
   * only runs when every other variable parsed (`if (e && …)`), so with PORT=abc alongside an
   * inverted poll pair the error names PORT only, although loadConfig promises to name "every bad
   * variable". Expected: both PORT and STATUS_POLL_MAX_INTERVAL_MS are named.
   * `it.failing` passes while the bug is there; once fixed, turn it into a plain `it`.
   */
  it('names an inverted poll interval even when another variable is malformed', () => {
    const problems = problemsOf({ ...VALID, PORT: 'abc', STATUS_POLL_INTERVAL_MS: '5000', STATUS_POLL_MAX_INTERVAL_MS: '1000' });
    expect(problemsNaming(problems, 'PORT')).toHaveLength(1);
    expect(problemsNaming(problems, 'STATUS_POLL_MAX_INTERVAL_MS')).toHaveLength(1);
  });

  /*
   * BUG (src/config.ts loadConfig → readCredential): when any variable fails the schema, `e` is
   * undefined and readCredential receives region=undefined, so an IAM-password configuration WITH a
   * valid SECMASTER_REGION also gets "IAM_ENDPOINT: required … when SECMASTER_REGION is not set" —
   * blaming a variable that is not wrong. Input: valid HTTP Slack + SECMASTER_REGION=ap-southeast-1 +
   * project/workspace + HUAWEICLOUD_IAM_* + PORT=abc. Expected problems: only PORT.
   */
  it('a malformed PORT does not produce a spurious IAM_ENDPOINT problem', () => {
    const problems = problemsOf({ ...SLACK_HTTP, ...TARGET, ...IAM, PORT: 'abc' });
    expect(problems).toEqual([expect.stringMatching(/^PORT:/)]);
  });

  /*
   * BUG (minor, src/config.ts envSchema): every variable treats an empty value as unset (optionalText,
   * isSet) except the URL ones (SECMASTER_ENDPOINT, IAM_ENDPOINT, SLACK_API_URL), which use
   * `httpUrl.optional()` and reject '' with "must be an http(s) URL". So an env file with
   * `SECMASTER_ENDPOINT=` next to SECMASTER_REGION fails to start, although loadConfig's own
   * "required (or set SECMASTER_ENDPOINT)" check considers the blank value unset.
   */
  it.each(['SECMASTER_ENDPOINT', 'IAM_ENDPOINT', 'SLACK_API_URL'])('blank %s is treated as unset like every other variable', (name) => {
    expect(() => loadConfig({ ...VALID, [name]: '' })).not.toThrow();
  });
});

describe('loadConfig: exactly one SecMaster credential kind', () => {
  it('none is an error that lists the three kinds', () => {
    const problems = problemsOf({ ...SLACK_HTTP, ...TARGET });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/credential/i);
    for (const name of ['CLOUD_SDK_AK', 'HUAWEICLOUD_IAM_PASSWORD', 'SECMASTER_AUTH_TOKEN']) expect(problems[0]).toContain(name);
  });

  it.each([
    { kinds: 'AK/SK and token', env: { ...AKSK, ...TOKEN }, names: ['CLOUD_SDK_AK', 'SECMASTER_AUTH_TOKEN'] },
    { kinds: 'AK/SK and IAM password', env: { ...AKSK, ...IAM }, names: ['CLOUD_SDK_AK', 'HUAWEICLOUD_IAM'] },
    { kinds: 'IAM password and token', env: { ...IAM, ...TOKEN }, names: ['HUAWEICLOUD_IAM', 'SECMASTER_AUTH_TOKEN'] },
    { kinds: 'all three', env: { ...AKSK, ...IAM, ...TOKEN }, names: ['CLOUD_SDK_AK', 'HUAWEICLOUD_IAM', 'SECMASTER_AUTH_TOKEN'] },
    { kinds: 'half an AK/SK pair and token', env: { CLOUD_SDK_AK: AK, ...TOKEN }, names: ['CLOUD_SDK_AK', 'SECMASTER_AUTH_TOKEN'] },
    { kinds: 'one IAM variable and token', env: { HUAWEICLOUD_IAM_USER: 'bot-user', ...TOKEN }, names: ['HUAWEICLOUD_IAM', 'SECMASTER_AUTH_TOKEN'] },
  ])('$kinds is an error naming each kind', ({ env, names }) => {
    const problems = problemsOf({ ...SLACK_HTTP, ...TARGET, ...env });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/exactly one/);
    for (const name of names) expect(problems[0]).toContain(name);
  });

  it.each([
    { given: 'CLOUD_SDK_AK', missing: 'CLOUD_SDK_SK', env: { CLOUD_SDK_AK: AK } },
    { given: 'CLOUD_SDK_SK', missing: 'CLOUD_SDK_AK', env: { CLOUD_SDK_SK: SK } },
    { given: 'CLOUD_SDK_AK (SK blank)', missing: 'CLOUD_SDK_SK', env: { CLOUD_SDK_AK: AK, CLOUD_SDK_SK: '  ' } },
  ])('only $given: the error names $missing', ({ missing, env }) => {
    const problems = problemsOf({ ...SLACK_HTTP, ...TARGET, ...env });
    expect(problems).toHaveLength(1);
    expect(problemsNaming(problems, missing)).toHaveLength(1);
  });

  const iamVars = ['HUAWEICLOUD_IAM_DOMAIN', 'HUAWEICLOUD_IAM_USER', 'HUAWEICLOUD_IAM_PASSWORD'];
  const [DOMAIN, USER, PASSWORD] = iamVars as [string, string, string];
  const iamSubsets = [[DOMAIN], [USER], [PASSWORD], [DOMAIN, USER], [DOMAIN, PASSWORD], [USER, PASSWORD]];
  it.each(iamSubsets.map((given) => ({ given, missing: iamVars.filter((v) => !given.includes(v)) })))(
    'IAM password with only $given: the error names exactly $missing',
    ({ given, missing }) => {
      const env: Env = { ...SLACK_HTTP, ...TARGET };
      for (const v of given) env[v] = IAM[v];
      const problems = problemsOf(env);
      expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([...missing].sort());
    },
  );

  it('IAM password without SECMASTER_REGION needs IAM_ENDPOINT', () => {
    const env = { ...SLACK_HTTP, ...without(TARGET, 'SECMASTER_REGION'), SECMASTER_ENDPOINT: 'https://secmaster.example.test', ...IAM };
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problemsNaming(problems, 'IAM_ENDPOINT')).toHaveLength(1);
    const config = loadConfig({ ...env, IAM_ENDPOINT: 'https://iam.example.test' });
    expect(cloud(config).credential).toMatchObject({ kind: 'password', iamEndpoint: 'https://iam.example.test' });
  });

  it.each([
    { kind: 'aksk', env: AKSK, credential: { kind: 'aksk', accessKey: AK, secretKey: SK } },
    {
      kind: 'password',
      env: IAM,
      credential: { kind: 'password', domain: 'my-domain', user: 'bot-user', password: IAM_PASSWORD, iamEndpoint: 'https://iam.ap-southeast-1.myhuaweicloud.com' },
    },
    { kind: 'token', env: TOKEN, credential: { kind: 'token', token: AUTH_TOKEN } },
  ])('$kind alone is accepted', ({ env, credential }) => {
    expect(cloud(loadConfig({ ...SLACK_HTTP, ...TARGET, ...env })).credential).toEqual(credential);
  });

  it('trims AK/SK and tokens but keeps an IAM password exactly as given', () => {
    expect(cloud(loadConfig({ ...SLACK_HTTP, ...TARGET, CLOUD_SDK_AK: ` ${AK} `, CLOUD_SDK_SK: `${SK}\n` })).credential).toEqual({ kind: 'aksk', accessKey: AK, secretKey: SK });
    expect(cloud(loadConfig({ ...SLACK_HTTP, ...TARGET, SECMASTER_AUTH_TOKEN: ` ${AUTH_TOKEN} ` })).credential).toEqual({ kind: 'token', token: AUTH_TOKEN });
    const password = ' pass word ';
    expect(cloud(loadConfig({ ...SLACK_HTTP, ...TARGET, ...IAM, HUAWEICLOUD_IAM_PASSWORD: password })).credential).toMatchObject({ password });
  });
});

describe('loadConfig: endpoints', () => {
  it.each(['ap-southeast-1', 'cn-north-4', 'la-north-2', 'me-east-1'])('SECMASTER_REGION=%s derives the SecMaster and IAM endpoints', (region) => {
    const config = loadConfig({ ...SLACK_HTTP, ...TARGET, ...IAM, SECMASTER_REGION: region });
    expect(cloud(config).endpoint).toBe(`https://secmaster.${region}.myhuaweicloud.com`);
    expect(cloud(config).credential).toMatchObject({ kind: 'password', iamEndpoint: `https://iam.${region}.myhuaweicloud.com` });
  });

  it.each([
    { given: 'https://secmaster.example.test', expected: 'https://secmaster.example.test' },
    { given: 'https://secmaster.example.test/', expected: 'https://secmaster.example.test' },
    { given: 'http://127.0.0.1:8443/base//', expected: 'http://127.0.0.1:8443/base' },
  ])('SECMASTER_ENDPOINT=$given overrides the region (→ $expected)', ({ given, expected }) => {
    const config = loadConfig({ ...VALID, SECMASTER_ENDPOINT: given });
    expect(cloud(config).endpoint).toBe(expected);
  });

  it.each([
    { given: 'https://iam.example.test', expected: 'https://iam.example.test' },
    { given: 'https://iam.example.test/', expected: 'https://iam.example.test' },
  ])('IAM_ENDPOINT=$given overrides the region (→ $expected)', ({ given, expected }) => {
    const config = loadConfig({ ...SLACK_HTTP, ...TARGET, ...IAM, IAM_ENDPOINT: given });
    expect(cloud(config).credential).toMatchObject({ kind: 'password', iamEndpoint: expected });
    // The SecMaster endpoint still comes from the region.
    expect(cloud(config).endpoint).toBe('https://secmaster.ap-southeast-1.myhuaweicloud.com');
  });

  it('keeps project and workspace IDs', () => {
    const config = loadConfig(VALID);
    expect(config.secmaster.projectId).toBe('project-0001');
    expect(config.secmaster.workspaceId).toBe('workspace-0001');
  });
});

describe('loadConfig: Slack modes', () => {
  it('HTTP mode: signing secret, no app token', () => {
    expect(loadConfig(VALID).slack).toEqual({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: undefined, apiUrl: DEFAULT_SLACK_API_URL });
  });

  it('Socket Mode: SLACK_APP_TOKEN set and no signing secret is fine', () => {
    const config = loadConfig({ ...SLACK_SOCKET, ...TARGET, ...TOKEN });
    expect(config.slack).toEqual({ botToken: BOT_TOKEN, signingSecret: undefined, appToken: APP_TOKEN, apiUrl: DEFAULT_SLACK_API_URL });
  });

  it('Socket Mode keeps a signing secret if one is given', () => {
    expect(loadConfig({ ...VALID, SLACK_APP_TOKEN: APP_TOKEN }).slack).toMatchObject({ appToken: APP_TOKEN, signingSecret: SIGNING_SECRET });
  });

  it.each([
    { given: 'https://slack.example.test/api', expected: 'https://slack.example.test/api/' },
    { given: 'https://slack.example.test/api/', expected: 'https://slack.example.test/api/' },
    { given: 'http://127.0.0.1:9000', expected: 'http://127.0.0.1:9000/' },
  ])('SLACK_API_URL=$given becomes $expected', ({ given, expected }) => {
    expect(loadConfig({ ...VALID, SLACK_API_URL: given }).slack.apiUrl).toBe(expected);
  });

  it("Slack's own API URL constant ends in a slash", () => {
    expect(DEFAULT_SLACK_API_URL).toBe('https://slack.com/api/');
  });
});

describe('loadConfig: SECMASTER_SIMULATOR', () => {
  it('SECMASTER_SIMULATOR=1 needs no credential, region, project or workspace', () => {
    const config = loadConfig({ ...SLACK_HTTP, SECMASTER_SIMULATOR: '1' });
    // No endpoint and no credential: bot.ts starts the simulator and connects to it.
    expect(config.secmaster).toEqual({ mode: 'simulator', projectId: 'sim-project', workspaceId: 'sim-workspace' });
  });

  it('SECMASTER_SIMULATOR=1 still needs Slack', () => {
    expect(problemsNaming(problemsOf({ SECMASTER_SIMULATOR: '1' }), 'SLACK_BOT_TOKEN')).toHaveLength(1);
  });

  it('SECMASTER_SIMULATOR=1 keeps given project and workspace IDs', () => {
    const config = loadConfig({ ...SLACK_HTTP, ...TARGET, SECMASTER_SIMULATOR: '1' });
    expect(config.secmaster).toEqual({ mode: 'simulator', projectId: 'project-0001', workspaceId: 'workspace-0001' });
  });

  it.each([
    { kind: 'AK/SK', env: AKSK, name: 'CLOUD_SDK_AK' },
    { kind: 'half an AK/SK pair', env: { CLOUD_SDK_SK: SK }, name: 'CLOUD_SDK_AK' },
    { kind: 'IAM password', env: IAM, name: 'HUAWEICLOUD_IAM' },
    { kind: 'token', env: TOKEN, name: 'SECMASTER_AUTH_TOKEN' },
  ])('SECMASTER_SIMULATOR=1 refuses a $kind credential', ({ env, name }) => {
    const problems = problemsOf({ ...SLACK_HTTP, SECMASTER_SIMULATOR: '1', ...env });
    expect(problems).toHaveLength(1);
    expect(problemsNaming(problems, 'SECMASTER_SIMULATOR')[0]).toContain(name);
  });

  it('SECMASTER_SIMULATOR=0 is the cloud: a credential is required', () => {
    expect(problemsOf({ ...SLACK_HTTP, ...TARGET, SECMASTER_SIMULATOR: '0' })[0]).toMatch(/credential/i);
  });
});

describe('loadConfig: PLAYBOOK_POLICY (the YAML itself)', () => {
  const YAML = 'slack_team_id: T0123ABCD\nroles:\n  lead:\n    users: [U0LEAD]\nrules:\n  - operations: [VIEW]\n    roles: [lead]\n';

  it('is the policy source when set, kept verbatim (indentation is YAML structure)', () => {
    expect(loadConfig({ ...VALID, PLAYBOOK_POLICY: YAML }).policy).toEqual({ kind: 'variable', yaml: YAML });
  });

  it('the file otherwise, by default policy.yml', () => {
    expect(loadConfig(VALID).policy).toEqual({ kind: 'file', file: 'policy.yml' });
    expect(loadConfig({ ...VALID, PLAYBOOK_POLICY: '   ' }).policy).toEqual({ kind: 'file', file: 'policy.yml' });
  });

  it('both set is a configuration error naming both', () => {
    expect(problemsOf({ ...VALID, PLAYBOOK_POLICY: YAML, PLAYBOOK_POLICY_FILE: 'policy.yml' })).toEqual(['PLAYBOOK_POLICY: set either PLAYBOOK_POLICY or PLAYBOOK_POLICY_FILE, not both']);
  });
});

describe('loadConfig: defaults and overrides', () => {
  it('defaults match the spec table', () => {
    const config = loadConfig(VALID);
    expect(config).toMatchObject<Partial<Config>>({
      port: 3000,
      policy: { kind: 'file', file: 'policy.yml' },
      databaseUrl: 'sqlite:data/playbook-bot.sqlite',
      alertWebhookToken: undefined,
      logLevel: 'info',
    });
    expect(config.watch).toMatchObject({ pollIntervalMs: 2000, pollMaxIntervalMs: 30000, timeoutMs: 3600000 });
  });

  it('blank values take the defaults', () => {
    const config = loadConfig({ ...VALID, PORT: '', PLAYBOOK_POLICY_FILE: ' ', DATABASE_URL: '', LOG_LEVEL: '', STATUS_POLL_INTERVAL_MS: ' ', ALERT_WEBHOOK_TOKEN: '' });
    expect(config).toMatchObject({ port: 3000, policy: { kind: 'file', file: 'policy.yml' }, databaseUrl: 'sqlite:data/playbook-bot.sqlite', logLevel: 'info', alertWebhookToken: undefined });
    expect(config.watch.pollIntervalMs).toBe(2000);
  });

  it('every value can be overridden', () => {
    const config = loadConfig({
      ...VALID,
      PORT: '8080',
      PLAYBOOK_POLICY_FILE: '/etc/bot/policy.yml',
      DATABASE_URL: 'sqlite:/var/lib/bot.sqlite',
      ALERT_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      STATUS_POLL_INTERVAL_MS: '500',
      STATUS_POLL_MAX_INTERVAL_MS: '5000',
      STATUS_WATCH_TIMEOUT_MS: '60000',
      STATUS_READS_PER_SECOND: '7',
      OPERATIONS_PER_USER_PER_MINUTE: '3',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      port: 8080,
      policy: { kind: 'file', file: '/etc/bot/policy.yml' },
      databaseUrl: 'sqlite:/var/lib/bot.sqlite',
      alertWebhookToken: WEBHOOK_TOKEN,
      watch: { pollIntervalMs: 500, pollMaxIntervalMs: 5000, timeoutMs: 60000, readsPerSecond: 7 },
      operationsPerUserPerMinute: 3,
      logLevel: 'warn',
    });
  });
});

describe('loadConfig: secrets', () => {
  it.each([
    { name: 'HTTP mode + token', env: { ...VALID }, expected: [BOT_TOKEN, SIGNING_SECRET, AUTH_TOKEN] },
    { name: 'Socket Mode + AK/SK', env: { ...SLACK_SOCKET, ...TARGET, ...AKSK }, expected: [BOT_TOKEN, APP_TOKEN, SK] },
    { name: 'IAM password + webhook', env: { ...SLACK_HTTP, ...TARGET, ...IAM, ALERT_WEBHOOK_TOKEN: WEBHOOK_TOKEN }, expected: [BOT_TOKEN, SIGNING_SECRET, IAM_PASSWORD, WEBHOOK_TOKEN] },
    {
      name: 'postgres URL with password',
      env: { ...VALID, DATABASE_URL: `postgres://bot:${PG_PASSWORD}@db.example.test:5432/bot` },
      expected: [BOT_TOKEN, SIGNING_SECRET, AUTH_TOKEN, PG_PASSWORD],
    },
    {
      name: 'everything at once',
      env: { ...VALID, SLACK_APP_TOKEN: APP_TOKEN, ALERT_WEBHOOK_TOKEN: WEBHOOK_TOKEN, DATABASE_URL: `postgresql://bot:${PG_PASSWORD}@db/bot` },
      expected: [BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, AUTH_TOKEN, WEBHOOK_TOKEN, PG_PASSWORD],
    },
  ])('$name: secrets holds every secret value', ({ env, expected }) => {
    const { secrets } = loadConfig(env);
    expect([...secrets].sort()).toEqual([...expected].sort());
  });

  it('a postgres URL without a password adds nothing, and sqlite never does', () => {
    expect(loadConfig({ ...VALID, DATABASE_URL: 'postgres://bot@db/bot' }).secrets).toHaveLength(3);
    expect(loadConfig({ ...VALID, DATABASE_URL: 'sqlite:secret-looking-path.sqlite' }).secrets).not.toContain('secret-looking-path.sqlite');
  });

  it('the IAM password is a secret exactly as given (untrimmed)', () => {
    expect(loadConfig({ ...SLACK_HTTP, ...TARGET, ...IAM, HUAWEICLOUD_IAM_PASSWORD: ' pw with spaces ' }).secrets).toContain(' pw with spaces ');
  });

  it('the access key ID and non-secret settings are not listed as secrets', () => {
    const { secrets } = loadConfig({ ...SLACK_HTTP, ...TARGET, ...AKSK });
    expect(secrets).not.toContain(AK);
    expect(secrets).not.toContain('project-0001');
    expect(secrets).not.toContain('ap-southeast-1');
  });

  /*
   * BUG (src/config.ts databasePassword): a percent-encoded password is only listed decoded. For
   * DATABASE_URL=postgres://bot:p%40ss-0001@db/bot the secrets list holds "p@ss-0001" but not
   * "p%40ss-0001", which is how the password appears wherever the URL itself is written (a pg
   * connection error quoting it, a log of the setting). Expected: both forms are secrets.
   */
  it('a percent-encoded postgres password is a secret in its encoded form too', () => {
    const { secrets } = loadConfig({ ...VALID, DATABASE_URL: 'postgres://bot:p%40ss-0001@db/bot' });
    expect(secrets).toContain('p@ss-0001');
    expect(secrets).toContain('p%40ss-0001');
  });

  it('decodes a percent-encoded postgres password', () => {
    expect(loadConfig({ ...VALID, DATABASE_URL: 'postgres://bot:p%40ss-0001@db/bot' }).secrets).toContain('p@ss-0001');
  });
});

describe('ConfigError', () => {
  it('is an Error named ConfigError whose message lists every problem', () => {
    const err = configError(() => loadConfig({ PORT: 'abc', SLACK_BOT_TOKEN: 'nope' }));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ConfigError');
    expect(err.problems.length).toBeGreaterThan(2);
    expect(err.message.startsWith('Configuration is invalid:')).toBe(true);
    for (const p of err.problems) expect(err.message).toContain(`  - ${p}`);
  });

  const SECRET_VALUES = [BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, SK, IAM_PASSWORD, AUTH_TOKEN, WEBHOOK_TOKEN, PG_PASSWORD];

  it.each<{ name: string; env: Env }>([
    { name: 'two credential kinds', env: { ...SLACK_HTTP, ...TARGET, ...AKSK, ...TOKEN } },
    { name: 'all credential kinds and socket mode', env: { ...SLACK_HTTP, SLACK_APP_TOKEN: APP_TOKEN, ...TARGET, ...AKSK, ...IAM, ...TOKEN } },
    { name: 'half an AK/SK pair (SK only)', env: { ...SLACK_HTTP, ...TARGET, CLOUD_SDK_SK: SK } },
    { name: 'partial IAM (password only)', env: { ...SLACK_HTTP, ...TARGET, HUAWEICLOUD_IAM_PASSWORD: IAM_PASSWORD } },
    { name: 'simulator with credentials', env: { ...SLACK_HTTP, SECMASTER_SIMULATOR: '1', ...AKSK, ...IAM, ...TOKEN } },
    { name: 'wrong-kind Slack tokens', env: { ...VALID, SLACK_BOT_TOKEN: `xoxp-${SIGNING_SECRET}`, SLACK_APP_TOKEN: `xoxb-${AUTH_TOKEN}` } },
    { name: 'signing secret with the rest missing', env: { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_APP_TOKEN: APP_TOKEN } },
    { name: 'short webhook token', env: { ...VALID, ALERT_WEBHOOK_TOKEN: 'tiny-secret' } },
    { name: 'malformed database URL with a password', env: { ...VALID, DATABASE_URL: `mysql://bot:${PG_PASSWORD}@db/bot` } },
    { name: 'malformed endpoints', env: { ...VALID, SECMASTER_ENDPOINT: `ftp://${AUTH_TOKEN}`, IAM_ENDPOINT: `x${IAM_PASSWORD}` } },
  ])('$name: neither message nor problems contain a secret value', ({ env }) => {
    const err = configError(() => loadConfig(env));
    const extra = [env.SLACK_BOT_TOKEN, env.ALERT_WEBHOOK_TOKEN].filter((s): s is string => typeof s === 'string');
    for (const secret of [...SECRET_VALUES, ...extra]) {
      expect(err.message).not.toContain(secret);
      for (const p of err.problems) expect(p).not.toContain(secret);
    }
  });
});

describe('loadConfig: SMN_TOPICS and SMN_TRUSTED_HOSTS (spec section 9)', () => {
  const URN = 'urn:smn:ap-southeast-1:0553db98c800d5192f9bc01232b89622:secmaster-alerts';
  const URN2 = 'urn:smn:ap-southeast-1:0553db98c800d5192f9bc01232b89622:secmaster-digest';

  it('unset: no SMN receiver (/smn answers 404)', () => {
    expect(loadConfig(VALID).smn).toBeUndefined();
  });

  it('topic=channel pairs, in order; trusted hosts default to SMN in SECMASTER_REGION', () => {
    const smn = loadConfig({ ...VALID, SMN_TOPICS: ` ${URN}=C0INCIDENT , ${URN2}=C0DIGEST ` }).smn;
    expect(smn).toEqual({
      topics: [
        { topicUrn: URN, channel: 'C0INCIDENT' },
        { topicUrn: URN2, channel: 'C0DIGEST' },
      ],
      trustedHosts: ['smn.ap-southeast-1.myhuaweicloud.com:443'],
    });
  });

  it("the default follows Huawei's SMN region table: Dublin is on .eu, cn-north-2 on .cn", () => {
    const hosts = (region: string) => loadConfig({ ...VALID, SECMASTER_REGION: region, SMN_TOPICS: `${URN}=C0INCIDENT` }).smn?.trustedHosts;
    expect(hosts('eu-west-101')).toEqual(['smn.eu-west-101.myhuaweicloud.eu:443']);
    expect(hosts('cn-north-2')).toEqual(['smn.cn-north-2.myhuaweicloud.cn:443']);
    expect(hosts('cn-north-4')).toEqual(['smn.cn-north-4.myhuaweicloud.com:443']);
  });

  it('SMN_TRUSTED_HOSTS replaces the default; host or host:port, compared in lower case with 443 implied', () => {
    const smn = loadConfig({ ...VALID, SMN_TOPICS: `${URN}=C0INCIDENT`, SMN_TRUSTED_HOSTS: 'SMN.eu-west-101.myhuaweicloud.eu, 127.0.0.1:8443,[::1]:9443' }).smn;
    expect(smn?.trustedHosts).toEqual(['smn.eu-west-101.myhuaweicloud.eu:443', '127.0.0.1:8443', '[::1]:9443']);
  });

  it('without SECMASTER_REGION (an endpoint instead), SMN_TRUSTED_HOSTS is required', () => {
    const env = { ...without(VALID, 'SECMASTER_REGION'), SECMASTER_ENDPOINT: 'https://secmaster.example', SMN_TOPICS: `${URN}=C0INCIDENT` };
    expect(configError(() => loadConfig(env)).problems).toEqual([expect.stringMatching(/^SMN_TRUSTED_HOSTS: required with SMN_TOPICS/)]);
    expect(loadConfig({ ...env, SMN_TRUSTED_HOSTS: 'smn.ap-southeast-1.myhuaweicloud.com' }).smn?.topics).toHaveLength(1);
  });

  it.each<[string, Env, RegExp]>([
    ['a pair without =', { SMN_TOPICS: URN }, /^SMN_TOPICS: .* must be topic_urn=channel_id/],
    ['a topic that is not an SMN URN', { SMN_TOPICS: 'arn:aws:sns:us-east-1:123:t=C0INCIDENT' }, /^SMN_TOPICS: "arn:aws:sns:us-east-1:123:t" is not an SMN topic URN/],
    ['a channel name instead of an ID', { SMN_TOPICS: `${URN}=#incident` }, /^SMN_TOPICS: "#incident" \(for urn:smn:.*\) must be a Slack channel ID/],
    ['a topic listed twice', { SMN_TOPICS: `${URN}=C0INCIDENT,${URN}=C0OTHER` }, /^SMN_TOPICS: urn:smn:.* is listed twice$/],
    ['an empty entry', { SMN_TOPICS: `${URN}=C0INCIDENT,` }, /^SMN_TOPICS: has an empty entry/],
    ['a trusted host with a scheme', { SMN_TOPICS: `${URN}=C0INCIDENT`, SMN_TRUSTED_HOSTS: 'https://smn.ap-southeast-1.myhuaweicloud.com' }, /^SMN_TRUSTED_HOSTS: "https:\/\/smn.* is not a host or host:port$/],
    ['a trusted host with a path', { SMN_TOPICS: `${URN}=C0INCIDENT`, SMN_TRUSTED_HOSTS: 'smn.example/smn' }, /^SMN_TRUSTED_HOSTS: "smn.example\/smn" is not a host or host:port$/],
    ['a trusted host with user info', { SMN_TOPICS: `${URN}=C0INCIDENT`, SMN_TRUSTED_HOSTS: 'me@smn.example' }, /^SMN_TRUSTED_HOSTS: "me@smn.example" is not a host or host:port$/],
    ['a trusted host with a bad port', { SMN_TOPICS: `${URN}=C0INCIDENT`, SMN_TRUSTED_HOSTS: 'smn.example:99999' }, /^SMN_TRUSTED_HOSTS: "smn.example:99999" is not a host or host:port$/],
  ])('%s: a configuration error naming the variable', (_label, extra, problem) => {
    const err = configError(() => loadConfig({ ...VALID, ...extra }));
    expect(err.problems).toEqual([expect.stringMatching(problem)]);
  });
});
