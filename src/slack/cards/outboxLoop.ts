import type { Logger } from '../../log';
import type { OutboxStore } from '../../store/types';
import type { SlackGateway } from '../gateway';
import type { CardService } from './cardService';

/**
 * The heartbeat and the take-over of stored Slack work (cards to post, card updates to send): every
 * few seconds this replica extends the leases on what it holds, and takes over what a stopped
 * replica left (its leases ran out): updates are queued again, cards are finished by the card
 * service (found by their metadata, or posted). At start-up it first gives back any lease held
 * under its own name: that was a previous life of this replica, and nothing of it is in memory.
 */
export interface OutboxLoop {
  start(): void;
  stop(): Promise<void>;
  /** One pass (tests, start-up): returns how many cards and updates were taken over. */
  runOnce(): Promise<number>;
}

/** A lease lasts a few heartbeats, so one slow pass does not hand live work to another replica. */
export const OUTBOX_LEASE_MS = 10_000;
const BATCH = 50;

export function createOutboxLoop(deps: {
  store: Pick<OutboxStore, 'renewOutboxLeases' | 'releaseOutboxLeases' | 'claimOrphanedCardIntents' | 'claimOrphanedPendingUpdates'>;
  gateway: Pick<SlackGateway, 'resumeCardUpdate'>;
  cards: Pick<CardService, 'resume'>;
  owner: string;
  logger: Logger;
  leaseMs?: number;
  intervalMs?: number;
  now?: () => number;
}): OutboxLoop {
  const now = deps.now ?? Date.now;
  const leaseMs = deps.leaseMs ?? OUTBOX_LEASE_MS;
  const intervalMs = deps.intervalMs ?? Math.floor(leaseMs / 4);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let started = false;
  const resuming = new Set<Promise<void>>();

  async function pass(): Promise<number> {
    const t = now();
    await deps.store.renewOutboxLeases(deps.owner, t, t + leaseMs);
    const updates = await deps.store.claimOrphanedPendingUpdates(deps.owner, t, leaseMs, BATCH);
    for (const u of updates) deps.gateway.resumeCardUpdate(u);
    const intents = await deps.store.claimOrphanedCardIntents(deps.owner, t, leaseMs, BATCH);
    for (const i of intents) {
      const p = deps.cards.resume(i).catch((err: unknown) => {
        deps.logger.error('could not finish a card left unposted', { err, card_id: i.id });
      });
      resuming.add(p);
      void p.finally(() => resuming.delete(p));
    }
    if (updates.length + intents.length > 0) deps.logger.info('took over stored Slack work', { updates: updates.length, cards: intents.length });
    return updates.length + intents.length;
  }

  function runOnce(): Promise<number> {
    running ??= pass()
      .catch((err) => {
        deps.logger.error('outbox pass failed; retrying', { err });
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  function schedule() {
    if (!started) return;
    timer = setTimeout(() => void runOnce().finally(schedule), intervalMs);
    timer.unref();
  }

  return {
    start() {
      if (started) return;
      started = true;
      void deps.store
        .releaseOutboxLeases(deps.owner)
        .catch((err) => deps.logger.warn('could not release earlier outbox leases', { err }))
        .then(() => runOnce())
        .finally(schedule);
    },
    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      await running;
      await Promise.all([...resuming]);
      // What this replica still holds goes back at once, so the next replica need not wait out the leases.
      await deps.store.releaseOutboxLeases(deps.owner).catch(() => undefined);
    },
    runOnce,
  };
}
