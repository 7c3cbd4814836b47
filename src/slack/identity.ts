import type { WebClient } from '@slack/web-api';
import { withTimeout } from '../util/withTimeout';
import { DEFAULT_SLACK_API_URL } from './webApiOptions';

/**
 * Meets Slack once at start-up with `auth.test`, deliberately: Bolt's own check in its constructor
 * ends in an unhandled rejection when the token is refused. Here a refused token is a clear
 * start-up error naming SLACK_BOT_TOKEN; an unreachable Slack is retried briefly, then reported.
 */
export interface BotIdentity {
  botId: string;
  botUserId: string;
  teamId: string;
  /** The Enterprise Grid organisation, when the app is installed in one. */
  enterpriseId?: string;
  appId?: string;
}

export class SlackStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlackStartupError';
  }
}

const REFUSED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission']);

export async function resolveBotIdentity(
  client: WebClient,
  opts: { attempts?: number; deadlineMs?: number; sleep?: (ms: number) => Promise<unknown>; slackApiUrl?: string } = {},
): Promise<BotIdentity> {
  const attempts = opts.attempts ?? 3;
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  // Bad configuration must end start-up within 10 s (spec): a Slack that never answers gets 8 s in all.
  const deadline = Date.now() + (opts.deadlineMs ?? 8_000);
  let last = 'unknown error';
  for (let i = 1; i <= attempts && Date.now() < deadline; i++) {
    try {
      const res = await withTimeout(client.auth.test(), deadline - Date.now());
      if (!res.bot_id || !res.user_id || !res.team_id) {
        throw new SlackStartupError('SLACK_BOT_TOKEN: auth.test did not identify a bot; use the bot token ("xoxb-…"), not a user token');
      }
      return { botId: res.bot_id, botUserId: res.user_id, teamId: res.team_id, enterpriseId: res.enterprise_id || undefined, appId: (res as { app_id?: string }).app_id };
    } catch (err) {
      if (err instanceof SlackStartupError) throw err;
      const e = err as { data?: { error?: string }; code?: string; message?: string };
      const code = e.data?.error;
      if (code && REFUSED.has(code)) throw new SlackStartupError(`SLACK_BOT_TOKEN: Slack refused the token (${code}); check the token and that the app is installed`);
      last = code ?? e.code ?? e.message ?? last;
      if (i < attempts) await sleep(Math.min(1000 * i, Math.max(0, deadline - Date.now())));
    }
  }
  // SLACK_API_URL is named only when it points somewhere else than Slack's own API.
  const where = opts.slackApiUrl && opts.slackApiUrl !== DEFAULT_SLACK_API_URL ? `SLACK_API_URL (${opts.slackApiUrl})` : "Slack's Web API";
  throw new SlackStartupError(`${where} could not be reached to check SLACK_BOT_TOKEN with auth.test (${last})`);
}

/**
 * The policy's `slack_team_id` against the team the bot token belongs to: a mismatch would refuse
 * every request as another team's, so start-up stops with both IDs (the policy may name the Enterprise
 * Grid organisation instead). Undefined when they agree.
 */
export function policyTeamMismatch(policyTeam: string, identity: Pick<BotIdentity, 'teamId' | 'enterpriseId'>, policySource: string): string | undefined {
  if (policyTeam === identity.teamId || (identity.enterpriseId !== undefined && policyTeam === identity.enterpriseId)) return undefined;
  return `slack_team_id: the policy (${policySource}) names team ${policyTeam}, but SLACK_BOT_TOKEN belongs to team ${identity.teamId} (auth.test); set slack_team_id: ${identity.teamId} in the policy, or use the bot token of team ${policyTeam}`;
}
