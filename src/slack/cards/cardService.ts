import { randomUUID } from 'node:crypto';
import { instanceRef, isFinalStatus, type CardContext, type CardPlacement, type Instance, type InstanceRef } from '../../core';
import type { Logger } from '../../log';
import type { NewWatch, WatchSink, Watcher } from '../../operations/watcher';
import type { CardIntent, Store } from '../../store/types';
import type { SlackMessage } from '../blocks/kit';
import { renderStatusCard } from '../blocks/statusCard';
import { renderFinalStatusReply, renderWatchStopped, watchStoppedNote, type WatchStopped } from '../blocks/watchReplies';
import type { SlackGateway, SlackResult } from '../gateway';
import { PRIORITY, type Priority } from '../outbound/priority';

/**
 * Puts status cards in channels and keeps them current: posts a new card, turns the clicked card
 * into the status card, or replies in another app's thread; records what each card showed; starts
 * the watch; and, as the watcher's sink ({@link createCardWatchSink}), queues card updates on
 * status changes and the final status with its thread reply, mentioning the requester.
 *
 * A new card is first stored as an intent (the message and what its watch needs), then posted
 * carrying its ID in the message metadata, then its ts, card record and watch are stored and the
 * intent deleted. A process that dies in between leaves the intent, which the outbox loop hands to
 * `resume`: it looks for a message carrying the card ID (Slack accepted the post but the ts was
 * never stored) and posts only when there is none, so a crash costs at most a late card, not a
 * lost or a doubled one.
 */
export interface PublishInput {
  channel: string;
  instance: Instance;
  target: InstanceRef;
  card: CardContext;
  placement: CardPlacement;
  note?: string;
  /** Queue order while Slack's limit makes posts wait (default: a person is waiting). */
  priority?: Priority;
}

/** `queued`: the card is stored and will be posted as soon as Slack allows. */
export type PostedCard = { ok: true; ts: string } | { ok: true; queued: true } | { ok: false; error: string };

export interface CardService {
  /**
   * Posts or updates the card and, unless the status is final, starts watching it. A card that is
   * updated is first taken from its watcher, so a status read in flight cannot paint the old card
   * over the new one. Only the outcome of an authorized operation gets here: a denied click never
   * touches the watch.
   */
  publish(input: PublishInput): Promise<SlackResult<{ ts: string }>>;
  /**
   * Posts a new card, or answers `queued` when the post is still waiting for Slack after
   * `answerWithinMs`; `onLateRefusal` hears when Slack then refuses the queued card for good.
   */
  publishOrQueue(input: PublishInput, answerWithinMs: number, onLateRefusal?: (error: string) => Promise<void>): Promise<PostedCard>;
  /** Finishes a card a stopped process left unposted (see the top of this file). */
  resume(intent: CardIntent): Promise<void>;
}

/** A post that failed on the wire (network, 5xx) may have reached Slack. */
function mayHavePosted(error: string): boolean {
  return error === 'request_failed' || /^http_5\d\d$/.test(error);
}

/** The metadata event type the bot's cards carry (payload: `card_id`). */
export const CARD_EVENT_TYPE = 'playbook_card';

interface CardDeps {
  gateway: SlackGateway;
  defaultWorkspaceId: string;
  watchTimeoutMs: number;
  logger: Logger;
}

function statusCardRenderer(deps: Pick<CardDeps, 'defaultWorkspaceId'>) {
  return (instance: Instance, target: InstanceRef, card: CardContext, note?: string) =>
    renderStatusCard({ instance, target, defaultWorkspaceId: deps.defaultWorkspaceId, card, note, buttons: true });
}

/**
 * The cards' side of the watcher: what a status change, a final status or a stopped watch does to
 * a card. Built before the watcher (which it needs nothing of), so the watcher can be built before
 * the card service that starts watches.
 */
