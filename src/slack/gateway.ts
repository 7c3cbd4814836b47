import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log';
import type { OutboxStore, PendingUpdate } from '../store/types';
import type { HomeView, SlackMessage } from './blocks/kit';
import { createCallBudget, slackBudgets } from './outbound/budgets';
import { createCardUpdates, type CardReply } from './outbound/cardUpdates';
import { PRIORITY, reserveFor, type Priority } from './outbound/priority';
import { createOutboundQueue, type SendOutcome } from './outbound/queue';
import { webCall } from './outbound/webCall';

/**
 * Every Slack Web API call the bot makes goes through here, and through one queue that knows
 * Slack's tiers (outbound/queue.ts): no call is sent that the budget says Slack would refuse, a
 * 429's `Retry-After` pauses only its method (and channel), and when calls must wait the most
 * urgent go first (outbound/priority.ts). The Web API client itself never retries (its default
 * retries 5xx for 30 minutes and can post twice): a post is repeated only after a 429, which means
 * it was not posted; an update (idempotent) also after a 5xx or a network error. Card updates are
 * stored until sent, the newest state of a card replacing an older one (outbound/cardUpdates.ts).
 */

export type SlackResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Message metadata (https://api.slack.com/metadata): the card ID a post carries, found again by `findCardMessage`. */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, string>;
}

export interface PostOptions {
  priority?: Priority;
  metadata?: MessageMetadata;
  /** Waits out Slack's limit however long it takes (a stored card), instead of giving up after a few 429s. */
  persistent?: boolean;
}

export interface SlackGateway {
  postMessage(channel: string, msg: SlackMessage, threadTs?: string, opts?: PostOptions): Promise<SlackResult<{ ts: string; channel: string }>>;
  /** Updates a message and waits until Slack has it (a person is waiting for it). */
  updateMessage(channel: string, ts: string, msg: SlackMessage, opts?: { priority?: Priority }): Promise<SlackResult<void>>;
  /**
   * Stores a card's new state and queues it; resolves once it is stored (it is sent as Slack's limit
   * allows, also after a restart). `reply` is posted in the thread once the card shows this state.
   */
  queueCardUpdate(channel: string, ts: string, msg: SlackMessage, opts: { priority: Priority; reply?: CardReply }): Promise<void>;
  /** Queues a card update another replica (or this one before a restart) left stored. */
  resumeCardUpdate(update: PendingUpdate): void;
  /** A message only `user` sees in `channel`, when no `response_url` is at hand (a restarted process). */
  postEphemeral(channel: string, user: string, msg: SlackMessage): Promise<SlackResult<void>>;
  publishHome(userId: string, view: HomeView): Promise<SlackResult<void>>;
  /** Members of a user group; throws when Slack cannot say (the caller decides what that means). */
  usergroupMembers(groupId: string): Promise<string[]>;
  /** A user's own Slack team (`users.info` → `user.team_id`); throws when Slack cannot say. */
  userTeam(userId: string): Promise<string | undefined>;
  /**
   * The ts of the bot's message in `channel` (or in the thread `threadTs`) posted since `sinceMs`
   * whose metadata carries `event_type` with `card_id` = `cardId`; `undefined` when there is none.
   */
  findCardMessage(channel: string, find: { eventType: string; cardId: string; threadTs?: string; sinceMs: number }): Promise<SlackResult<string | undefined>>;
  /** Resolves when nothing is queued or in flight (or after `ms`); true when idle. */
  idle(ms: number): Promise<boolean>;
}

export type SlackCallOutcome = 'ok' | 'error' | 'rate_limited';

export interface SlackGatewayOptions {
  client: WebClient;
  /** `chat.update` budget per minute (SLACK_UPDATES_PER_MINUTE). */
  updatesPerMinute: number;
  store: Pick<OutboxStore, 'savePendingUpdate' | 'getPendingUpdate' | 'finishPendingUpdate' | 'dropPendingUpdate'>;
  /** This replica, the owner of the card updates it stores. */
  owner: string;
  /** How long a stored card update stays this replica's without a heartbeat (see cards/outboxLoop.ts). */
  leaseMs: number;
  logger: Logger;
  observe?: (method: string, outcome: SlackCallOutcome, error?: string) => void;
  now?: () => number;
  /** Applied to every message and view before it leaves: no secret reaches Slack, whatever text carries it. */
  redact?: <T>(value: T) => T;
}

const HISTORY_PAGE = 200;

