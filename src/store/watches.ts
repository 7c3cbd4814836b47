import type { SqlDatabase } from './dialect';
import { rowToWatch, type WatchRow } from './rows';
import { count, numberOf, row, rows, run } from './step';
import type { WatchStore } from './types';

/** Clears a watch's lease (`lease_until = 0` is "not leased"). */
const UNLEASED = 'lease_owner = NULL, lease_until = 0';

/**
 * Watched status cards. A replica leases due watches for one poll; the lease owner and its end
 * identify the claim, so a poll whose claim was replaced, released or re-claimed changes nothing.
 */
export function createWatchStore(db: SqlDatabase): WatchStore {
  return {
    async saveWatch(w) {
      await db.run(
        run(
          `INSERT INTO watches (id, workspace_id, instance_id, channel, message_ts, thread_ts, requester, last_status, interval_ms, next_poll_at, started_at, deadline, card, lease_owner, lease_until)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0)
           ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id, instance_id = excluded.instance_id, thread_ts = excluded.thread_ts,
             requester = excluded.requester, last_status = excluded.last_status, interval_ms = excluded.interval_ms, next_poll_at = excluded.next_poll_at,
             started_at = excluded.started_at, deadline = excluded.deadline, card = excluded.card, ${UNLEASED}`,
          [w.id, w.workspaceId, w.instanceId, w.channel, w.messageTs, w.threadTs, w.requester ?? null, w.lastStatus, w.intervalMs, w.nextPollAt, w.startedAt, w.deadline, JSON.stringify(w.card)],
        ),
      );
    },

    async claimDueWatches(owner, now, limit, leaseMs) {
      // One statement, atomic on both databases. The CTE is MATERIALIZED so it picks its rows once:
      // an `IN (subquery LIMIT … SKIP LOCKED)` may be re-run per row and ignore the limit.
      const claimed = await db.run(
        rows<WatchRow>(
          `WITH due AS MATERIALIZED (SELECT id FROM watches WHERE next_poll_at <= ? AND lease_until <= ? ORDER BY next_poll_at LIMIT ?${db.skipLocked})
           UPDATE watches SET lease_owner = ?, lease_until = ? WHERE id IN (SELECT id FROM due)
           RETURNING *`,
          [now, now, limit, owner, now + leaseMs],
        ),
      );
      return claimed.map(rowToWatch).sort((a, b) => a.nextPollAt - b.nextPollAt);
    },

    async updateWatch(owner, w) {
      const changed = await db.run(
        run(`UPDATE watches SET last_status = ?, interval_ms = ?, next_poll_at = ?, ${UNLEASED} WHERE id = ? AND lease_owner = ?`, [w.lastStatus, w.intervalMs, w.nextPollAt, w.id, owner]),
      );
      return changed === 1;
    },

    async deleteWatch(id, owner) {
      if (owner === undefined) await db.run(run('DELETE FROM watches WHERE id = ?', [id]));
      else await db.run(run('DELETE FROM watches WHERE id = ? AND lease_owner = ?', [id, owner]));
    },

    async holdsWatch(w, owner) {
      if (w.leaseUntil === undefined) return false;
      return (await db.run(row('SELECT 1 AS held FROM watches WHERE id = ? AND lease_owner = ? AND lease_until = ?', [w.id, owner, w.leaseUntil]))) !== undefined;
    },

    async releaseWatch(id) {
      await db.run(run(`UPDATE watches SET ${UNLEASED} WHERE id = ?`, [id]));
    },

    async releaseWatchLeases(owner) {
      await db.run(run(`UPDATE watches SET ${UNLEASED} WHERE lease_owner = ?`, [owner]));
    },

    async countWatches() {
      return db.run(count('SELECT COUNT(*) FROM watches'));
    },

    async nextWatchDue() {
      return db.run(numberOf(`SELECT MIN(${db.greatest('next_poll_at', 'lease_until')}) FROM watches`));
    },
  };
}
