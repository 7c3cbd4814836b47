import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig, loadDatabaseUrl, planStart, secretsFromEnv, VARIABLES, type VariableName } from '../../src/config';
import { parseVariables } from '../../src/config/env';

/**
 * The one table of variables (src/config/variables.ts) against what people read: the README's
 * configuration tables and `.env.example` name the same variables with the same defaults; the
 * sandbox decision and the secret list follow from it. Both documents are read as text here, not
 * through the bot's modules.
 */
const ROOT = path.join(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const ENV_EXAMPLE = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const NAMES = Object.keys(VARIABLES) as VariableName[];

/** The rows of the README's "Configuration" section: the names in the first cell, the default cell. */
function readmeRows(): Array<{ names: string[]; defaults: string }> {
  const section = README.slice(README.indexOf('## Configuration'), README.indexOf('## The policy file'));
  return section
    .split('\n')
    .filter((l) => /^\| `[A-Z]/.test(l))
    .map((l) => {
      const cells = l.split(' | ');
      return { names: [...cells[0]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!), defaults: cells[cells.length - 1]!.replace(/ \|$/, '') };
    });
}

describe('the variable table and the documents', () => {
  it("names exactly the variables of the README's configuration tables (and Huawei's own SDK names, which it only recognises)", () => {
    const documented = readmeRows().flatMap((r) => r.names);
    const own = NAMES.filter((n) => !VARIABLES[n].foreign);
    expect([...documented].sort()).toEqual([...own].sort());
    expect(NAMES.filter((n) => VARIABLES[n].foreign).sort()).toEqual(['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK']);
  });

  it("has the README's defaults, where the README gives a value", () => {
    let compared = 0;
    for (const { names, defaults } of readmeRows()) {
      const literals = defaults.split(' / ').map((d) => /^`([^`]+)`$/.exec(d.trim())?.[1]);
      if (literals.some((l) => l === undefined) || literals.length !== names.length) continue;
      names.forEach((name, i) => expect([name, String((VARIABLES as Record<string, { default?: unknown }>)[name]!.default)]).toEqual([name, literals[i]]));
      compared += names.length;
    }
    // PORT, PLAYBOOK_POLICY_FILE, DATABASE_URL, the two poll intervals, the watch timeout, LOG_LEVEL and the bot's three own limits.
    expect(compared).toBe(10);
  });

  it('has no default where the README says a variable is required, unset or has none', () => {
    for (const { names, defaults } of readmeRows()) {
      if (!/^(required|unset|—)/.test(defaults)) continue;
      for (const name of names) expect([name, (VARIABLES as Record<string, { default?: unknown }>)[name]!.default ?? 'none']).toEqual([name, name === 'SECMASTER_SIMULATOR' ? false : 'none']);
    }
  });

  it(".env.example names only variables of the table", () => {
    const named = [...ENV_EXAMPLE.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(20);
    for (const name of named) expect(NAMES).toContain(name);
  });
});

