import { deploymentVariablesSet, groupVariablesSet, isSet, parseVariables, secretsFromEnv, type Env } from './env';
import { readSecMaster } from './secmaster';
import { readSlack } from './slack';
import { readSmn } from './smn';
import { ConfigError, type Config, type PolicySource, type StartPlan } from './types';
import { DEPLOYMENT_GROUP_WORDS, HEROKU_MARKER, type Values } from './variables';

/**
 * `main.ts` is the only caller with the real `process.env`; everything else receives a
 * {@link Config}.
 */

/** Whether `npm start` would run the sandbox here: no deployment variable at all, and not on Heroku. */
export function runsSandbox(env: Env): boolean {
  return deploymentVariablesSet(env).length === 0 && !isSet(env, HEROKU_MARKER);
}

/**
 * Decides between the sandbox and a configured bot, and validates the latter completely. The
 * sandbox runs only with no deployment variable at all and never on Heroku; a partial
 * configuration is an error listing what is missing, with a note saying why it is not the sandbox.
 */
export function planStart(env: Env): StartPlan {
  const configured = deploymentVariablesSet(env);
  const onHeroku = isSet(env, HEROKU_MARKER);
  if (configured.length === 0 && !onHeroku) {
    // The sandbox honours only the process's own settings.
    const { values, problems } = parseVariables(env, ['PORT', 'LOG_LEVEL']);
    if (problems.length > 0) throw new ConfigError(problems);
    return { kind: 'sandbox', port: values.PORT!, logLevel: values.LOG_LEVEL! };
  }
  try {
    return { kind: 'bot', config: loadConfig(env) };
  } catch (err) {
    const note = notSandboxNote(env, configured, onHeroku);
    if (err instanceof ConfigError && note) throw new ConfigError(err.problems, note);
    throw err;
  }
}

/**
 * Why a configuration that fails is not the sandbox, when the person may have expected it: on
 * Heroku, or with neither Slack nor SecMaster set (only a database, a policy, SMN topics, …).
 */
function notSandboxNote(env: Env, configured: string[], onHeroku: boolean): string | undefined {
  if (configured.length === 0) {
    return `${HEROKU_MARKER} is set, so this runs on Heroku, where the sandbox never starts: set the variables above (heroku config:set NAME=value).`;
  }
  if (groupVariablesSet(env, 'slack').length > 0 || groupVariablesSet(env, 'secmaster').length > 0) return undefined;
  const herokuNote = onHeroku ? ` On Heroku (${HEROKU_MARKER} is set) the sandbox never starts.` : '';
  return `This is a configuration, not the sandbox, because ${configured.join(', ')} ${configured.length > 1 ? 'are' : 'is'} set: the sandbox starts only when no ${DEPLOYMENT_GROUP_WORDS} variable is set; unset ${configured.length > 1 ? 'them' : 'it'} to try the sandbox, or set the rest.${herokuNote}`;
}

/** Validates a configured (non-sandbox) environment; throws {@link ConfigError} naming every bad variable. */
export function loadConfig(env: Env): Config {
  const { values, problems } = parseVariables(env);
  const slack = readSlack(env, values, problems);
  const secmaster = readSecMaster(env, values, problems);
  if (values.STATUS_POLL_MAX_INTERVAL_MS !== undefined && values.STATUS_POLL_INTERVAL_MS !== undefined && values.STATUS_POLL_MAX_INTERVAL_MS < values.STATUS_POLL_INTERVAL_MS) {
    problems.push('STATUS_POLL_MAX_INTERVAL_MS: must not be smaller than STATUS_POLL_INTERVAL_MS');
  }
  const smn = readSmn(values, problems);
  if (problems.length > 0 || !slack || !secmaster) throw new ConfigError(problems);

  // No problem: every variable parsed, so each defaulted one has its value.
  const ok = values as Values;
  return {
    port: ok.PORT,
    slack,
    secmaster,
    policy: policySource(ok),
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
    logLevel: ok.LOG_LEVEL,
    secrets: secretsFromEnv(env),
  };
}

/** The YAML in PLAYBOOK_POLICY when set (both set was already a problem), else the file. */
function policySource(values: Values): PolicySource {
  return values.PLAYBOOK_POLICY !== undefined ? { kind: 'variable', yaml: values.PLAYBOOK_POLICY } : { kind: 'file', file: values.PLAYBOOK_POLICY_FILE };
}

/**
 * `DATABASE_URL` alone, validated and defaulted like the bot's: for the tools that share the bot's
 * store (the audit export) without needing the rest of its configuration.
 */
export function loadDatabaseUrl(env: Env): string {
  const { values, problems } = parseVariables(env, ['DATABASE_URL']);
  if (problems.length > 0) throw new ConfigError(problems);
  return values.DATABASE_URL!;
}
