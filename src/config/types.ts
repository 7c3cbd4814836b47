import type { LogLevel } from '../log';
/**
 * The configuration the bot runs with, read from the environment exactly as
 * `shared/spec/interface.md` section 2 names it. Every default is already applied here: consumers
 * read values, never fall back on their own.
 */

/** How the bot authenticates to SecMaster in the cloud: exactly one kind is configured. */
export type SecMasterCredential =
  | { kind: 'aksk'; accessKey: string; secretKey: string }
  | { kind: 'password'; domain: string; user: string; password: string; iamEndpoint: string }
  | { kind: 'token'; token: string };

/**
 * `SECMASTER_SIMULATOR=1`: the built-in simulator, started in-process by `bot.ts`, which alone
 * knows its address and the token it issues. The project and workspace seed it (and name the
 * workspace the policy covers by default).
 */
export interface SimulatorSecMaster {
  mode: 'simulator';
  projectId: string;
  workspaceId: string;
}

/** Huawei Cloud's SecMaster, reached at `endpoint` with `credential`. */
export interface CloudSecMaster {
  mode: 'cloud';
  /** Base URL without a trailing `/`: `SECMASTER_ENDPOINT`, or the region table's. */
  endpoint: string;
  projectId: string;
  /** `SECMASTER_WORKSPACE_ID`: the default workspace (the only one a rule without `workspaces` covers). */
  workspaceId: string;
  credential: SecMasterCredential;
}

export type SecMasterConfig = SimulatorSecMaster | CloudSecMaster;

export interface SlackConfig {
  botToken: string;
  /** Required in HTTP mode; optional in Socket Mode (Slack does not sign socket envelopes). */
  signingSecret?: string;
  /** Set → Socket Mode. */
  appToken?: string;
  /** Base URL of the Web API, ending in `/` (Bolt appends the method name): `SLACK_API_URL` or Slack's own. */
  apiUrl: string;
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

export type { LogLevel } from '../log';

/**
 * Where the policy comes from: a file (`PLAYBOOK_POLICY_FILE`, re-read on SIGHUP), or the YAML
 * itself in `PLAYBOOK_POLICY` (Heroku), which a running process cannot re-read.
 */
export type PolicySource = { kind: 'file'; file: string } | { kind: 'variable'; yaml: string };

export interface Config {
  port: number;
  slack: SlackConfig;
  secmaster: SecMasterConfig;
  policy: PolicySource;
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

/**
 * A configuration whose SecMaster is reachable: the cloud as configured, or the simulator once
 * `bot.ts` has started it and holds the token it issued. What the composition root builds from.
 */
export type ConnectedConfig = Omit<Config, 'secmaster'> & { secmaster: CloudSecMaster };

/** What `main.ts` should start. */
export type StartPlan = { kind: 'bot'; config: Config } | { kind: 'sandbox'; port: number; logLevel: LogLevel };

export class ConfigError extends Error {
  /** `note`: one line after the problems that says why they apply (e.g. why this is not the sandbox). */
  constructor(
    readonly problems: string[],
    readonly note?: string,
  ) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}${note ? `\n${note}` : ''}`);
    this.name = 'ConfigError';
  }
}
