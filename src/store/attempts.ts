import { insertAudit } from './audit';
import type { SqlDialect, SqlDatabase } from './dialect';
import { instanceKey, type Attempt } from '../core';
import { ATTEMPT_INSERT_COLUMNS, attemptColumns, rowToAttempt, type AttemptRow } from './rows';
import { count, row, rows, run, type Step } from './step';
import type { AttemptResolution, AttemptStore, BeginAttemptResult } from './types';
import { placeholders } from './where';

type LockRow = { token: string; user_id: string; operation: string; acquired_at: number | string; expires_at: number | string };

/**
 * Operation attempts: written, under the instance lock, before the POST they stand for, and
 * resolved with their audit row. The partial unique index `attempts_one_open` backs the rule "one
 * open attempt per instance" whatever the replicas do.
 */
export function createAttemptStore(db: SqlDatabase): AttemptStore {
  return {
    async beginAttempt(attempt, fence) {
      return db.transaction(beginAttempt(db, attempt, fence.now, fence.lockTtlMs));
    },

    async renewAttempt(id, owner, leaseUntil) {
      return (await db.run(run('UPDATE attempts SET lease_until = ? WHERE id = ? AND owner = ? AND resolved_at IS NULL', [leaseUntil, id, owner]))) === 1;
    },

    async resolveAttempt(id, resolution) {
      return db.transaction(resolveAttempt(id, resolution));
    },

    async claimOrphanedAttempts(owner, now, leaseMs, limit) {
      // One statement, atomic on both databases (see `claimDueWatches`).
      const claimed = await db.run(
        rows<AttemptRow>(
          `WITH due AS MATERIALIZED (SELECT id FROM attempts WHERE resolved_at IS NULL AND lease_until <= ? ORDER BY created_at LIMIT ?${db.skipLocked})
           UPDATE attempts SET owner = ?, lease_until = ? WHERE id IN (SELECT id FROM due)
           RETURNING *`,
          [now, limit, owner, now + leaseMs],
        ),
      );
      return claimed.map(rowToAttempt).sort((x, y) => x.createdAt - y.createdAt);
    },

    async countOpenAttempts() {
      return db.run(count('SELECT COUNT(*) FROM attempts WHERE resolved_at IS NULL'));
    },
  };
}

/**
 * The fence: the lock row stays locked until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite's
 * IMMEDIATE write lock), so no take-over can slip between checking the token and storing the attempt.
 */
function* beginAttempt(d: SqlDialect, a: Attempt, now: number, lockTtlMs: number): Step<BeginAttemptResult> {
  const k = instanceKey(a);
  const lock = yield* row<LockRow>(`SELECT token, user_id, operation, acquired_at, expires_at FROM locks WHERE lock_key = ?${d.forUpdate}`, [k]);
  if (!lock || lock.token !== a.lockToken || Number(lock.expires_at) <= now) {
    const live = lock && Number(lock.expires_at) > now;
    return { begun: false, reason: 'lock_lost', ...(live ? { holder: { userId: lock.user_id, operation: lock.operation, acquiredAt: Number(lock.acquired_at) } } : {}) };
  }
  const open = yield* row<{ requester: string; operation: string; created_at: number | string }>('SELECT requester, operation, created_at FROM attempts WHERE lock_key = ? AND resolved_at IS NULL', [k]);
  if (open) return { begun: false, reason: 'attempt_open', holder: { userId: open.requester, operation: open.operation, acquiredAt: Number(open.created_at) } };
  yield* run(`UPDATE locks SET expires_at = ${d.greatest('expires_at', '?')} WHERE lock_key = ? AND token = ?`, [now + lockTtlMs, k, a.lockToken]);
  const columns = attemptColumns(a);
  yield* run(`INSERT INTO attempts (${ATTEMPT_INSERT_COLUMNS}) VALUES (${placeholders(columns.length)})`, columns);
  return { begun: true };
}

/** Closes the attempt, appends its audit row and settles its approval, all or nothing. */
function* resolveAttempt(id: string, r: AttemptResolution): Step<boolean> {
  const closed = yield* row<{ approval_id: string | null }>('UPDATE attempts SET resolved_at = ?, outcome = ? WHERE id = ? AND owner = ? AND resolved_at IS NULL RETURNING approval_id', [
    Date.parse(r.audit.at),
    r.audit.outcome,
    id,
    r.owner,
  ]);
  if (!closed) return false;
  yield* insertAudit(r.audit);
  if (closed.approval_id && r.approvalState) {
    yield* run(`UPDATE approvals SET state = ?, detail = COALESCE(?, detail) WHERE id = ? AND state = 'approved'`, [r.approvalState, r.approvalDetail ?? null, closed.approval_id]);
  }
  return true;
}
