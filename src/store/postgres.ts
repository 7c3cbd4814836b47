import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { POSTGRES_MIGRATIONS } from './migrations';
import {
  ATTEMPT_INSERT_COLUMNS,
  attemptColumns,
  RATE_HITS_PRUNE_EVERY,
  rowToApproval,
  rowToAttempt,
  rowToAudit,
  rowToCard,
  rowToWatch,
  SEEN_EVENTS_KEEP_MS,
  SEEN_EVENTS_PRUNE_EVERY,
  SMN_MESSAGES_KEEP_MS,
  SMN_MESSAGES_PRUNE_EVERY,
  type ApprovalRow,
  type AttemptRow,
  type AuditRow,
  type CardRow,
  type WatchRow,
} from './rows';
import { instanceKey, type Approval, type ApprovalState, type AuditRecord, type CardRecord, type InstanceRef, type LockHolder, type Watch } from '../core';
import type { AuditQuery, BeginAttemptResult, LockResult, RateSlot, SmnClaim, Store, VoteResult } from './types';

/**
 * The shared store for several replicas. Atomicity comes from PostgreSQL itself: upserts with
 * `ON CONFLICT`, row locks (`FOR UPDATE`, `SKIP LOCKED` for leasing work) and transactions.
 * Migrations run under an advisory lock so replicas starting together do not collide.
 */
export interface PostgresStoreOptions {
  /** A schema of its own (tests); created when missing. */
  schema?: string;
  poolSize?: number;
}

type VoteRow = { user_id: string; at: string };

