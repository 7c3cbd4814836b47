import { z } from 'zod';
import { SLACK_CHANNEL_ID_PATTERN } from './core';
import { LOG_LEVELS, type LogLevel } from './log';
import { regionEndpoints, SECMASTER_REGIONS } from './secmaster/regions';
import { smnHostForRegion } from './smn/defaultHost';
import { TOPIC_URN_PATTERN } from './smn/message';
import { parseTrustedHost } from './smn/trustedUrl';

/**
 * Configuration read from the environment exactly as `shared/spec/interface.md` section 2 names it.
 * `main.ts` is the only caller with the real `process.env`; everything else receives a {@link Config}.
 */

/** How the bot authenticates to SecMaster: exactly one kind is configured. */
export type SecMasterCredential =
  | { kind: 'aksk'; accessKey: string; secretKey: string }
  | { kind: 'password'; domain: string; user: string; password: string; iamEndpoint: string }
  | { kind: 'token'; token: string }
  /** The built-in simulator: main.ts starts it and hands the client a token it issued. */
  | { kind: 'simulator' };

export interface SlackConfig {
  botToken: string;
  /** Required in HTTP mode; optional in Socket Mode (Slack does not sign socket envelopes). */
  signingSecret?: string;
  /** Set → Socket Mode. */
  appToken?: string;
  /** Base URL of the Web API, ending in `/` (Bolt appends the method name). */
  apiUrl?: string;
}

export interface SecMasterConfig {
  endpoint: string;
  projectId: string;
  workspaceId: string;
  credential: SecMasterCredential;
}

export interface WatchConfig {
  pollIntervalMs: number;
  pollMaxIntervalMs: number;
  timeoutMs: number;
  /** Upper bound on status reads per second across every watched instance of this process. */
  readsPerSecond: number;
}

/** `POST /smn` (spec section 9): which SMN topics are accepted, where their alerts go, which hosts are SMN's. */
export interface SmnConfig {
  /** `SMN_TOPICS`, in the order given. */
  topics: Array<{ topicUrn: string; channel: string }>;
  /** `SMN_TRUSTED_HOSTS` as `host:port` keys (port 443 when none is written). */
  trustedHosts: string[];
}

export interface Config {
  port: number;
  slack: SlackConfig;
  secmaster: SecMasterConfig;
  policyFile: string;
  databaseUrl: string;
  alertWebhookToken?: string;
  /** Unset while `SMN_TOPICS` is unset: `/smn` answers 404. */
  smn?: SmnConfig;
  watch: WatchConfig;
  /** Operations (retry/terminate requests) one person may start in any 60 s (a sliding window, not clock minutes). */
  operationsPerUserPerMinute: number;
  /** Budget for `chat.update` (Slack's Tier 3 allows about 50 a minute per workspace). */
  slackUpdatesPerMinute: number;
  logLevel: LogLevel;
  /** Every secret value configured, so the logger can redact it wherever it appears. */
  secrets: string[];
}

/** What `main.ts` should start. */
export type StartPlan = { kind: 'bot'; config: Config } | { kind: 'sandbox'; port: number; logLevel: LogLevel };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
/** Where the embedded store lives when DATABASE_URL is not set (the CLI tools share it). */
export const DEFAULT_DATABASE_URL = 'sqlite:data/playbook-bot.sqlite';

/** Variables that configure Slack or SecMaster: with none of them set, `npm start` runs the sandbox. */
const SLACK_VARS = ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_API_URL', 'ALERT_WEBHOOK_TOKEN'] as const;
const SECMASTER_VARS = [
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
  'IAM_ENDPOINT',
] as const;

/**
 * Huawei's own SDKs read their AK/SK from these names; the bot reads CLOUD_SDK_AK/SK (spec section 2).
 * They are not a configuration of the bot, but a deployment that sets them meant to configure one.
 */
const HUAWEI_SDK_VARS = ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK'] as const;

/**
 * Set, these mean a real deployment was meant even without a Slack or SecMaster variable (a
 * database URL holds a password; an SDK key is a credential): the sandbox must not start then
 * (spec section 8: never when any real credential is set), and the rest is required.
 */
const DEPLOYMENT_VARS = ['DATABASE_URL', ...HUAWEI_SDK_VARS] as const;

/** The variables that hold secrets, for redacting output before (or without) a valid configuration. */
const SECRET_VARS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'CLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_IAM_PASSWORD', 'SECMASTER_AUTH_TOKEN', 'ALERT_WEBHOOK_TOKEN'] as const;

