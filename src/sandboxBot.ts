import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBot, type RunningBot } from './bot';
import { loadConfig } from './config';
import { createLogger, type Logger, type LogLevel } from './log';
import { SANDBOX_CHANNELS, SANDBOX_DATA_DIR, SANDBOX_DATABASE_FILE, SANDBOX_POLICY, SANDBOX_TIMING, SANDBOX_PROJECT, SANDBOX_TEAM, SANDBOX_USERGROUPS, SANDBOX_WORKSPACE } from './sandbox/demo';
import { sandboxRoutes } from './sandbox/routes';
import { seedDemoInstances, startSimulator, type Simulator } from './sandbox/simulator';
import { startSlackStandIn, type SlackStandIn } from './sandbox/slack/standIn';
import { createSandboxPki } from './sandbox/smn/pki';
import { startSmnTopic, type SmnTopicStandIn } from './sandbox/smn/topic';

/**
 * `npm start` with nothing configured: the whole bot, locally. The SecMaster simulator (a dozen
 * instances in every status, moving on over time), a Slack stand-in that keeps what the bot posts,
 * an SQLite file under `data/`, the demo policy, and the page at `/sandbox`. Its secrets are
 * random per run and never leave this machine.
 */
export interface Sandbox {
  url: string;
  bot: RunningBot;
  simulator: Simulator;
  slack: SlackStandIn;
  /** The SMN topic stand-in: publishes signed alerts to the bot's `POST /smn` over the real path. */
  smn: SmnTopicStandIn;
  logger: Logger;
  stop(): Promise<void>;
}

/** The sandbox topic's alerts go to #soc-alerts unless the message names another channel. */
const SANDBOX_SMN_CHANNEL = 'C0SOC';

export interface SandboxOptions {
  port: number;
  logLevel: LogLevel;
  dataDir?: string;
  /** Simulator timings (the browser tests speed them up). */
  stepMs?: number;
  runningMs?: number;
  logStream?: NodeJS.WritableStream;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const dataDir = path.resolve(opts.dataDir ?? SANDBOX_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const policyFile = path.join(dataDir, 'sandbox-policy.yml');
  writeFileSync(policyFile, SANDBOX_POLICY);

  const secrets = {
    signing: randomBytes(24).toString('hex'),
    bot: `xoxb-sandbox-${randomBytes(16).toString('hex')}`,
    secmaster: `sandbox-${randomBytes(16).toString('hex')}`,
    alerts: `sandbox-alerts-${randomBytes(16).toString('hex')}`,
  };
  const simulator = await startSimulator({
    projectId: SANDBOX_PROJECT,
    timing: { stepMs: opts.stepMs ?? SANDBOX_TIMING.stepMs, runningMs: opts.runningMs ?? SANDBOX_TIMING.runningMs },
    credentials: { staticTokens: [secrets.secmaster] },
  });
  seedDemoInstances(simulator.state, SANDBOX_WORKSPACE);
  const slack = await startSlackStandIn({ botToken: secrets.bot, teamId: SANDBOX_TEAM, channels: SANDBOX_CHANNELS, usergroups: SANDBOX_USERGROUPS });
  // SMN over HTTPS on loopback, with a CA made now: the bot trusts it because the sandbox hands it
  // over (startBot's smnCa), never through anything a deployment could set.
  const pki = await createSandboxPki();
  const smn = await startSmnTopic({ pki });

  // The same validation as a real deployment: the sandbox is a configuration, not a special path.
  const config = loadConfig({
    PORT: String(opts.port),
    SLACK_SIGNING_SECRET: secrets.signing,
    SLACK_BOT_TOKEN: secrets.bot,
    SLACK_API_URL: slack.apiUrl,
    SECMASTER_ENDPOINT: simulator.url,
    SECMASTER_PROJECT_ID: SANDBOX_PROJECT,
    SECMASTER_WORKSPACE_ID: SANDBOX_WORKSPACE,
    SECMASTER_AUTH_TOKEN: secrets.secmaster,
    PLAYBOOK_POLICY_FILE: policyFile,
    DATABASE_URL: `sqlite:${path.join(dataDir, SANDBOX_DATABASE_FILE)}`,
    ALERT_WEBHOOK_TOKEN: secrets.alerts,
    SMN_TOPICS: `${smn.topicUrn}=${SANDBOX_SMN_CHANNEL}`,
    SMN_TRUSTED_HOSTS: smn.host,
    STATUS_POLL_INTERVAL_MS: '1000',
    STATUS_POLL_MAX_INTERVAL_MS: '3000',
    LOG_LEVEL: opts.logLevel,
  });
  const logger = createLogger({ level: config.logLevel, secrets: config.secrets, stream: opts.logStream as never });

  const self = { url: '' };
  let bot: RunningBot;
  try {
    bot = await startBot(config, {
      logger,
      // The sandbox's routes sign requests as any demo user: only this machine may reach them.
      host: '127.0.0.1',
      extraRoutes: () => sandboxRoutes({ self, slack, simulator, smn, signingSecret: secrets.signing, alertToken: secrets.alerts, workspaceId: SANDBOX_WORKSPACE, teamId: SANDBOX_TEAM, logger }),
      smnCa: pki.caPem,
    });
  } catch (err) {
    await Promise.all([simulator.close(), slack.close(), smn.close()]);
    throw err;
  }
  self.url = `http://127.0.0.1:${bot.port}`;
  // As SMN does when an HTTP(S) subscription is added: a SubscriptionConfirmation the bot confirms.
  const subscribed = await smn.subscribe(`${self.url}/smn`);
  if (subscribed.status === 200) logger.info('sandbox SMN topic subscribed and confirmed', { topic_urn: smn.topicUrn, channel: SANDBOX_SMN_CHANNEL });
  else logger.warn('sandbox SMN topic: the bot did not confirm the subscription', { status: subscribed.status, answer: subscribed.answer.slice(0, 300) });
  const pageUrl = `http://localhost:${bot.port}/sandbox`;
  logger.info(`sandbox started: nothing is configured, so this is the local sandbox — open ${pageUrl}`, { sandbox: true, url: pageUrl, port: bot.port });

  return {
    url: pageUrl,
    bot,
    simulator,
    slack,
    smn,
    logger,
    async stop() {
      await bot.stop();
      await Promise.all([simulator.close(), slack.close(), smn.close()]);
    },
  };
}
