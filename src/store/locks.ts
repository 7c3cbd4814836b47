import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from './dialect';
import { row, run, type Step } from './step';
import { instanceKey, type InstanceRef, type LockHolder } from '../core';
import type { LockResult, LockStore } from './types';

/**
 * Per-instance operation locks: one row per instance, taken with a fresh token by one upsert that
 * only overwrites an expired row, so the take-over of an expired lock is atomic on its own.
 */
export function createLockStore(db: SqlDatabase): LockStore {
  return {
    async acquireLock(key, holder, ttlMs) {
      return db.run(acquireLock(key, holder, ttlMs));
    },

    async releaseLock(key, token) {
      await db.run(run('DELETE FROM locks WHERE lock_key = ? AND token = ?', [instanceKey(key), token]));
    },
  };
}

function* acquireLock(key: InstanceRef, holder: LockHolder, ttlMs: number): Step<LockResult> {
  const token = randomUUID();
  const k = instanceKey(key);
  const taken = yield* row<{ token: string }>(
    `INSERT INTO locks (lock_key, token, user_id, operation, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (lock_key) DO UPDATE SET token = excluded.token, user_id = excluded.user_id, operation = excluded.operation,
       acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
     WHERE locks.expires_at <= excluded.acquired_at
     RETURNING token`,
    [k, token, holder.userId, holder.operation, holder.acquiredAt, holder.acquiredAt + ttlMs],
  );
  if (taken?.token === token) return { acquired: true, token };
  // The holder may have released it between the two statements: say so vaguely rather than fail.
  const h = yield* row<{ user_id: string; operation: string; acquired_at: number | string }>('SELECT user_id, operation, acquired_at FROM locks WHERE lock_key = ?', [k]);
  return { acquired: false, holder: { userId: h?.user_id ?? 'someone', operation: h?.operation ?? 'an operation', acquiredAt: h ? Number(h.acquired_at) : holder.acquiredAt } };
}