export function createCardWatchSink(deps: CardDeps): WatchSink {
  const render = statusCardRenderer(deps);
  // Updates are queued (the newest state of a card wins, stored so a restart sends it); a final
  // status goes before intermediate ones and carries its thread reply.
  return {
    async statusChanged(w, instance) {
      await deps.gateway.queueCardUpdate(w.channel, w.messageTs, render(instance, instanceRef(w), w.card), { priority: PRIORITY.progress });
      return true;
    },

    async reachedFinal(w, instance) {
      await deps.gateway.queueCardUpdate(w.channel, w.messageTs, render(instance, instanceRef(w), w.card), {
        priority: PRIORITY.person,
        reply: { threadTs: w.threadTs, message: renderFinalStatusReply(instance, w.requester) },
      });
      return true;
    },

    async stopped(w, reason, instance) {
      const stopped: WatchStopped = { reason, instanceId: w.instanceId, timeoutMs: deps.watchTimeoutMs };
      if (instance) {
        await deps.gateway.queueCardUpdate(w.channel, w.messageTs, render(instance, instanceRef(w), w.card, watchStoppedNote(stopped)), { priority: PRIORITY.person });
      } else {
        await deps.gateway.postMessage(w.channel, renderWatchStopped(stopped), w.threadTs);
      }
    },
  };
}