export function createSlackGateway(opts: SlackGatewayOptions): SlackGateway {
  const client = opts.client;
  const now = opts.now ?? Date.now;
  const redact = opts.redact ?? (<T>(v: T) => v);
  const queue = createOutboundQueue({ budget: createCallBudget(slackBudgets(opts.updatesPerMinute)), reserveFor, now, observe: opts.observe });

  function call<T>(method: string, channel: string | undefined, priority: Priority, repeatTransient: boolean, send: () => Promise<SendOutcome<T>>, persistent = false) {
    return queue.enqueue<T>({ method, channel, priority, repeatTransient, persistent, send });
  }

  async function postMessage(channel: string, raw: SlackMessage, threadTs?: string, o: PostOptions = {}) {
    const msg = redact(raw);
    // A post that may have reached Slack is never repeated: better one missing message than two.
    return call('chat.postMessage', channel, o.priority ?? PRIORITY.person, false, () =>
      webCall(async () => {
        const res = await client.chat.postMessage({
          channel,
          text: msg.text,
          blocks: msg.blocks as never,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          ...(o.metadata ? { metadata: o.metadata } : {}),
          unfurl_links: false,
          unfurl_media: false,
        });
        return { ts: String(res.ts), channel: String(res.channel ?? channel) };
      }),
      o.persistent,
    );
  }

  const cardUpdates = createCardUpdates({
    client,
    queue,
    store: opts.store,
    owner: opts.owner,
    leaseMs: opts.leaseMs,
    redact,
    logger: opts.logger,
    now,
    postReply: (channel, reply) => postMessage(channel, reply.message, reply.threadTs, { priority: PRIORITY.person }),
  });

  return {
    postMessage,

    async updateMessage(channel, ts, msg, o = {}) {
      const { sent } = await cardUpdates.queue(channel, ts, msg, { priority: o.priority ?? PRIORITY.person });
      return sent;
    },

    async queueCardUpdate(channel, ts, msg, o) {
      const { sent } = await cardUpdates.queue(channel, ts, msg, o);
      void sent.then((r) => {
        if (!r.ok) opts.logger.warn('could not update a status card', { channel, ts, error: r.error });
      });
    },

    resumeCardUpdate: (u) => cardUpdates.resume(u),

    postEphemeral(channel, user, raw) {
      const msg = redact(raw);
      return call('chat.postEphemeral', channel, PRIORITY.person, false, () =>
        webCall(async () => {
          await client.chat.postEphemeral({ channel, user, text: msg.text, blocks: msg.blocks as never });
        }),
      );
    },

    publishHome(userId, view) {
      return call('views.publish', undefined, PRIORITY.person, true, () =>
        webCall(async () => {
          await client.views.publish({ user_id: userId, view: redact(view) as never });
        }),
      );
    },

    async usergroupMembers(groupId) {
      const res = await call('usergroups.users.list', undefined, PRIORITY.person, true, () => webCall(() => client.usergroups.users.list({ usergroup: groupId })));
      if (!res.ok) throw new Error(`usergroups.users.list failed for ${groupId}: ${res.error}`);
      return (res.value.users ?? []).filter((u): u is string => typeof u === 'string');
    },

    async userTeam(userId) {
      const res = await call('users.info', undefined, PRIORITY.person, true, () => webCall(() => client.users.info({ user: userId })));
      if (!res.ok) throw new Error(`users.info failed for ${userId}: ${res.error}`);
      const team = res.value.user?.team_id;
      return typeof team === 'string' && team.length > 0 ? team : undefined;
    },

    async findCardMessage(channel, f) {
      const oldest = (Math.floor(f.sinceMs / 1000) - 1).toString();
      const method = f.threadTs ? 'conversations.replies' : 'conversations.history';
      // Every page since the card was stored: in a busy channel more than one page of messages can
      // follow it, and a card missed here would be posted a second time.
      let cursor: string | undefined;
      for (;;) {
        const page = cursor ? { cursor } : {};
        const res = await call(method, channel, PRIORITY.person, true, () =>
          webCall(() =>
            f.threadTs
              ? client.conversations.replies({ channel, ts: f.threadTs, oldest, include_all_metadata: true, limit: HISTORY_PAGE, ...page })
              : client.conversations.history({ channel, oldest, include_all_metadata: true, limit: HISTORY_PAGE, ...page }),
          ),
        );
        if (!res.ok) return res;
        const found = (res.value.messages ?? []).find((m) => m.metadata?.event_type === f.eventType && (m.metadata.event_payload as Record<string, unknown> | undefined)?.card_id === f.cardId);
        if (found) return { ok: true, value: found.ts };
        cursor = res.value.has_more ? res.value.response_metadata?.next_cursor : undefined;
        if (!cursor) return { ok: true, value: undefined };
      }
    },

    idle: (ms) => queue.idle(ms),
  };
}