/** Every secret value the environment holds (the database password included, encoded and decoded). */
export function secretsFromEnv(env: Env): string[] {
  const values: string[] = SECRET_VARS.map((k) => env[k]?.trim() ?? '').filter((v) => v.length > 0);
  if (env.DATABASE_URL) values.push(...databasePasswords(env.DATABASE_URL.trim()));
  return values;
}

type Env = Record<string, string | undefined>;

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s === '' ? undefined : s));

const httpUrl = z
  .string()
  .trim()
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

/** An http(s) URL, where a blank value means unset like every other variable. */
function optionalUrl() {
  return z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), httpUrl.optional());
}

function integer(name: string, fallback: number, min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return fallback;
      if (!/^\d+$/.test(s.trim())) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number, got "${s}"` });
        return z.NEVER;
      }
      const n = Number(s.trim());
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}, got ${n}` });
        return z.NEVER;
      }
      return n;
    })
    .describe(name);
}

/** Comma-separated items, each trimmed; an empty item (`a,,b`, a trailing comma) is a mistake worth naming. */
function commaList(check: (item: string, ctx: z.RefinementCtx) => void) {
  return optionalText.transform((s, ctx) => {
    if (s === undefined) return undefined;
    const items = s.split(',').map((i) => i.trim());
    if (items.some((i) => i === '')) ctx.addIssue({ code: 'custom', message: 'has an empty entry (two commas in a row, or one at the end)' });
    for (const item of items.filter(Boolean)) check(item, ctx);
    return items.filter(Boolean);
  });
}

/** `SMN_TOPICS`: `urn:smn:{region}:{project}:{topic}=C0CHANNEL` pairs, each topic once. */
const smnTopics = commaList((item, ctx) => {
  const eq = item.lastIndexOf('=');
  const urn = eq === -1 ? item : item.slice(0, eq).trim();
  const channel = eq === -1 ? '' : item.slice(eq + 1).trim();
  if (eq === -1) ctx.addIssue({ code: 'custom', message: `"${item}" must be topic_urn=channel_id, e.g. urn:smn:ap-southeast-1:0123abcd:secmaster-alerts=C0INCIDENT` });
  else if (!TOPIC_URN_PATTERN.test(urn)) ctx.addIssue({ code: 'custom', message: `"${urn}" is not an SMN topic URN (urn:smn:{region}:{project_id}:{topic_name})` });
  else if (!SLACK_CHANNEL_ID_PATTERN.test(channel)) ctx.addIssue({ code: 'custom', message: `"${channel}" (for ${urn}) must be a Slack channel ID like "C0INCIDENT"` });
}).transform((items, ctx) => {
  if (items === undefined) return undefined;
  const topics = items.map((item) => {
    const eq = item.lastIndexOf('=');
    return { topicUrn: item.slice(0, eq).trim(), channel: item.slice(eq + 1).trim() };
  });
  const seen = new Set<string>();
  for (const t of topics) {
    if (seen.has(t.topicUrn)) ctx.addIssue({ code: 'custom', message: `${t.topicUrn} is listed twice` });
    seen.add(t.topicUrn);
  }
  return topics;
});

/** `SMN_TRUSTED_HOSTS`: `host` or `host:port` entries, as comparison keys. */
const smnTrustedHosts = commaList((item, ctx) => {
  const parsed = parseTrustedHost(item);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
}).transform((items) => items?.map((i) => (parseTrustedHost(i) as { ok: true; key: string }).key));

