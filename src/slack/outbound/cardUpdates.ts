import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../log';
import type { OutboxStore, PendingUpdate } from '../../store/types';
import type { SlackMessage } from '../blocks/kit';
import type { Priority } from './priority';
import type { OutboundQueue, QueueResult } from './queue';
import { webCall } from './webCall';

/**
 * Card updates that survive a restart: each new state of a card is stored (one row per card, the
 * newest replacing an older one not yet sent) before it waits in the queue, and the queued call
 * reads the row when its turn comes, so whatever replica sends it sends the newest state. The
 * final-status reply rides with the row and is posted once the card shows it.
 */
export interface CardReply {
  threadTs: string;
  message: SlackMessage;
}

export interface CardUpdates {
  /** Stores the card's new state and queues it; resolves once stored, with the send's own promise. */
  queue(channel: string, ts: string, msg: SlackMessage, opts: { priority: Priority; reply?: CardReply }): Promise<{ sent: Promise<QueueResult<void>> }>;
  /** Queues a stored state another replica left behind (or this one before a restart). */
  resume(update: PendingUpdate): void;
}

/** Slack errors after which a card will never take an update. */
const CARD_GONE = new Set(['message_not_found', 'channel_not_found', 'is_archived', 'cant_update_message', 'not_in_channel']);

export function createCardUpdates(deps: {
  client: WebClient;
  queue: OutboundQueue;
  store: Pick<OutboxStore, 'savePendingUpdate' | 'getPendingUpdate' | 'finishPendingUpdate' | 'dropPendingUpdate'>;
  owner: string;
  leaseMs: number;
  redact: <T>(v: T) => T;
  postReply: (channel: string, reply: CardReply) => Promise<unknown>;
  logger: Logger;
  now: () => number;
}): CardUpdates {
  function enqueue(channel: string, ts: string, priority: number): Promise<QueueResult<void>> {
    return deps.queue.enqueue<void>({
      method: 'chat.update',
      channel,
      priority,
      key: `update:${channel}:${ts}`,
      persistent: true,
      repeatTransient: true,
      send: async () => {
        const row = await deps.store.getPendingUpdate(channel, ts);
        // Sent already (by this replica's earlier call, or another replica).
        if (!row) return { kind: 'ok', value: undefined };
        const msg = row.message as SlackMessage;
        const out = await webCall(() => deps.client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks as never }));
        if (out.kind === 'rate_limited' || (out.kind === 'error' && out.transient)) return out;
        if (out.kind === 'error') {
          // Sending it again would be refused again: the row goes, and a log line says why unless the card is gone.
          if (!CARD_GONE.has(out.error)) deps.logger.warn('Slack refused a card update; dropped', { channel, ts, error: out.error });
          await deps.store.dropPendingUpdate(channel, ts);
          return out;
        }
        const finished = await deps.store.finishPendingUpdate(channel, ts, row.version);
        if (finished.reply) {
          // Taken from the store by this call alone: posted at most once.
          deps.postReply(channel, finished.reply as CardReply).catch((err) => deps.logger.warn('could not post a card reply', { err, channel }));
        }
        // A newer state arrived while this one was on the wire: it goes next.
        if (!finished.finished) void enqueue(channel, ts, row.priority);
        return { kind: 'ok', value: undefined };
      },
    });
  }

  return {
    async queue(channel, ts, raw, opts) {
      const msg = deps.redact(raw);
      const reply = opts.reply ? { threadTs: opts.reply.threadTs, message: deps.redact(opts.reply.message) } : undefined;
      const t = deps.now();
      await deps.store.savePendingUpdate({ channel, messageTs: ts, message: msg, priority: opts.priority, ...(reply ? { reply } : {}), owner: deps.owner, leaseUntil: t + deps.leaseMs, updatedAt: t });
      return { sent: enqueue(channel, ts, opts.priority) };
    },

    resume(u) {
      void enqueue(u.channel, u.messageTs, u.priority);
    },
  };
}
