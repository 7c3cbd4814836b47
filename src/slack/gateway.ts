import type { WebClient } from '@slack/web-api';
import { createKeyedPacer, createTokenBucket } from '../util/rateGate';
import type { HomeView, SlackMessage } from './blocks/kit';

/**
 * Every Slack Web API call the bot makes goes through here, with deliberate retry rules: the Web
 * API client itself never retries (its default retries 5xx for 30 minutes and can post twice).
 * A post is repeated only after a 429, which means it was not posted; an update (idempotent) also
 * after a 5xx or a network error. Posts are paced per channel (about one a second) and updates
 * through a shared bucket under `chat.update`'s Tier 3 limit, and a 429 on one method pauses only
 * the caller that got it, never every other call.
 */

export type SlackResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface SlackGateway {
  postMessage(channel: string, msg: SlackMessage, threadTs?: string): Promise<SlackResult<{ ts: string; channel: string }>>;
  updateMessage(channel: string, ts: string, msg: SlackMessage): Promise<SlackResult<void>>;
  /** A message only `user` sees in `channel`, when no `response_url` is at hand (a restarted process). */
  postEphemeral(channel: string, user: string, msg: SlackMessage): Promise<SlackResult<void>>;
  publishHome(userId: string, view: HomeView): Promise<SlackResult<void>>;
  /** Members of a user group; throws when Slack cannot say (the caller decides what that means). */
  usergroupMembers(groupId: string): Promise<string[]>;
  /** A user's own Slack team (`users.info` → `user.team_id`); throws when Slack cannot say. */
  userTeam(userId: string): Promise<string | undefined>;
}

export type SlackCallOutcome = 'ok' | 'error' | 'rate_limited';

export interface SlackGatewayOptions {
  client: WebClient;
  /** Longest 429 pause a person's request may wait out before the call is reported as failed. */
  maxRateLimitWaitMs?: number;
  postIntervalMs?: number;
  /** `chat.update` budget per minute (SLACK_UPDATES_PER_MINUTE). */
  updatesPerMinute: number;
  observe?: (method: string, outcome: SlackCallOutcome, error?: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Applied to every message and view before it leaves: no secret reaches Slack, whatever text carries it. */
  redact?: <T>(value: T) => T;
}

interface SlackErrorLike {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string };
}

type Idempotency = 'post' | 'idempotent';

export function createSlackGateway(opts: SlackGatewayOptions): SlackGateway {
  const client = opts.client;
  const redact = opts.redact ?? (<T>(v: T) => v);
  const maxWait = opts.maxRateLimitWaitMs ?? 30_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const postPacer = createKeyedPacer(opts.postIntervalMs ?? 1_000);
  const perMinute = opts.updatesPerMinute;
  const updateBucket = createTokenBucket({ ratePerSec: perMinute / 60, burst: Math.max(5, Math.floor(perMinute / 3)) });

  async function call<T>(method: string, kind: Idempotency, fn: () => Promise<T>): Promise<SlackResult<T>> {
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const value = await fn();
        opts.observe?.(method, 'ok');
        return { ok: true, value };
      } catch (err) {
        const e = err as SlackErrorLike;
        if (e.code === 'slack_webapi_rate_limited_error') {
          opts.observe?.(method, 'rate_limited');
          const ms = Math.max(1, e.retryAfter ?? 1) * 1000;
          if (waited + ms > maxWait || attempt >= 4) return { ok: false, error: 'ratelimited' };
          waited += ms;
          await sleep(ms);
          continue;
        }
        const error = e.data?.error ?? (e.code === 'slack_webapi_http_error' ? `http_${e.statusCode}` : e.code === 'slack_webapi_request_error' ? 'request_failed' : 'unknown_error');
        opts.observe?.(method, 'error', error);
        const transient = e.code === 'slack_webapi_request_error' || (e.code === 'slack_webapi_http_error' && (e.statusCode ?? 0) >= 500);
        // A post that may have reached Slack is never repeated: better one missing card than two.
        if (kind === 'idempotent' && transient && attempt < 3) {
          await sleep(250 * attempt);
          continue;
        }
        return { ok: false, error };
      }
    }
  }

  return {
    postMessage(channel, raw, threadTs) {
      const msg = redact(raw);
      return postPacer.run(channel, () =>
        call('chat.postMessage', 'post', async () => {
          const res = await client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks as never, ...(threadTs ? { thread_ts: threadTs } : {}), unfurl_links: false, unfurl_media: false });
          return { ts: String(res.ts), channel: String(res.channel ?? channel) };
        }),
      );
    },

    async updateMessage(channel, ts, raw) {
      const msg = redact(raw);
      await updateBucket.take();
      return call('chat.update', 'idempotent', async () => {
        await client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks as never });
      });
    },

    postEphemeral(channel, user, raw) {
      const msg = redact(raw);
      return postPacer.run(channel, () =>
        call('chat.postEphemeral', 'post', async () => {
          await client.chat.postEphemeral({ channel, user, text: msg.text, blocks: msg.blocks as never });
        }),
      );
    },

    publishHome(userId, view) {
      return call('views.publish', 'idempotent', async () => {
        await client.views.publish({ user_id: userId, view: redact(view) as never });
      });
    },

    async usergroupMembers(groupId) {
      const res = await call('usergroups.users.list', 'idempotent', () => client.usergroups.users.list({ usergroup: groupId }));
      if (!res.ok) throw new Error(`usergroups.users.list failed for ${groupId}: ${res.error}`);
      return (res.value.users ?? []).filter((u): u is string => typeof u === 'string');
    },

    async userTeam(userId) {
      const res = await call('users.info', 'idempotent', () => client.users.info({ user: userId }));
      if (!res.ok) throw new Error(`users.info failed for ${userId}: ${res.error}`);
      const team = res.value.user?.team_id;
      return typeof team === 'string' && team.length > 0 ? team : undefined;
    },
  };
}