/** Zod schema of the non-credential variables; credentials are checked by hand for exactly-one. */
const envSchema = z.object({
  PORT: integer('PORT', 3000, 0, 65535),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_BOT_TOKEN: optionalText.refine((s) => s === undefined || s.startsWith('xoxb-'), 'must be a bot token starting with "xoxb-"'),
  SLACK_APP_TOKEN: optionalText.refine((s) => s === undefined || s.startsWith('xapp-'), 'must be an app-level token starting with "xapp-"'),
  SLACK_API_URL: optionalUrl(),
  SECMASTER_REGION: optionalText.refine((s) => s === undefined || /^[a-z]{2}(-[a-z]+)+-\d+$/.test(s), 'must look like "ap-southeast-1"'),
  SECMASTER_ENDPOINT: optionalUrl(),
  SECMASTER_PROJECT_ID: optionalText.refine((s) => s === undefined || /^[A-Za-z0-9_-]{1,64}$/.test(s), 'must be a project ID (letters, digits, - and _)'),
  SECMASTER_WORKSPACE_ID: optionalText.refine((s) => s === undefined || /^[A-Za-z0-9_-]{1,64}$/.test(s), 'must be a workspace ID (letters, digits, - and _)'),
  IAM_ENDPOINT: optionalUrl(),
  PLAYBOOK_POLICY_FILE: optionalText.transform((s) => s ?? 'policy.yml'),
  DATABASE_URL: optionalText
    .transform((s) => s ?? DEFAULT_DATABASE_URL)
    .refine((s) => /^sqlite:.+/.test(s) || /^postgres(ql)?:\/\/.+/.test(s), 'must be "sqlite:<path>" or a "postgres://…" URL'),
  ALERT_WEBHOOK_TOKEN: optionalText.refine((s) => s === undefined || s.length >= 16, 'must be at least 16 characters'),
  STATUS_POLL_INTERVAL_MS: integer('STATUS_POLL_INTERVAL_MS', 2000, 100, 3_600_000),
  STATUS_POLL_MAX_INTERVAL_MS: integer('STATUS_POLL_MAX_INTERVAL_MS', 30000, 100, 3_600_000),
  STATUS_WATCH_TIMEOUT_MS: integer('STATUS_WATCH_TIMEOUT_MS', 3_600_000, 1000, 7 * 24 * 3_600_000),
  STATUS_READS_PER_SECOND: integer('STATUS_READS_PER_SECOND', 5, 1, 1000),
  OPERATIONS_PER_USER_PER_MINUTE: integer('OPERATIONS_PER_USER_PER_MINUTE', 10, 1, 100000),
  SLACK_UPDATES_PER_MINUTE: integer('SLACK_UPDATES_PER_MINUTE', 50, 1, 100000),
  LOG_LEVEL: optionalText
    .transform((s) => s ?? 'info')
    .refine((s): s is LogLevel => (LOG_LEVELS as readonly string[]).includes(s), `must be one of ${LOG_LEVELS.join(', ')}`),
  SECMASTER_SIMULATOR: optionalText.refine((s) => s === undefined || s === '1' || s === '0', 'must be 1 (or unset)'),
  SMN_TOPICS: smnTopics,
  SMN_TRUSTED_HOSTS: smnTrustedHosts,
});

function isSet(env: Env, name: string): boolean {
  return (env[name] ?? '').trim() !== '';
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

type EnvData = z.infer<typeof envSchema>;

/**
 * Parses each variable on its own, so one malformed value neither hides another's problem nor
 * makes a check that depends on a valid variable blame the wrong one.
 */
function parseEach(env: Env): { data: Partial<EnvData>; problems: string[] } {
  const data: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const parsed = (schema as z.ZodType).safeParse(env[name]);
    if (parsed.success) data[name] = parsed.data;
    else problems.push(...parsed.error.issues.map((i) => `${name}: ${i.message}`));
  }
  return { data: data as Partial<EnvData>, problems };
}

/** Decides between the sandbox and a configured bot, and validates the latter completely. */
export function planStart(env: Env): StartPlan {
  const configured = [...SLACK_VARS, ...SECMASTER_VARS, ...DEPLOYMENT_VARS].some((name) => isSet(env, name));
  if (!configured) {
    const parsed = envSchema.pick({ PORT: true, LOG_LEVEL: true }).safeParse(env);
    if (!parsed.success) throw new ConfigError(formatIssues(parsed.error));
    return { kind: 'sandbox', port: parsed.data.PORT, logLevel: parsed.data.LOG_LEVEL as LogLevel };
  }
  return { kind: 'bot', config: loadConfig(env) };
}

