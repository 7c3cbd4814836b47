import type { SqlDatabase } from './dialect';
import { everyNth, pruneRateHits, pruneSeenEvents, RATE_HITS_PRUNE_EVERY, SEEN_EVENTS_PRUNE_EVERY } from './pruning';
import { row, run, serialize, type Step } from './step';
import type { LimitStore, RateSlot } from './types';

/** Once-only keys (`seen_events`) and the sliding-window rate limiter (`rate_hits`). */
export function createLimitStore(db: SqlDatabase): LimitStore {
  const seenPruneDue = everyNth(SEEN_EVENTS_PRUNE_EVERY);
  const ratePruneDue = everyNth(RATE_HITS_PRUNE_EVERY);
  return {
    async markSeen(key, now) {
      // The primary key decides: of concurrent inserts of one key, exactly one changes a row.
      const first = (await db.run(run('INSERT INTO seen_events (event_key, at) VALUES (?, ?) ON CONFLICT DO NOTHING', [key, now]))) === 1;
      if (seenPruneDue()) await db.run(pruneSeenEvents(now));
      return first;
    },

    async takeRateSlot(key, now, windowMs, limit) {
      const slot = await db.transaction(takeRateSlot(key, now, windowMs, limit));
      if (slot.granted && ratePruneDue()) await db.run(pruneRateHits(now, windowMs));
      return slot;
    },
  };
}

/**
 * Count-then-insert for one key, serialised across every replica (a PostgreSQL advisory lock on the
 * key; SQLite's IMMEDIATE transaction already serialises all writers) until the transaction ends.
 */
function* takeRateSlot(key: string, now: number, windowMs: number, limit: number): Step<RateSlot> {
  yield* serialize(`rate:${key}`);
  yield* run('DELETE FROM rate_hits WHERE rate_key = ? AND at <= ?', [key, now - windowMs]);
  const inWindow = (yield* row<{ n: number | string; oldest: number | string | null }>('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM rate_hits WHERE rate_key = ?', [key]))!;
  if (Number(inWindow.n) >= limit) return { granted: false, freeAt: Number(inWindow.oldest) + windowMs };
  yield* run('INSERT INTO rate_hits (rate_key, at) VALUES (?, ?)', [key, now]);
  return { granted: true };
}
