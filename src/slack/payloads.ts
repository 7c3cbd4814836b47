import { z } from 'zod';
import type { Principal, SlackIdentity } from '../policy/evaluate';

/**
 * The fields of Slack payloads the bot relies on, checked with zod at the edge. Authorization uses
 * `user_id` and the teams, never `user_name`; the legacy verification `token` is ignored.
 *
 * Which team is whose: a click carries `team.id` (the workspace the click came through) and
 * `user.team_id` (the clicker's own team, another organisation's for a Slack Connect user), so the
 * two are kept apart (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload).
 * A slash command carries only `team_id` and `enterprise_id`, "where the user was in Slack when they
 * triggered your app's command" (https://docs.slack.dev/interactivity/implementing-slash-commands,
 * and Bolt's `SlashCommand` type): nothing names the invoker's own team, so for a command it is
 * asked of Slack (`users.info`), when a `"*"` or a user group would decide.
 */
const slackId = z.string().regex(/^[A-Z0-9]{2,40}$/);
/** Present only in Enterprise organisations; anything else is as good as absent. */
const enterpriseId = z.string().regex(/^E[A-Z0-9]{2,40}$/).optional().catch(undefined);

export const commandPayload = z.object({
  team_id: slackId,
  user_id: slackId,
  channel_id: slackId,
  enterprise_id: enterpriseId,
  text: z.string().max(4000).default(''),
  response_url: z.string().optional(),
});
export type CommandPayload = z.infer<typeof commandPayload>;

/** Who typed a command, where. */
export function commandPrincipal(p: CommandPayload): Principal {
  return { teamId: p.team_id, userId: p.user_id, channelId: p.channel_id, via: 'command', ...(p.enterprise_id ? { enterpriseId: p.enterprise_id } : {}) };
}

export const blockActionPayload = z.object({
  type: z.literal('block_actions'),
  team: z.object({ id: slackId, enterprise_id: enterpriseId }).nullish(),
  enterprise: z.object({ id: z.string() }).nullish().catch(undefined),
  user: z.object({ id: slackId, team_id: slackId.optional() }),
  channel: z.object({ id: slackId }).nullish(),
  container: z
    .object({ channel_id: slackId.optional(), message_ts: z.string().optional(), is_ephemeral: z.boolean().optional(), type: z.string().optional() })
    .partial()
    .nullish(),
  message: z
    .object({ ts: z.string(), thread_ts: z.string().optional(), bot_id: z.string().optional(), app_id: z.string().optional() })
    .nullish(),
  response_url: z.string().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});
export type BlockActionPayload = z.infer<typeof blockActionPayload>;

/** The `app_home_opened` fields the Home tab needs: whose Home it is, and which tab opened. */
export const homeOpenedEvent = z.object({ user: slackId, tab: z.string().optional() });

/** Who clicked, where, and on what: the parts of a click every action listener needs. */
export interface ClickContext {
  /** The team the click came through (`team.id`). */
  teamId: string;
  userId: string;
  /** The clicker's own team (`user.team_id`), when Slack says it. */
  userTeamId?: string;
  enterpriseId?: string;
  channelId?: string;
  messageTs?: string;
  threadTs?: string;
  isEphemeral: boolean;
  /** The message that holds the button was posted by this bot. */
  ownMessage: boolean;
  value?: string;
}

export function clickContext(body: unknown, botId: string): ClickContext | undefined {
  const parsed = blockActionPayload.safeParse(body);
  if (!parsed.success) return undefined;
  const p = parsed.data;
  // An organisation-wide install sends `team: null`: the clicker's own team is then the only one.
  const teamId = p.team?.id ?? p.user.team_id;
  if (!teamId) return undefined;
  const enterprise = p.team?.enterprise_id ?? (p.enterprise?.id && /^E[A-Z0-9]{2,40}$/.test(p.enterprise.id) ? p.enterprise.id : undefined);
  return {
    teamId,
    userId: p.user.id,
    ...(p.user.team_id ? { userTeamId: p.user.team_id } : {}),
    ...(enterprise ? { enterpriseId: enterprise } : {}),
    channelId: p.channel?.id ?? p.container?.channel_id,
    messageTs: p.message?.ts ?? p.container?.message_ts,
    threadTs: p.message?.thread_ts,
    isEphemeral: p.container?.is_ephemeral === true || p.container?.type === 'ephemeral' || (!p.message && Boolean(p.container)),
    ownMessage: Boolean(p.message?.bot_id) && p.message?.bot_id === botId,
    value: p.actions[0]!.value,
  };
}

/** Who clicked, wherever they did: what deciding an approval needs (it may come from the Home tab). */
export function clickIdentity(click: ClickContext): SlackIdentity {
  return {
    teamId: click.teamId,
    userId: click.userId,
    ...(click.userTeamId ? { userTeamId: click.userTeamId } : {}),
    ...(click.enterpriseId ? { enterpriseId: click.enterpriseId } : {}),
  };
}

/** Who clicked, in which channel, as the policy sees them. */
export function clickPrincipal(click: ClickContext, channelId: string): Principal {
  return {
    teamId: click.teamId,
    userId: click.userId,
    channelId,
    via: 'button',
    ...(click.userTeamId ? { userTeamId: click.userTeamId } : {}),
    ...(click.enterpriseId ? { enterpriseId: click.enterpriseId } : {}),
  };
}

/**
 * Whether Bolt's own routing can look at this payload without throwing: a signed payload can still
 * carry `actions: "x"` or actions without an `action_id`, on which Bolt's matchers crash.
 */
export function isRoutablePayload(body: unknown, knownActions: ReadonlySet<string>): boolean {
  if (!body || typeof body !== 'object') return false;
  const b = body as { type?: unknown; actions?: unknown; command?: unknown };
  // Bolt routes any body with an `actions` key as an action, whatever its `type` says.
  if (b.type === 'block_actions' || b.actions !== undefined) {
    // An action no listener handles is acknowledged at once too, instead of after Bolt's 3 s wait
    // (which Slack shows the clicker as a failed button).
    return (
      Array.isArray(b.actions) &&
      b.actions.length > 0 &&
      b.actions.every((a) => a !== null && typeof a === 'object' && typeof (a as { action_id?: unknown }).action_id === 'string' && knownActions.has((a as { action_id: string }).action_id))
    );
  }
  if ('command' in b) return typeof b.command === 'string';
  return true;
}