describe('the sandbox decision', () => {
  // Spec sections 1 and 8, and issue 17: no Slack, SecMaster, credential, database, policy, alert or SMN setting.
  const MEANS_A_DEPLOYMENT = [
    'SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_API_URL', 'ALERT_WEBHOOK_TOKEN',
    'SECMASTER_REGION', 'SECMASTER_ENDPOINT', 'SECMASTER_PROJECT_ID', 'SECMASTER_WORKSPACE_ID', 'IAM_ENDPOINT', 'SECMASTER_SIMULATOR',
    'CLOUD_SDK_AK', 'CLOUD_SDK_SK', 'HUAWEICLOUD_IAM_DOMAIN', 'HUAWEICLOUD_IAM_USER', 'HUAWEICLOUD_IAM_PASSWORD', 'SECMASTER_AUTH_TOKEN',
    'HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'DATABASE_URL',
    'PLAYBOOK_POLICY_FILE', 'PLAYBOOK_POLICY', 'SMN_TOPICS', 'SMN_TRUSTED_HOSTS',
  ];
  const LEAVES_THE_SANDBOX = [
    'PORT', 'LOG_LEVEL',
    'STATUS_POLL_INTERVAL_MS', 'STATUS_POLL_MAX_INTERVAL_MS', 'STATUS_WATCH_TIMEOUT_MS', 'STATUS_READS_PER_SECOND', 'OPERATIONS_PER_USER_PER_MINUTE', 'SLACK_UPDATES_PER_MINUTE',
  ];
  /** A value each variable accepts, so that only the decision is tested. */
  const VALUE: Record<string, string> = { PORT: '3100', LOG_LEVEL: 'debug', SECMASTER_SIMULATOR: '1', SMN_TOPICS: 'urn:smn:ap-southeast-1:0123abcd:alerts=C0INCIDENT', SMN_TRUSTED_HOSTS: 'smn.example.test', DATABASE_URL: 'sqlite:/tmp/x.sqlite' };
  const value = (name: string) => VALUE[name] ?? (name.endsWith('_MS') || name.endsWith('_SECOND') || name.endsWith('_MINUTE') ? '5000' : 'value-0001');

  it('every variable is on one side or the other', () => {
    expect([...MEANS_A_DEPLOYMENT, ...LEAVES_THE_SANDBOX].sort()).toEqual([...NAMES].sort());
  });

  it.each(MEANS_A_DEPLOYMENT)('%s alone is a configuration (so the rest is required)', (name) => {
    expect(() => planStart({ [name]: value(name) })).toThrow(ConfigError);
  });

  it.each(LEAVES_THE_SANDBOX)('%s alone still runs the sandbox', (name) => {
    expect(planStart({ [name]: value(name) }).kind).toBe('sandbox');
  });
});

describe('the secret list', () => {
  const SECRET: Record<string, string> = {
    SLACK_SIGNING_SECRET: 'signing-secret-value-0001',
    SLACK_BOT_TOKEN: 'xoxb-1111-2222-botTokenValue',
    SLACK_APP_TOKEN: 'xapp-1-A111-appTokenValue',
    ALERT_WEBHOOK_TOKEN: 'alert-webhook-token-0001',
    CLOUD_SDK_SK: 'secret-key-value-0001',
    HUAWEICLOUD_IAM_PASSWORD: 'iam-password-value-0001',
    SECMASTER_AUTH_TOKEN: 'ready-made-auth-token-0001',
    HUAWEICLOUD_SDK_SK: 'sdk-secret-key-value-0001',
  };
  const NOT_SECRET: Record<string, string> = {
    CLOUD_SDK_AK: 'ACCESSKEYID0001',
    HUAWEICLOUD_SDK_AK: 'SDKACCESSKEY0001',
    HUAWEICLOUD_IAM_DOMAIN: 'my-domain',
    HUAWEICLOUD_IAM_USER: 'bot-user',
    SECMASTER_PROJECT_ID: 'project-0001',
    SECMASTER_WORKSPACE_ID: 'workspace-0001',
    SECMASTER_REGION: 'ap-southeast-1',
    PLAYBOOK_POLICY_FILE: 'policy-0001.yml',
  };

  it('holds the value of every secret variable set, and nothing else (the database password aside)', () => {
    const secrets = secretsFromEnv({ ...SECRET, ...NOT_SECRET, DATABASE_URL: 'postgres://bot:pg-password-0001@db.example.test/bot' });
    expect([...secrets].sort()).toEqual([...Object.values(SECRET), 'pg-password-0001'].sort());
  });

  it('holds a malformed value too: a ConfigError printed at start-up is redacted with it', () => {
    expect(secretsFromEnv({ SLACK_BOT_TOKEN: 'xoxp-user-token-0001', ALERT_WEBHOOK_TOKEN: 'short-0001' })).toEqual(['xoxp-user-token-0001', 'short-0001']);
  });

  it('is the list a valid configuration carries: one list, not two', () => {
    const env = { SLACK_BOT_TOKEN: SECRET.SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: SECRET.SLACK_SIGNING_SECRET, SECMASTER_REGION: 'ap-southeast-1', SECMASTER_PROJECT_ID: 'p-1', SECMASTER_WORKSPACE_ID: 'w-1', HUAWEICLOUD_IAM_DOMAIN: 'd', HUAWEICLOUD_IAM_USER: 'u', HUAWEICLOUD_IAM_PASSWORD: ' pass word ', HUAWEICLOUD_SDK_SK: SECRET.HUAWEICLOUD_SDK_SK };
    expect(loadConfig(env).secrets).toEqual(secretsFromEnv(env));
    // And what that list is, written out (the line above alone would hold for any list both share).
    const expected = [SECRET.SLACK_BOT_TOKEN, SECRET.SLACK_SIGNING_SECRET, ' pass word ', 'pass word', SECRET.HUAWEICLOUD_SDK_SK];
    expect([...loadConfig(env).secrets].sort()).toEqual([...expected].sort());
  });

  it('an IAM password is hidden exactly as given and trimmed (a copy that lost its spaces is hidden too)', () => {
    expect(secretsFromEnv({ HUAWEICLOUD_IAM_PASSWORD: ' pass word ' })).toEqual([' pass word ', 'pass word']);
  });

  it('a database password with a lone "%" (no escape) is hidden as written', () => {
    expect(secretsFromEnv({ DATABASE_URL: 'postgres://bot:50%off-0001@db.example.test/bot' })).toEqual(['50%off-0001']);
  });

  it('each value once, however many variables hold it', () => {
    expect(secretsFromEnv({ SLACK_SIGNING_SECRET: 'same-value-0001', ALERT_WEBHOOK_TOKEN: 'same-value-0001' })).toEqual(['same-value-0001']);
  });
});

