import { instanceRef, isFinalStatus, type CardContext, type CardPlacement, type Instance, type InstanceRef, type Watch } from '../../core';
import type { Logger } from '../../log';
import type { NewWatch, WatchSink, Watcher } from '../../operations/watcher';
import type { Store } from '../../store/types';
import { renderStatusCard } from '../blocks/statusCard';
import { renderFinalStatusReply, renderWatchStopped, watchStoppedNote, type WatchStopped } from '../blocks/watchReplies';
import type { SlackGateway, SlackResult } from '../gateway';

/**
 * Puts status cards in channels and keeps them current: posts a new card, turns the clicked card
 * into the status card, or replies in another app's thread; records what each card showed; starts
 * the watch; and, as the watcher's sink ({@link createCardWatchSink}), updates cards on status
 * changes and announces the final status in the card's thread, mentioning the requester.
 */
export interface PublishInput {
  channel: string;
  instance: Instance;
  target: InstanceRef;
  card: CardContext;
  placement: CardPlacement;
  note?: string;
}

export interface CardService {
  /**
   * Posts or updates the card and, unless the status is final, starts watching it. A card that is
   * updated is first taken from its watcher, so a status read in flight cannot paint the old card
   * over the new one. Only the outcome of an authorized operation gets here: a denied click never
   * touches the watch.
   */
  publish(input: PublishInput): Promise<SlackResult<{ ts: string }>>;
}

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

  async function statusChanged(w: Watch, instance: Instance): Promise<boolean> {
    const res = await deps.gateway.updateMessage(w.channel, w.messageTs, render(instance, instanceRef(w), w.card));
    if (!res.ok) deps.logger.warn('could not update a status card', { channel: w.channel, ts: w.messageTs, error: res.error });
    return res.ok || res.error === 'message_not_found' || res.error === 'channel_not_found' || res.error === 'is_archived';
  }

  return {
    statusChanged,

    async reachedFinal(w, instance) {
      const updated = await statusChanged(w, instance);
      if (!updated) return false;
      const reply = await deps.gateway.postMessage(w.channel, renderFinalStatusReply(instance, w.requester), w.threadTs);
      if (!reply.ok) deps.logger.warn('could not post the final-status reply', { channel: w.channel, error: reply.error });
      return true;
    },

    async stopped(w, reason, instance) {
      const stopped: WatchStopped = { reason, instanceId: w.instanceId, timeoutMs: deps.watchTimeoutMs };
      if (instance) {
        await deps.gateway.updateMessage(w.channel, w.messageTs, render(instance, instanceRef(w), w.card, watchStoppedNote(stopped)));
      } else {
        await deps.gateway.postMessage(w.channel, renderWatchStopped(stopped), w.threadTs);
      }
    },
  };
}

export function createCardService(
  deps: Omit<CardDeps, 'watchTimeoutMs'> & {
    store: Pick<Store, 'saveCard'>;
    watcher: Pick<Watcher, 'watch' | 'yieldCard'>;
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

  return {
    async publish(input) {
      const msg = render(input.instance, input.target, input.card, input.note);
      let ts: string;
      let threadTs: string;
      if (input.placement.kind === 'update') {
        await deps.watcher.yieldCard(input.channel, input.placement.ts);
        const res = await deps.gateway.updateMessage(input.channel, input.placement.ts, msg);
        if (!res.ok) return res;
        ts = input.placement.ts;
        // Replies go in the card's own thread; a card that is itself a reply is answered in its parent's
        // thread (Slack: use the parent's ts, never a reply's, as thread_ts).
        threadTs = input.placement.threadTs ?? ts;
      } else {
        const thread = input.placement.kind === 'thread' ? input.placement.threadTs : undefined;
        const res = await deps.gateway.postMessage(input.channel, msg, thread);
        if (!res.ok) return res;
        ts = res.value.ts;
        threadTs = thread ?? ts;
      }
      await remember(input.channel, ts, input.target, input.card);
      if (!isFinalStatus(input.instance.status)) {
        const watch: NewWatch = {
          ...instanceRef(input.target),
          channel: input.channel,
          messageTs: ts,
          threadTs,
          requester: input.card.requester,
          lastStatus: input.instance.status,
          card: input.card,
        };
        await deps.watcher.watch(watch).catch((err) => deps.logger.error('could not start watching a card', { err, channel: input.channel, ts }));
      }
      return { ok: true, value: { ts } };
    },
  };
}