/** Validates a configured (non-sandbox) environment; throws {@link ConfigError} naming every bad variable. */
export function loadConfig(env: Env): Config {
  const { data: e, problems } = parseEach(env);

  const simulator = env.SECMASTER_SIMULATOR?.trim() === '1';
  const slack = readSlack(env, problems);
  const credential = readCredential(env, simulator, e.SECMASTER_REGION, e.IAM_ENDPOINT, problems);

  let endpoint = e.SECMASTER_ENDPOINT?.replace(/\/+$/, '');
  if (!endpoint && e.SECMASTER_REGION) endpoint = regionEndpoints(e.SECMASTER_REGION)?.secmaster;
  if (!simulator && !endpoint && e.SECMASTER_REGION) problems.push(unknownRegion('SECMASTER_REGION', e.SECMASTER_REGION, 'SECMASTER_ENDPOINT'));
  if (!simulator) {
    if (!isSet(env, 'SECMASTER_REGION') && !isSet(env, 'SECMASTER_ENDPOINT')) {
      problems.push('SECMASTER_REGION: required (or set SECMASTER_ENDPOINT), e.g. "ap-southeast-1"');
    }
    if (!isSet(env, 'SECMASTER_PROJECT_ID')) problems.push('SECMASTER_PROJECT_ID: required (the Huawei Cloud project ID)');
    if (!isSet(env, 'SECMASTER_WORKSPACE_ID')) problems.push('SECMASTER_WORKSPACE_ID: required (the SecMaster workspace ID)');
  }
  if (e.STATUS_POLL_MAX_INTERVAL_MS !== undefined && e.STATUS_POLL_INTERVAL_MS !== undefined && e.STATUS_POLL_MAX_INTERVAL_MS < e.STATUS_POLL_INTERVAL_MS) {
    problems.push('STATUS_POLL_MAX_INTERVAL_MS: must not be smaller than STATUS_POLL_INTERVAL_MS');
  }

  const smn = readSmn(e, problems);

  if (problems.length > 0 || !slack || !credential) throw new ConfigError(problems);
  const ok = e as EnvData;

  const secrets = [
    slack.botToken,
    slack.signingSecret,
    slack.appToken,
    ok.ALERT_WEBHOOK_TOKEN,
    credential.kind === 'aksk' ? credential.secretKey : undefined,
    credential.kind === 'password' ? credential.password : undefined,
    credential.kind === 'token' ? credential.token : undefined,
    ...databasePasswords(ok.DATABASE_URL),
    // Not used by the bot, but a secret all the same: never echoed in a log line.
    env.HUAWEICLOUD_SDK_SK?.trim(),
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);

  return {
    port: ok.PORT,
    slack,
    secmaster: {
      // The simulator's address is only known once main.ts has started it.
      endpoint: endpoint ?? 'http://127.0.0.1:0',
      projectId: ok.SECMASTER_PROJECT_ID ?? 'sim-project',
      workspaceId: ok.SECMASTER_WORKSPACE_ID ?? 'sim-workspace',
      credential,
    },
    policyFile: ok.PLAYBOOK_POLICY_FILE,
    databaseUrl: ok.DATABASE_URL,
    alertWebhookToken: ok.ALERT_WEBHOOK_TOKEN,
    smn,
    watch: {
      pollIntervalMs: ok.STATUS_POLL_INTERVAL_MS,
      pollMaxIntervalMs: ok.STATUS_POLL_MAX_INTERVAL_MS,
      timeoutMs: ok.STATUS_WATCH_TIMEOUT_MS,
      readsPerSecond: ok.STATUS_READS_PER_SECOND,
    },
    operationsPerUserPerMinute: ok.OPERATIONS_PER_USER_PER_MINUTE,
    slackUpdatesPerMinute: ok.SLACK_UPDATES_PER_MINUTE,
    logLevel: ok.LOG_LEVEL as LogLevel,
    secrets,
  };
}

/**
 * `SMN_TOPICS` turns `/smn` on; its trusted hosts default to SMN's own host in `SECMASTER_REGION`
 * (`smn/defaultHost.ts`).
 */
function readSmn(e: Partial<EnvData>, problems: string[]): SmnConfig | undefined {
  if (!e.SMN_TOPICS) return undefined;
  const trustedHosts = e.SMN_TRUSTED_HOSTS ?? (e.SECMASTER_REGION ? [`${smnHostForRegion(e.SECMASTER_REGION)}:443`] : undefined);
  if (!trustedHosts) {
    if (!problems.some((p) => p.startsWith('SMN_TRUSTED_HOSTS:') || p.startsWith('SECMASTER_REGION:'))) {
      problems.push('SMN_TRUSTED_HOSTS: required with SMN_TOPICS when SECMASTER_REGION is not set (SMN\'s host, e.g. smn.ap-southeast-1.myhuaweicloud.com)');
    }
    return undefined;
  }
  return { topics: e.SMN_TOPICS, trustedHosts };
}

function readSlack(env: Env, problems: string[]): SlackConfig | undefined {
  const botToken = env.SLACK_BOT_TOKEN?.trim();
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim() || undefined;
  const appToken = env.SLACK_APP_TOKEN?.trim() || undefined;
  if (!botToken) problems.push('SLACK_BOT_TOKEN: required (the "xoxb-…" bot token from the app\'s OAuth page)');
  if (!appToken && !signingSecret) {
    problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (set SLACK_APP_TOKEN for Socket Mode instead)');
  }
  if (!botToken) return undefined;
  let apiUrl = env.SLACK_API_URL?.trim() || undefined;
  if (apiUrl && !apiUrl.endsWith('/')) apiUrl += '/';
  return { botToken, signingSecret, appToken, apiUrl };
}

