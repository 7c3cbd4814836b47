import { runSimulatorCli } from './cli/simulatorCli';
import { ConfigError, loadDatabaseUrl, loadDotEnv, planStart, secretsFromEnv, type DotEnvLoaded } from './config';
import { createLogger, createRedactor, type Logger } from './log';
import { loadPolicyFile, PolicyError } from './policy/load';
import { policyTeamMismatch, SlackStartupError } from './slack/identity';
import { explainListenFailure } from './startup/listenFailure';
import { StartupError } from './startup/startupError';

/**
 * The only reader of `process.env` and `process.argv`: decides what to run (the bot, the sandbox,
 * the standalone simulator, the audit export), starts it, and turns start-up failures into one
 * clear message on stderr and a non-zero exit.
 */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  // First: every mode below reads the environment that `.env` completes (the real one wins).
  const dotenv = loadDotEnv(process.cwd(), env, typeof process.loadEnvFile === 'function' ? (file) => process.loadEnvFile(file) : undefined);
  if (argv.includes('--simulator')) {
    await runSimulatorCli({ port: Number(env.PORT ?? 4010) || 4010, out: (line) => process.stdout.write(`${line}\n`) });
    return;
  }
  if (argv[0] === '--audit-export') {
    const { runAuditExport } = await import('./cli/auditExport');
    process.exitCode = await runAuditExport(argv.slice(1), { databaseUrl: loadDatabaseUrl(env), out: process.stdout, err: process.stderr });
    return;
  }

  const plan = planStart(env);
  if (plan.kind === 'sandbox') {
    const { startSandbox } = await import('./sandboxBot');
    const sandbox = await startSandbox({ port: plan.port, logLevel: plan.logLevel });
    logProcessNotices(sandbox.logger, dotenv);
    process.on('unhandledRejection', (err) => sandbox.logger.error('unhandled rejection', { err }));
    onTermination(() => sandbox.stop(), sandbox.logger);
    return;
  }

  const { config } = plan;
  const logger = createLogger({ level: config.logLevel, secrets: config.secrets });
  logProcessNotices(logger, dotenv);
  process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { err }));
  const { startBot } = await import('./bot');
  const bot = await startBot(config, { logger });
  logger.info('playbook bot started', {
    port: bot.port,
    mode: config.slack.appToken ? 'socket' : 'http',
    secmaster: config.secmaster.mode === 'cloud' ? config.secmaster.endpoint : 'simulator',
    store: bot.deps.store.kind,
    team: bot.deps.identity.teamId,
    replica: bot.deps.watcher.owner,
  });
  onTermination(() => bot.stop(), logger);
  // SIGHUP re-reads the policy file: a valid one (of the bot's own Slack team) takes effect for the
  // next request; an invalid one is refused, with its problems logged, and the policy in force stays.
  // PLAYBOOK_POLICY has no file to re-read: a running process cannot see its environment change.
  const source = config.policy;
  process.on('SIGHUP', () => {
    if (source.kind === 'variable') {
      logger.warn('SIGHUP: the policy comes from PLAYBOOK_POLICY, which a running process cannot re-read; the policy in force stays. Change the variable and restart (heroku config:set restarts the dyno)');
      return;
    }
    loadPolicyFile(source.file)
      .then((policy) => {
        const mismatch = policyTeamMismatch(policy.slack_team_id, bot.deps.identity, source.file);
        if (mismatch) throw new PolicyError(source.file, [mismatch]);
        bot.deps.policy.set(policy);
        logger.info('policy reloaded', { file: source.file, rules: policy.rules.length });
      })
      .catch((err) => logger.error('policy reload refused; the previous policy stays in force', { problems: err instanceof PolicyError ? err.problems : [String(err)] }));
  });
}

/**
 * What a started process tells its log before anything else: that `.env` was read (its path and how
 * many names, never a value), and Node's own warnings (node-postgres warns about sslmode) as log
 * lines rather than loose text on stderr, which keeps stderr for the one line that says why a start failed.
 */
function logProcessNotices(logger: Logger, dotenv: DotEnvLoaded | undefined): void {
  if (dotenv) logger.info('.env loaded', { file: dotenv.file, variables: dotenv.names, kept_from_environment: dotenv.keptFromEnvironment });
  process.removeAllListeners('warning');
  process.on('warning', (w) => logger.warn('Node.js warning', { warning: w.name, detail: w.message.split('\n')[0] }));
}

function onTermination(stop: () => Promise<void>, logger: { info: (m: string) => void }): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: stopping intake, finishing in-flight work`);
    // The spec allows 10 s; a stuck close must not turn a clean stop into a kill.
    const hard = setTimeout(() => process.exit(0), 9_500);
    hard.unref();
    stop()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

function fail(err: unknown, env: NodeJS.ProcessEnv): never {
  // The configuration may not have loaded: redact with whatever secrets the environment holds.
  const redact = createRedactor(secretsFromEnv(env));
  const known = err instanceof ConfigError || err instanceof PolicyError || err instanceof SlackStartupError || err instanceof StartupError;
  const text = known ? (err as Error).message : (explainListenFailure(err) ?? `Start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.stderr.write(`${redact.text(text)}\n`);
  process.exit(1);
}

main(process.argv.slice(2), process.env).catch((err) => fail(err, process.env));

