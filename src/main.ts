import { runSimulatorCli } from './cli/simulatorCli';
import { ConfigError, planStart, secretsFromEnv } from './config';
import { createLogger, createRedactor } from './log';
import { loadPolicyFile, PolicyError } from './policy/load';
import { SlackStartupError } from './slack/identity';

/**
 * The only reader of `process.env` and `process.argv`: decides what to run (the bot, the sandbox,
 * the standalone simulator, the audit export), starts it, and turns start-up failures into one
 * clear message on stderr and a non-zero exit.
 */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv.includes('--simulator')) {
    await runSimulatorCli({ port: Number(env.PORT ?? 4010) || 4010, out: (line) => process.stdout.write(`${line}\n`) });
    return;
  }
  if (argv[0] === '--audit-export') {
    const { auditSource, runAuditExport } = await import('./cli/auditExport');
    process.exitCode = await runAuditExport(argv.slice(1), { ...auditSource(env), out: process.stdout, err: process.stderr });
    return;
  }

  const plan = planStart(env);
  if (plan.kind === 'sandbox') {
    const { startSandbox } = await import('./sandboxBot');
    const sandbox = await startSandbox({ port: plan.port, logLevel: plan.logLevel });
    process.on('unhandledRejection', (err) => sandbox.logger.error('unhandled rejection', { err }));
    onTermination(() => sandbox.stop(), sandbox.logger);
    return;
  }

  const { config } = plan;
  const logger = createLogger({ level: config.logLevel, secrets: config.secrets });
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
  // SIGHUP re-reads the policy file: a valid one takes effect for the next request; an invalid one
  // is refused, with its problems logged, and the policy in force stays.
  process.on('SIGHUP', () => {
    loadPolicyFile(config.policyFile)
      .then((policy) => {
        bot.deps.policy.set(policy);
        logger.info('policy reloaded', { file: config.policyFile, rules: policy.rules.length });
      })
      .catch((err) => logger.error('policy reload refused; the previous policy stays in force', { problems: err instanceof PolicyError ? err.problems : [String(err)] }));
  });
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
  const known = err instanceof ConfigError || err instanceof PolicyError || err instanceof SlackStartupError;
  const text = known ? (err as Error).message : `Start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  process.stderr.write(`${redact.text(text)}\n`);
  process.exit(1);
}

main(process.argv.slice(2), process.env).catch((err) => fail(err, process.env));

