import { createHmac, randomBytes } from 'node:crypto';
import { SLASH_COMMAND } from '../../slack/ids';

/**
 * Builds and signs requests exactly as Slack sends them (form-encoded, `v0` HMAC-SHA256 over
 * `v0:{timestamp}:{body}`): used by the sandbox page's relay, the end-to-end tests and the
 * benchmark, so all of them exercise the same signed `POST /slack/events` path as Slack does.
 */

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000), contentType = 'application/x-www-form-urlencoded'): Record<string, string> {
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
}

export interface CommandFields {
  teamId: string;
  userId: string;
  channelId: string;
  text: string;
  responseUrl: string;
  command?: string;
  userName?: string;
}

export function commandBody(f: CommandFields): string {
  return new URLSearchParams({
    token: 'legacy-verification-token-ignored',
    team_id: f.teamId,
    team_domain: 'sandbox',
    channel_id: f.channelId,
    channel_name: f.channelId.toLowerCase(),
    user_id: f.userId,
    user_name: f.userName ?? f.userId.toLowerCase(),
    command: f.command ?? SLASH_COMMAND,
    text: f.text,
    api_app_id: 'A0PLAYBOOK',
    is_enterprise_install: 'false',
    response_url: f.responseUrl,
    trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
  }).toString();
}

export interface ActionFields {
  /** The team the click comes through (`team.id`). */
  teamId: string;
  userId: string;
  /** The clicker's own team (`user.team_id`): another organisation's for a Slack Connect guest. Default: `teamId`. */
  userTeamId?: string;
  actionId: string;
  value?: string;
  channelId?: string;
  responseUrl?: string;
  /** The message holding the button (omit for ephemeral messages and the Home tab). */
  message?: { ts: string; text?: string; blocks?: unknown[]; bot_id?: string; thread_ts?: string };
  isEphemeral?: boolean;
  /** A click in the Home tab. */
  homeView?: boolean;
  blockId?: string;
}

export function blockActionPayload(f: ActionFields): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: f.teamId, domain: 'sandbox' },
    user: { id: f.userId, username: f.userId.toLowerCase(), team_id: f.userTeamId ?? f.teamId },
    api_app_id: 'A0PLAYBOOK',
    token: 'legacy-verification-token-ignored',
    trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
    ...(f.homeView
      ? { container: { type: 'view', view_id: 'V0HOME' }, view: { id: 'V0HOME', type: 'home' } }
      : {
          container: { type: 'message', message_ts: f.message?.ts, channel_id: f.channelId, is_ephemeral: f.isEphemeral ?? !f.message },
          channel: { id: f.channelId, name: f.channelId?.toLowerCase() },
          ...(f.message ? { message: { type: 'message', text: f.message.text ?? '', blocks: f.message.blocks ?? [], ts: f.message.ts, ...(f.message.bot_id ? { bot_id: f.message.bot_id } : {}), ...(f.message.thread_ts ? { thread_ts: f.message.thread_ts } : {}) } } : {}),
        }),
    ...(f.responseUrl ? { response_url: f.responseUrl } : {}),
    actions: [{ type: 'button', action_id: f.actionId, block_id: f.blockId ?? 'b', value: f.value, action_ts: String(Date.now() / 1000) }],
  };
}

export function blockActionBody(f: ActionFields): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionPayload(f)) }).toString();
}

export function eventBody(f: { teamId: string; eventId: string; event: Record<string, unknown> }): string {
  return JSON.stringify({
    token: 'legacy-verification-token-ignored',
    team_id: f.teamId,
    api_app_id: 'A0PLAYBOOK',
    event: f.event,
    type: 'event_callback',
    event_id: f.eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: f.teamId, user_id: 'U0PLAYBOOKBOT', is_bot: true }],
  });
}

/** Posts a signed body to the bot's Slack endpoint; resolves with the HTTP answer. */
export async function sendSigned(url: string, secret: string, body: string, opts: { contentType?: string; timestamp?: number; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...signedHeaders(secret, body, opts.timestamp, opts.contentType), ...(opts.headers ?? {}) },
    body,
  });
  return { status: res.status, text: await res.text() };
}

export interface FunctionExecutedFields {
  teamId: string;
  callbackId: string;
  functionExecutionId: string;
  workflowExecutionId: string;
  inputs: Record<string, unknown>;
}

/**
 * A `function_executed` event as Slack sends it when a workflow reaches one of the app's steps
 * (https://docs.slack.dev/reference/events/function_executed), for `eventBody`'s envelope.
 */
export function functionExecutedEvent(f: FunctionExecutedFields): Record<string, unknown> {
  const now = Date.now() / 1000;
  return {
    type: 'function_executed',
    function: {
      id: `Fn${f.callbackId.replace(/[^A-Za-z0-9]/g, '').slice(0, 10).toUpperCase()}`,
      callback_id: f.callbackId,
      title: f.callbackId,
      description: '',
      type: 'app',
      input_parameters: [],
      output_parameters: [],
      app_id: 'A0PLAYBOOK',
      date_created: Math.floor(now),
      date_updated: Math.floor(now),
      date_deleted: 0,
    },
    inputs: f.inputs,
    function_execution_id: f.functionExecutionId,
    workflow_execution_id: f.workflowExecutionId,
    event_ts: now.toFixed(6),
    bot_access_token: 'xwfp-sandbox-workflow-token',
  };
}
