import { WORKSPACE_ID_PATTERN } from '../core';
import { LOG_LEVELS } from '../log';
import type { z } from 'zod';
import { DEFAULT_SLACK_API_URL } from '../slack/webApiOptions';
import type { LogLevel } from './types';
import {
  baseUrl,
  baseUrlWithSlash,
  databasePasswords,
  databaseUrl,
  flag,
  oneOf,
  smnTopics,
  smnTrustedHosts,
  text,
  textAtLeast,
  textMatching,
  textStartingWith,
  trimmedSecret,
  verbatim,
  verbatimSecret,
  wholeNumber,
} from './values';

/**
 * The one table of environment variables: for each, what it configures, how its value is parsed,
 * whether it holds a secret, and what it means when unset. Validation, the secret list (for the
 * logger, and for start-up errors before any configuration is valid) and the sandbox decision are
 * all read from here (`env.ts`); the group readers (`slack.ts`, `secmaster.ts`, `smn.ts`) only add
 * the rules that span several variables.
 *
 * Adding a variable is adding a row (e.g. `PLAYBOOK_POLICY`, the policy's YAML itself, which may not
 * be set with the file). Which groups make a deployment (and so require the rest) is the one set
 * {@link DEPLOYMENT_GROUPS}.
 *
 * The rows keep the order their problems have always been listed in.
 */

/** What a variable configures. */
export type VariableGroup = 'process' | 'slack' | 'secmaster' | 'database' | 'policy' | 'alerts' | 'smn' | 'tuning';

export interface VariableSpec<T> {
  readonly group: VariableGroup;
  /** Parses a set value (a blank one counts as unset and is never parsed). */
  readonly parse: z.ZodType<T, string>;
  /** The value when unset. Without one, unset is `undefined` and the group's reader decides (required, or off). */
  readonly default?: T;
  /** The secret values a set variable holds, from its raw value (valid or not): redacted wherever they appear. */
  readonly secret?: (raw: string) => string[];
  /** Another variable that must not be set with this one (either names the same thing). */
  readonly excludes?: string;
  /** Read by Huawei's own SDKs, not by the bot: set, it still means a deployment was meant. */
  readonly foreign?: true;
}

/** A row; `default` typed so that a defaulted variable's value is never undefined. */
function variable<T>(spec: VariableSpec<T> & { default: T }): VariableSpec<T> & { default: T };
function variable<T>(spec: VariableSpec<T>): VariableSpec<T>;
function variable<T>(spec: VariableSpec<T>): VariableSpec<T> {
  return spec;
}

/** Slack's own Web API, SLACK_API_URL's default (kept with the Slack client's settings). */
export { DEFAULT_SLACK_API_URL };
/** Where the embedded store lives when DATABASE_URL is not set (the audit export shares it). */
const DEFAULT_DATABASE_URL = 'sqlite:data/playbook-bot.sqlite';

const ID_PATTERN = WORKSPACE_ID_PATTERN;

