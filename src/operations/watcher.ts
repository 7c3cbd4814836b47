import { randomUUID } from 'node:crypto';
import { instanceKey, instanceRef, isFinalStatus, type Instance, type Watch } from '../core';
import type { Logger } from '../log';
import type { SecMasterClient } from '../secmaster/client';
import { SecMasterError } from '../secmaster/errors';
import type { WatchStore } from '../store/types';
import { createTokenBucket, type TokenBucket } from '../util/rateGate';

/**
 * Follows instances until they reach a final status and keeps their cards current. Watches live in
 * the store, so they resume after a restart or a crash, and are leased so that one replica polls
 * each at a time. Reads start `pollIntervalMs` apart and grow to `pollMaxIntervalMs` while nothing
 * changes; a token bucket bounds the total read rate, so a thousand watches cannot flood SecMaster
 * (and, since cards change only when a status does, cannot flood `chat.update` either).
 */

/** What the watcher tells the Slack side; implemented by `slack/cards/cardService.ts`. */
export interface WatchSink {
  statusChanged(watch: Watch, instance: Instance): Promise<boolean>;
  reachedFinal(watch: Watch, instance: Instance): Promise<boolean>;
  stopped(watch: Watch, reason: 'timeout' | 'not_found', instance?: Instance): Promise<void>;
}

export interface WatcherOptions {
  store: WatchStore;
  secmaster: Pick<SecMasterClient, 'getInstance'>;
  sink: WatchSink;
  logger: Logger;
  pollIntervalMs: number;
  pollMaxIntervalMs: number;
  timeoutMs: number;
  readsPerSecond: number;
  /** How long a replica's claim on a watch lasts while it polls it. */
  leaseMs?: number;
  /** Longest sleep between looks at the store (watches added by other replicas appear within it). */
  idleCheckMs?: number;
  owner?: string;
  now?: () => number;
  observe?: (event: 'read' | 'change' | 'final' | 'timeout') => void;
}

export type NewWatch = Omit<Watch, 'id' | 'intervalMs' | 'nextPollAt' | 'startedAt' | 'deadline'>;

/** One watch per card: its ID is the card's place. */
export function watchIdFor(channel: string, messageTs: string): string {
  return `${channel}:${messageTs}`;
}

export interface Watcher {
  readonly owner: string;
  watch(input: NewWatch): Promise<void>;
  /**
   * A click is turning this card into something new: a read of it in flight must not update the
   * card with what it knew before (the watch itself carries on, or is replaced by the click's).
   */
  yieldCard(channel: string, messageTs: string): Promise<void>;
  start(): void;
  /** Stops polling, waits for reads in flight, and hands every lease back for another replica. */
  stop(): Promise<void>;
}

const GROWTH = 1.5;
const MAX_CONCURRENT_READS = 16;