/** An arbitrary constant: the advisory-lock key that serialises migrations across replicas. */
const MIGRATION_LOCK_KEY = 0x5ec3a57e;

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const schema = opts.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('invalid schema name');
  const pool = new Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A store call should never hang a person's request: bound every statement.
    statement_timeout: 10_000,
    // A schema of its own is set per connection by the server itself, before any query runs.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);

  await withClient(pool, async (c) => {
    if (schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await migrate(c);
  });

  const q = async <R = Record<string, unknown>>(sql: string, args: unknown[] = []) => (await pool.query(sql, args)).rows as R[];

  const approvalWith = async (c: Pick<PoolClient, 'query'>, id: string, lock = false): Promise<Approval | undefined> => {
    const rows = (await c.query(`SELECT * FROM approvals WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows as ApprovalRow[];
    if (rows.length === 0) return undefined;
    const votes = (await c.query('SELECT user_id, at FROM approval_votes WHERE approval_id = $1 ORDER BY at, user_id', [id])).rows;
    return rowToApproval(rows[0]!, votes);
  };

  /** The votes of several approvals in one query, grouped by approval (each group ordered by at, user_id). */
  const votesOf = async (ids: string[]): Promise<Map<string, VoteRow[]>> => {
    const byApproval = new Map<string, VoteRow[]>();
    if (ids.length === 0) return byApproval;
    const rows = await q<VoteRow & { approval_id: string }>('SELECT approval_id, user_id, at FROM approval_votes WHERE approval_id = ANY($1) ORDER BY at, user_id', [ids]);
    for (const { approval_id, ...v } of rows) byApproval.set(approval_id, [...(byApproval.get(approval_id) ?? []), v]);
    return byApproval;
  };

  /** Approval rows to records, loading all their votes in one query rather than one per approval. */
  const withVotes = async (rows: ApprovalRow[]): Promise<Approval[]> => {
    const votes = await votesOf(rows.map((r) => r.id));
    return rows.map((r) => rowToApproval(r, votes.get(r.id) ?? []));
  };

  let seenInserts = 0;
  let rateGrants = 0;
  let smnClaims = 0;

  return {
    kind: 'postgres',

    async appendAudit(r: AuditRecord) {
      await insertAudit(pool, r);
    },

    async listAudit(query: AuditQuery) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (query.sinceIso) {
        args.push(query.sinceIso);
        where.push(`at >= $${args.length}`);
      }
      if (query.instanceId) {
        args.push(query.instanceId);
        where.push(`instance_id = $${args.length}`);
      }
      if (query.userId) {
        args.push(query.userId);
        where.push(`user_id = $${args.length}`);
      }
      args.push(query.limit ?? 1_000_000);
      const rows = await q<AuditRow>(`SELECT * FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id ${query.newestFirst ? 'DESC' : ''} LIMIT $${args.length}`, args);
      return rows.map(rowToAudit);
    },

    async acquireLock(key: InstanceRef, holder: LockHolder, ttlMs: number): Promise<LockResult> {
      const token = randomUUID();
      const k = instanceKey(key);
      const rows = await q<{ token: string }>(
        `INSERT INTO locks (lock_key, token, user_id, operation, acquired_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (lock_key) DO UPDATE SET token = excluded.token, user_id = excluded.user_id, operation = excluded.operation,
           acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
         WHERE locks.expires_at <= excluded.acquired_at
         RETURNING token`,
        [k, token, holder.userId, holder.operation, holder.acquiredAt, holder.acquiredAt + ttlMs],
      );
      if (rows[0]?.token === token) return { acquired: true, token };
      const h = (await q<{ user_id: string; operation: string; acquired_at: string }>('SELECT user_id, operation, acquired_at FROM locks WHERE lock_key = $1', [k]))[0];
      return { acquired: false, holder: { userId: h?.user_id ?? 'someone', operation: h?.operation ?? 'an operation', acquiredAt: h ? Number(h.acquired_at) : holder.acquiredAt } };
    },

    async releaseLock(key, token) {
      await q('DELETE FROM locks WHERE lock_key = $1 AND token = $2', [instanceKey(key), token]);
    },

    async saveWatch(w: Watch) {
      await q(
        `INSERT INTO watches (id, workspace_id, instance_id, channel, message_ts, thread_ts, requester, last_status, interval_ms, next_poll_at, started_at, deadline, card, lease_owner, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, 0)
         ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id, instance_id = excluded.instance_id, thread_ts = excluded.thread_ts,
           requester = excluded.requester, last_status = excluded.last_status, interval_ms = excluded.interval_ms, next_poll_at = excluded.next_poll_at,
           started_at = excluded.started_at, deadline = excluded.deadline, card = excluded.card, lease_owner = NULL, lease_until = 0`,
        [w.id, w.workspaceId, w.instanceId, w.channel, w.messageTs, w.threadTs, w.requester ?? null, w.lastStatus, w.intervalMs, w.nextPollAt, w.startedAt, w.deadline, JSON.stringify(w.card)],
      );
    },

    async claimDueWatches(owner, now, limit, leaseMs) {
      const rows = await q<WatchRow>(
        // The CTE picks the rows once: an IN (subquery LIMIT … SKIP LOCKED) may be re-run per row and ignore the limit.
        `WITH due AS (SELECT id FROM watches WHERE next_poll_at <= $3 AND lease_until <= $3 ORDER BY next_poll_at LIMIT $4 FOR UPDATE SKIP LOCKED)
         UPDATE watches w SET lease_owner = $1, lease_until = $2 FROM due WHERE w.id = due.id
         RETURNING w.*`,
        [owner, now + leaseMs, now, limit],
      );
      return rows.map(rowToWatch).sort((a, b) => a.nextPollAt - b.nextPollAt);
    },

    async updateWatch(owner, w) {
      const res = await pool.query(
        'UPDATE watches SET last_status = $1, interval_ms = $2, next_poll_at = $3, lease_owner = NULL, lease_until = 0 WHERE id = $4 AND lease_owner = $5',
        [w.lastStatus, w.intervalMs, w.nextPollAt, w.id, owner],
      );
      return res.rowCount === 1;
    },

    async deleteWatch(id, owner) {
      if (owner === undefined) await q('DELETE FROM watches WHERE id = $1', [id]);
      else await q('DELETE FROM watches WHERE id = $1 AND lease_owner = $2', [id, owner]);
    },

    async holdsWatch(w, owner) {
      if (w.leaseUntil === undefined) return false;
      return (await q('SELECT 1 AS held FROM watches WHERE id = $1 AND lease_owner = $2 AND lease_until = $3', [w.id, owner, w.leaseUntil])).length === 1;
    },

    async releaseWatch(id) {
      await q('UPDATE watches SET lease_owner = NULL, lease_until = 0 WHERE id = $1', [id]);
    },

    async releaseWatchLeases(owner) {
      await q('UPDATE watches SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = $1', [owner]);
    },

    async countWatches() {
      return Number((await q<{ n: string }>('SELECT COUNT(*) AS n FROM watches'))[0]!.n);
    },

    async nextWatchDue() {
      const t = (await q<{ t: string | null }>('SELECT MIN(GREATEST(next_poll_at, lease_until)) AS t FROM watches'))[0]!.t;
      return t === null ? undefined : Number(t);
    },

    async createApproval(a: Approval) {
      await q(
        `INSERT INTO approvals (id, team_id, workspace_id, instance_id, instance_name, instance_status, operation, requester, channel, reason, rule, approver_roles, needed, created_at, expires_at, state, message_ts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [a.id, a.teamId, a.workspaceId, a.instanceId, a.instanceName ?? null, a.instanceStatus ?? null, a.operation, a.requester, a.channel, a.reason ?? null, a.rule, JSON.stringify(a.approverRoles), a.count, a.createdAt, a.expiresAt, a.state, a.messageTs ?? null],
      );
    },

    async getApproval(id) {
      return approvalWith(pool, id);
    },

    async voteApproval(id, userId, now): Promise<VoteResult> {
      return withTransaction(pool, async (c) => {
        const before = await approvalWith(c, id, true);
        if (!before) return { result: 'not_found' };
        if (before.state !== 'pending') return { result: 'closed', approval: before };
        if (before.expiresAt <= now) return { result: 'expired', approval: before };
        const inserted = await c.query('INSERT INTO approval_votes (approval_id, user_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [id, userId, now]);
        if (inserted.rowCount === 0) return { result: 'duplicate', approval: before };
        const reached = before.votes.length + 1 >= before.count;
        if (reached) await c.query(`UPDATE approvals SET state = 'approved', decided_by = $2, decided_at = $3 WHERE id = $1 AND state = 'pending'`, [id, userId, now]);
        return { result: 'counted', approval: (await approvalWith(c, id))!, reached };
      });
    },

    async transitionApproval(id: string, from: ApprovalState, to: ApprovalState, patch = {}) {
      const res = await pool.query(
        `UPDATE approvals SET state = $3, decided_by = COALESCE($4, decided_by), decided_at = COALESCE($5, decided_at),
           detail = COALESCE($6, detail), message_ts = COALESCE($7, message_ts) WHERE id = $1 AND state = $2`,
        [id, from, to, patch.decidedBy ?? null, patch.decidedAt ?? null, patch.detail ?? null, patch.messageTs ?? null],
      );
      return res.rowCount === 1;
    },

    async setApprovalMessage(id, messageTs) {
      await q('UPDATE approvals SET message_ts = $2 WHERE id = $1', [id, messageTs]);
    },

    async expireDueApprovals(now, limit) {
      const rows = await q<ApprovalRow>(
        `WITH due AS (SELECT id FROM approvals WHERE state = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE approvals a SET state = 'expired', decided_at = $1 FROM due WHERE a.id = due.id AND a.state = 'pending'
         RETURNING a.*`,
        [now, limit],
      );
      return withVotes(rows);
    },

    async listApprovals(query) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (query.states?.length) {
        args.push(query.states);
        where.push(`state = ANY($${args.length})`);
      }
      if (query.requester) {
        args.push(query.requester);
        where.push(`requester = $${args.length}`);
      }
      if (query.instanceId) {
        args.push(query.instanceId);
        where.push(`instance_id = $${args.length}`);
      }
      args.push(query.limit);
      const rows = await q<ApprovalRow>(`SELECT * FROM approvals ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC LIMIT $${args.length}`, args);
      return withVotes(rows);
    },

    async countApprovals(state) {
      return Number((await q<{ n: string }>('SELECT COUNT(*) AS n FROM approvals WHERE state = $1', [state]))[0]!.n);
    },

    async nextApprovalExpiry() {
      const t = (await q<{ t: string | null }>(`SELECT MIN(expires_at) AS t FROM approvals WHERE state = 'pending'`))[0]!.t;
      return t === null ? undefined : Number(t);
    },

    async saveCard(c: CardRecord) {
      await q(
        `INSERT INTO cards (channel, message_ts, workspace_id, instance_id, context, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (channel, message_ts) DO UPDATE SET workspace_id = excluded.workspace_id, instance_id = excluded.instance_id, context = excluded.context`,
        [c.channel, c.messageTs, c.workspaceId, c.instanceId, JSON.stringify(c.context), c.createdAt],
      );
    },

    async getCard(channel, messageTs) {
      const rows = await q<CardRow>('SELECT * FROM cards WHERE channel = $1 AND message_ts = $2', [channel, messageTs]);
      return rows[0] ? rowToCard(rows[0]) : undefined;
    },

    async markSeen(key, now) {
      const res = await pool.query('INSERT INTO seen_events (event_key, at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [key, now]);
      if (++seenInserts % SEEN_EVENTS_PRUNE_EVERY === 0) await q('DELETE FROM seen_events WHERE at < $1', [now - SEEN_EVENTS_KEEP_MS]);
      return res.rowCount === 1;
    },

    async takeRateSlot(key, now, windowMs, limit) {
      // The advisory lock serialises the count-then-insert for one key across every replica;
      // it is released with the transaction.
      const slot = await withTransaction(pool, async (c): Promise<RateSlot> => {
        await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`rate:${key}`]);
        await c.query('DELETE FROM rate_hits WHERE rate_key = $1 AND at <= $2', [key, now - windowMs]);
        const inWindow = (await c.query<{ n: string; oldest: string | null }>('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM rate_hits WHERE rate_key = $1', [key])).rows[0]!;
        if (Number(inWindow.n) >= limit) return { granted: false, freeAt: Number(inWindow.oldest) + windowMs };
        await c.query('INSERT INTO rate_hits (rate_key, at) VALUES ($1, $2)', [key, now]);
        return { granted: true };
      });
      if (slot.granted && ++rateGrants % RATE_HITS_PRUNE_EVERY === 0) await q('DELETE FROM rate_hits WHERE at <= $1', [now - windowMs]);
      return slot;
    },

    async beginAttempt(a, fence): Promise<BeginAttemptResult> {
      const k = instanceKey(a);
      return withTransaction(pool, async (c) => {
        // The lock row stays locked until COMMIT: no take-over can slip between the check and the insert.
        const lock = (await c.query<{ token: string; user_id: string; operation: string; acquired_at: string; expires_at: string }>('SELECT * FROM locks WHERE lock_key = $1 FOR UPDATE', [k])).rows[0];
        if (!lock || lock.token !== a.lockToken || Number(lock.expires_at) <= fence.now) {
          const live = lock && Number(lock.expires_at) > fence.now;
          return { begun: false, reason: 'lock_lost', ...(live ? { holder: { userId: lock.user_id, operation: lock.operation, acquiredAt: Number(lock.acquired_at) } } : {}) };
        }
        const open = (await c.query<{ requester: string; operation: string; created_at: string }>('SELECT requester, operation, created_at FROM attempts WHERE lock_key = $1 AND resolved_at IS NULL', [k])).rows[0];
        if (open) return { begun: false, reason: 'attempt_open', holder: { userId: open.requester, operation: open.operation, acquiredAt: Number(open.created_at) } };
        await c.query('UPDATE locks SET expires_at = GREATEST(expires_at, $1) WHERE lock_key = $2 AND token = $3', [fence.now + fence.lockTtlMs, k, a.lockToken]);
        await c.query(`INSERT INTO attempts (${ATTEMPT_INSERT_COLUMNS}) VALUES (${attemptColumns(a).map((_, i) => `$${i + 1}`).join(', ')})`, attemptColumns(a));
        return { begun: true };
      });
    },

    async renewAttempt(id, owner, leaseUntil) {
      return (await pool.query('UPDATE attempts SET lease_until = $1 WHERE id = $2 AND owner = $3 AND resolved_at IS NULL', [leaseUntil, id, owner])).rowCount === 1;
    },

    async resolveAttempt(id, r) {
      return withTransaction(pool, async (c) => {
        const closed = await c.query<{ approval_id: string | null }>(
          'UPDATE attempts SET resolved_at = $1, outcome = $2 WHERE id = $3 AND owner = $4 AND resolved_at IS NULL RETURNING approval_id',
          [Date.parse(r.audit.at), r.audit.outcome, id, r.owner],
        );
        if (closed.rowCount !== 1) return false;
        await insertAudit(c, r.audit);
        const approvalId = closed.rows[0]!.approval_id;
        if (approvalId && r.approvalState) {
          await c.query(`UPDATE approvals SET state = $1, detail = COALESCE($2, detail) WHERE id = $3 AND state = 'approved'`, [r.approvalState, r.approvalDetail ?? null, approvalId]);
        }
        return true;
      });
    },

    async claimOrphanedAttempts(owner, now, leaseMs, limit) {
      const rows = await q<AttemptRow>(
        `WITH due AS (SELECT id FROM attempts WHERE resolved_at IS NULL AND lease_until <= $3 ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
         UPDATE attempts a SET owner = $1, lease_until = $2 FROM due WHERE a.id = due.id
         RETURNING a.*`,
        [owner, now + leaseMs, now, limit],
      );
      return rows.map(rowToAttempt).sort((x, y) => x.createdAt - y.createdAt);
    },

    async countOpenAttempts() {
      return Number((await q<{ n: string }>('SELECT COUNT(*) AS n FROM attempts WHERE resolved_at IS NULL'))[0]!.n);
    },

    async claimSmnMessage(messageId, info, now, leaseMs): Promise<SmnClaim> {
      if (++smnClaims % SMN_MESSAGES_PRUNE_EVERY === 0) await q('DELETE FROM smn_messages WHERE received_at < $1', [now - SMN_MESSAGES_KEEP_MS]);
      const token = randomUUID();
      // One statement: the insert, or the take-over of a claim whose lease ran out, is atomic across replicas.
      const rows = await q<{ token: string }>(
        `INSERT INTO smn_messages (message_id, topic_urn, type, state, token, claimed_until, received_at) VALUES ($1, $2, $3, 'claimed', $4, $5, $6)
         ON CONFLICT (message_id) DO UPDATE SET token = excluded.token, claimed_until = excluded.claimed_until
         WHERE smn_messages.state = 'claimed' AND smn_messages.claimed_until <= excluded.received_at
         RETURNING token`,
        [messageId, info.topicUrn, info.type, token, now + leaseMs, now],
      );
      if (rows[0]?.token === token) return { result: 'claimed', token };
      const state = (await q<{ state: string }>('SELECT state FROM smn_messages WHERE message_id = $1', [messageId]))[0]?.state;
      return state === 'done' ? { result: 'done' } : { result: 'busy' };
    },

    async finishSmnMessage(messageId, token, now, detail) {
      const res = await pool.query(`UPDATE smn_messages SET state = 'done', done_at = $1, detail = $2 WHERE message_id = $3 AND token = $4 AND state = 'claimed'`, [
        now,
        detail ?? null,
        messageId,
        token,
      ]);
      return res.rowCount === 1;
    },

    async releaseSmnMessage(messageId, token) {
      await q(`DELETE FROM smn_messages WHERE message_id = $1 AND token = $2 AND state = 'claimed'`, [messageId, token]);
    },

    async ping() {
      await q('SELECT 1');
    },

    async close() {
      await pool.end();
    },
  };
}

async function insertAudit(c: Pick<Pool, 'query'> | PoolClient, r: AuditRecord): Promise<void> {
  await c.query(
    `INSERT INTO audit (at, event, operation, instance_id, workspace_id, user_id, channel, outcome, request_id, approval_id, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [r.at, r.event, r.operation ?? null, r.instance_id ?? null, r.workspace_id ?? null, r.user, r.channel ?? null, r.outcome, r.request_id ?? null, r.approval_id ?? null, r.detail ?? null],
  );
}

async function withClient<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    return await fn(c);
  } finally {
    c.release();
  }
}

async function withTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (c) => {
    await c.query('BEGIN');
    try {
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

async function migrate(c: PoolClient): Promise<void> {
  await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set((await c.query('SELECT version FROM schema_migrations')).rows.map((r: { version: number }) => r.version));
    for (const m of POSTGRES_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await c.query('BEGIN');
      try {
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, new Date().toISOString()]);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}