export function createCardService(
  deps: Omit<CardDeps, 'watchTimeoutMs'> & {
    store: Pick<Store, 'saveCard' | 'saveCardIntent' | 'deleteCardIntent' | 'releaseCardIntent'>;
    watcher: Pick<Watcher, 'watch' | 'yieldCard'>;
    /** This replica, the owner of the intents it stores (see the outbox loop's heartbeat). */
    owner: string;
    leaseMs: number;
    now?: () => number;
  },
): CardService {
  const now = deps.now ?? Date.now;
  const render = statusCardRenderer(deps);

  async function remember(channel: string, ts: string, target: InstanceRef, context: CardContext) {
    await deps.store.saveCard({ channel, messageTs: ts, ...instanceRef(target), context, createdAt: now() }).catch((err) => {
      deps.logger.warn('could not record a posted card', { err, channel, ts });
    });
  }

  async function startWatch(watch: NewWatch): Promise<boolean> {
    try {
      await deps.watcher.watch(watch);
      return true;
    } catch (err) {
      deps.logger.error('could not start watching a card', { err, channel: watch.channel, ts: watch.messageTs });
      return false;
    }
  }

  /** The card is in Slack at `ts`: its record and watch are stored, then its intent goes. */
  async function settle(intent: CardIntent, ts: string): Promise<void> {
    await remember(intent.channel, ts, intent, intent.context);
    const watched =
      isFinalStatus(intent.status) ||
      (await startWatch({
        ...instanceRef(intent),
        channel: intent.channel,
        messageTs: ts,
        threadTs: intent.threadTs ?? ts,
        requester: intent.context.requester,
        lastStatus: intent.status,
        card: intent.context,
      }));
    // A watch that could not be stored keeps the intent: the outbox loop finds the card and tries again.
    if (watched) await deps.store.deleteCardIntent(intent.id);
    else await deps.store.releaseCardIntent(intent.id);
  }

  /** Cards this process is posting now: the outbox loop never starts a second delivery of one of them. */
  const delivering = new Set<string>();

  async function deliver(intent: CardIntent, lookFirst: boolean): Promise<SlackResult<{ ts: string }>> {
    delivering.add(intent.id);
    try {
      return await deliverOnce(intent, lookFirst);
    } finally {
      delivering.delete(intent.id);
    }
  }

  async function deliverOnce(intent: CardIntent, lookFirst: boolean): Promise<SlackResult<{ ts: string }>> {
    let ts: string | undefined;
    if (lookFirst) {
      const found = await deps.gateway.findCardMessage(intent.channel, { eventType: CARD_EVENT_TYPE, cardId: intent.id, threadTs: intent.threadTs, sinceMs: intent.createdAt });
      // Not knowing whether it is there, it is not posted: the intent's lease runs out and a later pass asks again.
      if (!found.ok) return found;
      ts = found.value;
    }
    if (!ts) {
      const posted = await deps.gateway.postMessage(intent.channel, intent.message as SlackMessage, intent.threadTs, {
        priority: intent.priority as Priority,
        persistent: true,
        metadata: { event_type: CARD_EVENT_TYPE, event_payload: { card_id: intent.id } },
      });
      if (!posted.ok) {
        // A refusal means no card; a failure on the wire may mean one: the outbox loop looks before posting again.
        if (mayHavePosted(posted.error)) await deps.store.releaseCardIntent(intent.id);
        else await deps.store.deleteCardIntent(intent.id);
        return posted;
      }
      ts = posted.value.ts;
    }
    await settle(intent, ts);
    return { ok: true, value: { ts } };
  }

  /** Stores the intent, then starts the post (what it returns: the post still under way). */
  async function postNew(input: PublishInput): Promise<{ posting: Promise<SlackResult<{ ts: string }>> }> {
    const t = now();
    const intent: CardIntent = {
      id: randomUUID(),
      channel: input.channel,
      ...(input.placement.kind === 'thread' ? { threadTs: input.placement.threadTs } : {}),
      ...instanceRef(input.target),
      message: render(input.instance, input.target, input.card, input.note),
      context: input.card,
      status: input.instance.status,
      priority: input.priority ?? PRIORITY.person,
      owner: deps.owner,
      leaseUntil: t + deps.leaseMs,
      createdAt: t,
    };
    await deps.store.saveCardIntent(intent);
    return { posting: deliver(intent, false) };
  }

  async function update(input: PublishInput & { placement: { kind: 'update' } }): Promise<SlackResult<{ ts: string }>> {
    const msg = render(input.instance, input.target, input.card, input.note);
    const ts = input.placement.ts;
    await deps.watcher.yieldCard(input.channel, ts);
    const res = await deps.gateway.updateMessage(input.channel, ts, msg, { priority: input.priority ?? PRIORITY.person });
    if (!res.ok) return res;
    await remember(input.channel, ts, input.target, input.card);
    if (!isFinalStatus(input.instance.status)) {
      await startWatch({
        ...instanceRef(input.target),
        channel: input.channel,
        messageTs: ts,
        // Replies go in the card's own thread; a card that is itself a reply is answered in its parent's
        // thread (Slack: use the parent's ts, never a reply's, as thread_ts).
        threadTs: input.placement.threadTs ?? ts,
        requester: input.card.requester,
        lastStatus: input.instance.status,
        card: input.card,
      });
    }
    return { ok: true, value: { ts } };
  }

  return {
    async publish(input) {
      if (input.placement.kind === 'update') return update({ ...input, placement: input.placement });
      return (await postNew(input)).posting;
    },

    async publishOrQueue(input, answerWithinMs, onLateRefusal) {
      if (input.placement.kind === 'update') {
        const res = await update({ ...input, placement: input.placement });
        return res.ok ? { ok: true, ts: res.value.ts } : res;
      }
      const { posting } = await postNew(input);
      let timer: NodeJS.Timeout | undefined;
      // Without a time limit the caller waits for Slack's answer; either way one rule below decides.
      const waited = Number.isFinite(answerWithinMs)
        ? new Promise<'late'>((resolve) => {
            timer = setTimeout(() => resolve('late'), answerWithinMs);
          })
        : undefined;
      let first: SlackResult<{ ts: string }> | 'late';
      try {
        first = waited ? await Promise.race([posting, waited]) : await posting;
      } finally {
        clearTimeout(timer);
      }
      // The card is stored and the outbox loop finishes it: to the sender that is "queued", not a failure to repeat.
      if (first !== 'late' && !first.ok && mayHavePosted(first.error)) return { ok: true, queued: true };
      if (first === 'late') {
        posting.then(
          async (r) => {
            if (r.ok || mayHavePosted(r.error)) return;
            deps.logger.warn('a queued card could not be posted', { channel: input.channel, error: r.error });
            await onLateRefusal?.(r.error).catch((err: unknown) => deps.logger.warn('could not say that a queued card was refused', { err, channel: input.channel }));
          },
          (err) => deps.logger.error('a queued card could not be posted', { err, channel: input.channel }),
        );
        return { ok: true, queued: true };
      }
      return first.ok ? { ok: true, ts: first.value.ts } : first;
    },

    async resume(intent) {
      if (delivering.has(intent.id)) return;
      const res = await deliver(intent, true);
      if (!res.ok) deps.logger.warn('could not finish a card left unposted', { channel: intent.channel, card_id: intent.id, error: res.error });
      else deps.logger.info('finished a card left unposted', { channel: intent.channel, card_id: intent.id, ts: res.value.ts });
    },
  };
}