function readCredential(
  env: Env,
  simulator: boolean,
  region: string | undefined,
  iamEndpoint: string | undefined,
  problems: string[],
): SecMasterCredential | undefined {
  const kinds: string[] = [];
  if (isSet(env, 'CLOUD_SDK_AK') || isSet(env, 'CLOUD_SDK_SK')) kinds.push('AK/SK (CLOUD_SDK_AK, CLOUD_SDK_SK)');
  const iamVars = ['HUAWEICLOUD_IAM_DOMAIN', 'HUAWEICLOUD_IAM_USER', 'HUAWEICLOUD_IAM_PASSWORD'];
  if (iamVars.some((v) => isSet(env, v))) kinds.push('IAM password (HUAWEICLOUD_IAM_*)');
  if (isSet(env, 'SECMASTER_AUTH_TOKEN')) kinds.push('token (SECMASTER_AUTH_TOKEN)');

  if (simulator) {
    if (kinds.length > 0) problems.push(`SECMASTER_SIMULATOR: uses no SecMaster credential, but ${kinds.join(' and ')} is set`);
    return { kind: 'simulator' };
  }
  if (kinds.length === 0) {
    const sdkNames = HUAWEI_SDK_VARS.filter((v) => isSet(env, v));
    const hint = sdkNames.length > 0 ? ` (${sdkNames.join(' and ')} ${sdkNames.length > 1 ? 'are' : 'is'} the Huawei SDKs' name${sdkNames.length > 1 ? 's' : ''}; this bot reads CLOUD_SDK_AK and CLOUD_SDK_SK)` : '';
    problems.push(`SecMaster credential: none configured; set exactly one of CLOUD_SDK_AK+CLOUD_SDK_SK, HUAWEICLOUD_IAM_DOMAIN+HUAWEICLOUD_IAM_USER+HUAWEICLOUD_IAM_PASSWORD, or SECMASTER_AUTH_TOKEN${hint}`);
    return undefined;
  }
  if (kinds.length > 1) {
    problems.push(`SecMaster credential: exactly one kind may be configured, found ${kinds.join(' and ')}`);
    return undefined;
  }
  if (isSet(env, 'SECMASTER_AUTH_TOKEN')) return { kind: 'token', token: env.SECMASTER_AUTH_TOKEN!.trim() };
  if (isSet(env, 'CLOUD_SDK_AK') || isSet(env, 'CLOUD_SDK_SK')) {
    for (const v of ['CLOUD_SDK_AK', 'CLOUD_SDK_SK']) if (!isSet(env, v)) problems.push(`${v}: required with the other half of the AK/SK pair`);
    if (!isSet(env, 'CLOUD_SDK_AK') || !isSet(env, 'CLOUD_SDK_SK')) return undefined;
    return { kind: 'aksk', accessKey: env.CLOUD_SDK_AK!.trim(), secretKey: env.CLOUD_SDK_SK!.trim() };
  }
  for (const v of iamVars) if (!isSet(env, v)) problems.push(`${v}: required for IAM password login`);
  const iam = iamEndpoint?.replace(/\/+$/, '') ?? (region ? regionEndpoints(region)?.iam : undefined);
  if (!iam) problems.push(region ? unknownRegion('IAM_ENDPOINT', region, 'IAM_ENDPOINT') : 'IAM_ENDPOINT: required for IAM password login when SECMASTER_REGION is not set');
  if (!iamVars.every((v) => isSet(env, v)) || !iam) return undefined;
  return {
    kind: 'password',
    domain: env.HUAWEICLOUD_IAM_DOMAIN!.trim(),
    user: env.HUAWEICLOUD_IAM_USER!.trim(),
    // Passwords are not trimmed: a space may be part of one.
    password: env.HUAWEICLOUD_IAM_PASSWORD!,
    iamEndpoint: iam,
  };
}

/** A region outside the SDKs' table: its endpoints are unknown, so the operator names them. */
function unknownRegion(variable: string, region: string, override: string): string {
  return `${variable}: "${region}" is not in the SecMaster region table (${SECMASTER_REGIONS.join(', ')}); set ${override} to use it`;
}

/** A database password as it appears in the URL (percent-encoded) and as it is used (decoded). */
function databasePasswords(url: string): string[] {
  if (!url.startsWith('postgres')) return [];
  try {
    const raw = new URL(url).password;
    return raw ? [...new Set([raw, decodeURIComponent(raw)])] : [];
  } catch {
    return [];
  }
}
