import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBot, type RunningBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createLineCollector, createLogger } from '../../src/log';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { blockActionBody, commandBody, eventBody, sendSigned, type ActionFields } from '../../src/sandbox/slack/requests';
import { startSlackStandIn, type SlackStandIn, type StoredMessage } from '../../src/sandbox/slack/standIn';

/**
 * End-to-end harness: the real bot (config from an environment, real Bolt app on a port) against
 * the SecMaster simulator and the Slack stand-in, driven by correctly signed Slack requests.
 */
export const TEAM = 'T0TEST';
export const WS = 'ws-e2e';
export const PROJECT = 'proj-e2e';
export const SECRETS = {
  signing: 'e2e-signing-secret-0123456789abcdef',
  bot: 'xoxb-e2e-bot-token-0123456789',
  secmasterToken: 'e2e-secmaster-token-0123456789',
  alert: 'e2e-alert-webhook-token-0123456789',
};
export const USERS = { responder: 'U0RESP', responder2: 'U0RESP2', lead: 'U0LEAD', lead2: 'U0LEAD2', outsider: 'U0OUT', groupie: 'U0GROUPIE' };
export const CHANNELS = { incident: 'C0INCIDENT', general: 'C0GENERAL', private: 'G0PRIVATE', archived: 'C0ARCHIVED' };

/** The channels every stand-in knows: one open, one general, one private without the bot, one archived. */
export const STANDARD_CHANNELS = [
  { id: CHANNELS.incident, name: 'incident' },
  { id: CHANNELS.general, name: 'general' },
  { id: CHANNELS.private, name: 'private', isPrivate: true, botMember: false },
  { id: CHANNELS.archived, name: 'archived', archived: true },
];

export const DEFAULT_POLICY = `
slack_team_id: ${TEAM}
roles:
  responder:
    users: [${USERS.responder}, ${USERS.responder2}]
    usergroups: [S0SOC]
  lead:
    users: [${USERS.lead}, ${USERS.lead2}]
rules:
  - operations: [VIEW]
    roles: [responder, lead]
  - operations: [RETRY]
    roles: [responder, lead]
    channels: [${CHANNELS.incident}, ${CHANNELS.private}, ${CHANNELS.archived}]
  - operations: [TERMINATE]
    roles: [lead]
  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [lead]
      count: 1
      expires_after: 30m
`;

/**
 * The environment of a bot pointed at a simulator and a Slack stand-in, with the harness's secrets:
 * one place for every test that starts the bot, in-process or as a process.
 */
export function botEnv(to: { slackApiUrl: string; simulatorUrl: string; policyFile: string; databaseUrl: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    SLACK_SIGNING_SECRET: SECRETS.signing,
    SLACK_BOT_TOKEN: SECRETS.bot,
    SLACK_API_URL: to.slackApiUrl,
    SECMASTER_ENDPOINT: to.simulatorUrl,
    SECMASTER_PROJECT_ID: PROJECT,
    SECMASTER_WORKSPACE_ID: WS,
    SECMASTER_AUTH_TOKEN: SECRETS.secmasterToken,
    PLAYBOOK_POLICY_FILE: to.policyFile,
    DATABASE_URL: to.databaseUrl,
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export interface Harness {
  bot: RunningBot;
  sim: Simulator;
  slack: SlackStandIn;
  logs: string[];
  dir: string;
  url: string;
  env: Record<string, string>;
  command(user: string, channel: string, text: string, opts?: { team?: string }): Promise<{ status: number; text: string }>;
  click(fields: Omit<ActionFields, 'teamId' | 'responseUrl'> & { teamId?: string }): Promise<{ status: number; text: string }>;
  event(eventId: string, event: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  ephemeralsFor(user: string): string[];
  channelMessages(channel: string): StoredMessage[];
  addInstance(status: string, extra?: Record<string, unknown>): string;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  policy?: string;
  env?: Record<string, string>;
  stepMs?: number;
  dir?: string;
  simulator?: Simulator;
  slack?: SlackStandIn;
  /** The CA of a local SMN stand-in (its HTTPS server), trusted for the SMN receiver's GETs only. */
  smnCa?: string;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'playbook-e2e-'));
  writeFileSync(path.join(dir, 'policy.yml'), opts.policy ?? DEFAULT_POLICY);
  const sim =
    opts.simulator ??
    (await startSimulator({ projectId: PROJECT, timing: { stepMs: opts.stepMs ?? 150, runningMs: 0 }, credentials: { staticTokens: [SECRETS.secmasterToken] } }));
  sim.state.addWorkspace(WS);
  const slack =
    opts.slack ??
    (await startSlackStandIn({
      botToken: SECRETS.bot,
      teamId: TEAM,
      channels: STANDARD_CHANNELS,
      usergroups: { S0SOC: [USERS.groupie] },
    }));
  const env = botEnv(
    { slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile: path.join(dir, 'policy.yml'), databaseUrl: `sqlite:${path.join(dir, 'bot.sqlite')}` },
    { ALERT_WEBHOOK_TOKEN: SECRETS.alert, STATUS_POLL_INTERVAL_MS: '100', STATUS_POLL_MAX_INTERVAL_MS: '400', STATUS_READS_PER_SECOND: '50', LOG_LEVEL: 'debug', ...opts.env },
  );
  const config = loadConfig(env);
  const collector = createLineCollector();
  const logger = createLogger({ level: config.logLevel, secrets: config.secrets, stream: collector.stream });
  const bot = await startBot(config, { logger, smnCa: opts.smnCa });
  const url = `http://127.0.0.1:${bot.port}`;
  const events = `${url}/slack/events`;

  return {
    bot,
    sim,
    slack,
    logs: collector.lines,
    dir,
    url,
    env,
    command: (user, channel, text, o = {}) =>
      sendSigned(events, SECRETS.signing, commandBody({ teamId: o.team ?? TEAM, userId: user, channelId: channel, text, responseUrl: slack.responseUrl(user, channel) })),
    click: (f) => sendSigned(events, SECRETS.signing, blockActionBody({ ...f, teamId: f.teamId ?? TEAM, responseUrl: slack.responseUrl(f.userId, f.channelId ?? 'D0HOME') })),
    event: (eventId, event, headers) => sendSigned(events, SECRETS.signing, eventBody({ teamId: TEAM, eventId, event }), { contentType: 'application/json', headers }),
    ephemeralsFor: (user) => slack.ephemerals.filter((e) => e.user === user).map((e) => e.text + '\n' + JSON.stringify(e.blocks)),
    channelMessages: (channel) => slack.messages.filter((m) => m.channel === channel),
    addInstance: (status, extra = {}) => sim.state.add(WS, { status, ...extra }).id,
    async stop() {
      await bot.stop();
      if (!opts.slack) await slack.close();
      if (!opts.simulator) await sim.close();
    },
  };
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function blocksText(m: { text: string; blocks: unknown[] }): string {
  return `${m.text}\n${JSON.stringify(m.blocks)}`;
}