describe('parseVariables', () => {
  const TABLE = {
    PLAYBOOK_POLICY: { group: 'policy' as const, parse: z.string(), excludes: 'PLAYBOOK_POLICY_FILE' },
    PLAYBOOK_POLICY_FILE: { group: 'policy' as const, parse: z.string().trim(), default: 'policy.yml' },
  };
  const parse = (env: Record<string, string>) => parseVariables(env, Object.keys(TABLE) as VariableName[], TABLE);

  it('a row that excludes another: both set is a problem naming both', () => {
    expect(parse({ PLAYBOOK_POLICY: 'rules: []', PLAYBOOK_POLICY_FILE: 'policy.yml' }).problems).toEqual(['PLAYBOOK_POLICY: set either PLAYBOOK_POLICY or PLAYBOOK_POLICY_FILE, not both']);
  });

  it('either one alone is fine, and an unset one takes its default', () => {
    expect(parse({ PLAYBOOK_POLICY: 'rules: []' })).toEqual({ values: { PLAYBOOK_POLICY: 'rules: []', PLAYBOOK_POLICY_FILE: 'policy.yml' }, problems: [] });
    expect(parse({ PLAYBOOK_POLICY_FILE: ' other.yml ', PLAYBOOK_POLICY: '  ' })).toEqual({ values: { PLAYBOOK_POLICY: undefined, PLAYBOOK_POLICY_FILE: 'other.yml' }, problems: [] });
  });
});

describe('loadDatabaseUrl (the audit export)', () => {
  it("resolves DATABASE_URL the bot's way: the default when unset or blank, the value trimmed", () => {
    expect(loadDatabaseUrl({})).toBe('sqlite:data/playbook-bot.sqlite');
    expect(loadDatabaseUrl({ DATABASE_URL: '  ' })).toBe('sqlite:data/playbook-bot.sqlite');
    expect(loadDatabaseUrl({ DATABASE_URL: ' postgres://bot@db/bot ' })).toBe('postgres://bot@db/bot');
  });

  it('refuses a malformed one with the same problem as the bot, and no password in it', () => {
    let thrown: unknown;
    try {
      loadDatabaseUrl({ DATABASE_URL: 'mysql://bot:pg-password-0001@db/bot' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual(['DATABASE_URL: must be "sqlite:<path>" or a "postgres://…" URL']);
  });
});