export const VARIABLES = {
  PORT: variable({ group: 'process', parse: wholeNumber(0, 65535), default: 3000 }),
  SLACK_SIGNING_SECRET: variable({ group: 'slack', parse: text, secret: trimmedSecret }),
  SLACK_BOT_TOKEN: variable({ group: 'slack', parse: textStartingWith('xoxb-', 'must be a bot token starting with "xoxb-"'), secret: trimmedSecret }),
  SLACK_APP_TOKEN: variable({ group: 'slack', parse: textStartingWith('xapp-', 'must be an app-level token starting with "xapp-"'), secret: trimmedSecret }),
  SLACK_API_URL: variable({ group: 'slack', parse: baseUrlWithSlash, default: DEFAULT_SLACK_API_URL }),
  SECMASTER_REGION: variable({ group: 'secmaster', parse: textMatching(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must look like "ap-southeast-1"') }),
  SECMASTER_ENDPOINT: variable({ group: 'secmaster', parse: baseUrl }),
  SECMASTER_PROJECT_ID: variable({ group: 'secmaster', parse: textMatching(ID_PATTERN, 'must be a project ID (letters, digits, - and _)') }),
  SECMASTER_WORKSPACE_ID: variable({ group: 'secmaster', parse: textMatching(ID_PATTERN, 'must be a workspace ID (letters, digits, - and _)') }),
  IAM_ENDPOINT: variable({ group: 'secmaster', parse: baseUrl }),
  PLAYBOOK_POLICY_FILE: variable({ group: 'policy', parse: text, default: 'policy.yml' }),
  // Verbatim: YAML's indentation is its structure. For platforms whose file system is not the operator's (Heroku).
  PLAYBOOK_POLICY: variable({ group: 'policy', parse: verbatim, excludes: 'PLAYBOOK_POLICY_FILE' }),
  DATABASE_URL: variable({ group: 'database', parse: databaseUrl, default: DEFAULT_DATABASE_URL, secret: databasePasswords }),
  ALERT_WEBHOOK_TOKEN: variable({ group: 'alerts', parse: textAtLeast(16, 'must be at least 16 characters'), secret: trimmedSecret }),
  STATUS_POLL_INTERVAL_MS: variable({ group: 'tuning', parse: wholeNumber(100, 3_600_000), default: 2000 }),
  STATUS_POLL_MAX_INTERVAL_MS: variable({ group: 'tuning', parse: wholeNumber(100, 3_600_000), default: 30000 }),
  STATUS_WATCH_TIMEOUT_MS: variable({ group: 'tuning', parse: wholeNumber(1000, 7 * 24 * 3_600_000), default: 3_600_000 }),
  STATUS_READS_PER_SECOND: variable({ group: 'tuning', parse: wholeNumber(1, 1000), default: 5 }),
  OPERATIONS_PER_USER_PER_MINUTE: variable({ group: 'tuning', parse: wholeNumber(1, 100000), default: 10 }),
  SLACK_UPDATES_PER_MINUTE: variable({ group: 'tuning', parse: wholeNumber(1, 100000), default: 50 }),
  LOG_LEVEL: variable({ group: 'process', parse: oneOf(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), default: 'info' as LogLevel }),
  SECMASTER_SIMULATOR: variable({ group: 'secmaster', parse: flag, default: false }),
  SMN_TOPICS: variable({ group: 'smn', parse: smnTopics }),
  SMN_TRUSTED_HOSTS: variable({ group: 'smn', parse: smnTrustedHosts }),
  CLOUD_SDK_AK: variable({ group: 'secmaster', parse: text }),
  CLOUD_SDK_SK: variable({ group: 'secmaster', parse: text, secret: trimmedSecret }),
  HUAWEICLOUD_IAM_DOMAIN: variable({ group: 'secmaster', parse: text }),
  HUAWEICLOUD_IAM_USER: variable({ group: 'secmaster', parse: text }),
  HUAWEICLOUD_IAM_PASSWORD: variable({ group: 'secmaster', parse: verbatim, secret: verbatimSecret }),
  SECMASTER_AUTH_TOKEN: variable({ group: 'secmaster', parse: text, secret: trimmedSecret }),
  HUAWEICLOUD_SDK_AK: variable({ group: 'secmaster', parse: text, foreign: true }),
  HUAWEICLOUD_SDK_SK: variable({ group: 'secmaster', parse: text, secret: trimmedSecret, foreign: true }),
};

export type VariableName = keyof typeof VARIABLES;

/** A variable's value once parsed: never undefined when it has a default. */
type ValueOf<S> = S extends { default: infer T } ? T : S extends VariableSpec<infer T> ? T | undefined : never;

/** Every variable's value, defaults applied. */
export type Values = { [K in VariableName]: ValueOf<(typeof VARIABLES)[K]> };

/**
 * Groups whose variables mean a deployment: with any of them set, the bot is configured (and
 * validated completely); with none, `npm start` runs the sandbox (spec sections 1 and 8). Only the
 * process's own settings and the tuning knobs leave the sandbox alone: a database, a policy or an
 * SMN topic set on its own is the first step of a real install (Heroku Postgres sets
 * DATABASE_URL), and the sandbox would silently ignore it.
 */
export const DEPLOYMENT_GROUPS: ReadonlySet<VariableGroup> = new Set<VariableGroup>(['slack', 'alerts', 'secmaster', 'database', 'policy', 'smn']);

/** Set by Heroku in every dyno (Heroku's, not the bot's setting): there the sandbox never starts, since nobody could open its page. */
export const HEROKU_MARKER = 'DYNO';

/** The groups as a person reads them, for the note that says why this is not the sandbox. */
export const DEPLOYMENT_GROUP_WORDS = 'Slack, SecMaster, database, policy, alert or SMN';