export function createWatcher(opts: WatcherOptions): Watcher {
  const now = opts.now ?? Date.now;
  const owner = opts.owner ?? `watcher-${randomUUID()}`;
  // Held only while one poll runs (a read is bounded at about 14 s): if this replica dies mid-poll,
  // another takes the watch over when the lease ends; otherwise at the watch's next due time.
  const leaseMs = opts.leaseMs ?? 15_000;
  const idleCheckMs = opts.idleCheckMs ?? 1_000;
  const bucket: TokenBucket = createTokenBucket({ ratePerSec: opts.readsPerSecond, burst: Math.max(1, Math.ceil(opts.readsPerSecond)), now });
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let wakeRequested = false;

  function schedule(ms: number) {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      ticking = tick().finally(() => {
        ticking = undefined;
      });
    }, Math.max(0, ms));
    timer.unref();
  }

  async function tick(): Promise<void> {
    wakeRequested = false;
    let claimedFull = false;
    try {
      const capacity = Math.min(bucket.available(), 200);
      if (capacity === 0) {
        schedule(Math.ceil(1000 / opts.readsPerSecond));
        return;
      }
      const claimed = await opts.store.claimDueWatches(owner, now(), capacity, leaseMs);
      claimedFull = claimed.length === capacity;
      await pollAll(claimed);
    } catch (err) {
      opts.logger.error('watch loop failed; retrying', { err });
    }
    if (!running) return;
    if (claimedFull || wakeRequested) return schedule(0);
    const due = await opts.store.nextWatchDue().catch(() => undefined);
    schedule(due === undefined ? idleCheckMs : Math.min(idleCheckMs, due - now()));
  }

  async function pollAll(watches: Watch[]): Promise<void> {
    // Several cards may follow one instance: read it once for all of them.
    const groups = new Map<string, Watch[]>();
    for (const w of watches) {
      const key = instanceKey(w);
      groups.set(key, [...(groups.get(key) ?? []), w]);
    }
    const queue = [...groups.values()];
    const workers = Array.from({ length: Math.min(MAX_CONCURRENT_READS, queue.length) }, async () => {
      for (let group = queue.shift(); group; group = queue.shift()) await pollGroup(group);
    });
    await Promise.all(workers);
  }

  async function pollGroup(group: Watch[]): Promise<void> {
    const first = group[0]!;
    await bucket.take();
    opts.observe?.('read');
    let instance: Instance | undefined;
    let error: SecMasterError | undefined;
    try {
      instance = (await opts.secmaster.getInstance(instanceRef(first))).data;
    } catch (err) {
      error = err instanceof SecMasterError ? err : undefined;
      if (!error) opts.logger.error('unexpected error reading a watched instance', { err });
    }
    for (const w of group) {
      try {
        await handle(w, instance, error);
      } catch (err) {
        opts.logger.error('watch step failed', { err, watch: w.id });
      }
    }
  }

  async function handle(w: Watch, instance: Instance | undefined, error: SecMasterError | undefined): Promise<void> {
    const t = now();
    // Deletes only while this poll still holds the watch: a click that turned the card into a new
    // status card meanwhile replaced it (and cleared the lease), and that newer watch must live on.
    const done = () => opts.store.deleteWatch(w.id, owner);
    // A click took the card over while this read was in flight: what it read is not ours to show.
    if (!(await opts.store.holdsWatch(w, owner))) return;
    if (error?.isNotFound) {
      await opts.sink.stopped(w, 'not_found');
      return done();
    }
    if (instance && instance.status !== w.lastStatus) {
      if (isFinalStatus(instance.status)) {
        opts.observe?.('final');
        // A card Slack would not update keeps its watch: the next poll tries again.
        if (await opts.sink.reachedFinal(w, instance)) return done();
      } else {
        opts.observe?.('change');
        if (await opts.sink.statusChanged(w, instance)) {
          await opts.store.updateWatch(owner, { id: w.id, lastStatus: instance.status, intervalMs: opts.pollIntervalMs, nextPollAt: t + opts.pollIntervalMs });
          return;
        }
      }
    }
    if (t >= w.deadline) {
      opts.observe?.('timeout');
      await opts.sink.stopped(w, 'timeout', instance);
      return done();
    }
    const intervalMs = Math.min(opts.pollMaxIntervalMs, Math.round(w.intervalMs * GROWTH));
    await opts.store.updateWatch(owner, { id: w.id, lastStatus: w.lastStatus, intervalMs, nextPollAt: t + intervalMs });
  }

  return {
    owner,

    async watch(input) {
      const t = now();
      await opts.store.saveWatch({
        ...input,
        id: watchIdFor(input.channel, input.messageTs),
        intervalMs: opts.pollIntervalMs,
        nextPollAt: t + opts.pollIntervalMs,
        startedAt: t,
        deadline: t + opts.timeoutMs,
      });
      wakeRequested = true;
      if (running && !ticking) schedule(Math.min(opts.pollIntervalMs, idleCheckMs));
    },

    async yieldCard(channel, messageTs) {
      await opts.store.releaseWatch(watchIdFor(channel, messageTs));
    },

    start() {
      if (running) return;
      running = true;
      schedule(0);
    },

    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await ticking?.catch(() => undefined);
      await opts.store.releaseWatchLeases(owner).catch(() => undefined);
    },

  };
}
