import { configuresDeployment, parseVariables, secretsFromEnv, type Env } from './env';
import { readSecMaster } from './secmaster';
import { readSlack } from './slack';
import { readSmn } from './smn';
import { ConfigError, type Config, type StartPlan } from './types';
import type { Values } from './variables';

/**
 * `main.ts` is the only caller with the real `process.env`; everything else receives a
 * {@link Config}.
 */

/** Decides between the sandbox and a configured bot, and validates the latter completely. */
export function planStart(env: Env): StartPlan {
  if (!configuresDeployment(env)) {
    // The sandbox honours only the process's own settings.
    const { values, problems } = parseVariables(env, ['PORT', 'LOG_LEVEL']);
    if (problems.length > 0) throw new ConfigError(problems);
    return { kind: 'sandbox', port: values.PORT!, logLevel: values.LOG_LEVEL! };
  }
  return { kind: 'bot', config: loadConfig(env) };
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
    logLevel: ok.LOG_LEVEL,
    secrets: secretsFromEnv(env),
  };
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
