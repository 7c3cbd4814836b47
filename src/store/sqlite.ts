import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './migrations';
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
import { instanceKey, type Approval, type ApprovalState, type Attempt, type AuditRecord, type CardRecord, type InstanceRef, type LockHolder, type Watch } from '../core';
import type { AttemptResolution, AuditQuery, BeginAttemptResult, LockResult, RateSlot, SmnClaim, Store, VoteResult } from './types';

/**
 * The embedded store: one SQLite file in WAL mode. Statements are prepared once; check-then-act
 * steps run in `BEGIN IMMEDIATE` transactions, which also makes them safe when a second process
 * (a restarted bot, the audit export) opens the same file.
 */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);

  const s = {
    insertAudit: db.prepare(
      `INSERT INTO audit (at, event, operation, instance_id, workspace_id, user_id, channel, outcome, request_id, approval_id, detail)
       VALUES (@at, @event, @operation, @instance_id, @workspace_id, @user, @channel, @outcome, @request_id, @approval_id, @detail)`,
    ),
    takeLock: db.prepare(
      `INSERT INTO locks (lock_key, token, user_id, operation, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (lock_key) DO UPDATE SET token = excluded.token, user_id = excluded.user_id, operation = excluded.operation,
         acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
       WHERE locks.expires_at <= excluded.acquired_at
       RETURNING token`,
    ),
    lockHolder: db.prepare('SELECT user_id, operation, acquired_at FROM locks WHERE lock_key = ?'),
    releaseLock: db.prepare('DELETE FROM locks WHERE lock_key = ? AND token = ?'),
    saveWatch: db.prepare(
      `INSERT INTO watches (id, workspace_id, instance_id, channel, message_ts, thread_ts, requester, last_status, interval_ms, next_poll_at, started_at, deadline, card, lease_owner, lease_until)
       VALUES (@id, @workspace_id, @instance_id, @channel, @message_ts, @thread_ts, @requester, @last_status, @interval_ms, @next_poll_at, @started_at, @deadline, @card, NULL, 0)
       ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id, instance_id = excluded.instance_id, thread_ts = excluded.thread_ts,
         requester = excluded.requester, last_status = excluded.last_status, interval_ms = excluded.interval_ms, next_poll_at = excluded.next_poll_at,
         started_at = excluded.started_at, deadline = excluded.deadline, card = excluded.card, lease_owner = NULL, lease_until = 0`,
    ),
    dueWatches: db.prepare('SELECT * FROM watches WHERE next_poll_at <= ? AND lease_until <= ? ORDER BY next_poll_at LIMIT ?'),
    leaseWatch: db.prepare('UPDATE watches SET lease_owner = ?, lease_until = ? WHERE id = ?'),
    updateWatch: db.prepare(
      'UPDATE watches SET last_status = ?, interval_ms = ?, next_poll_at = ?, lease_owner = NULL, lease_until = 0 WHERE id = ? AND lease_owner = ?',
    ),
    deleteWatch: db.prepare('DELETE FROM watches WHERE id = ?'),
    deleteLeasedWatch: db.prepare('DELETE FROM watches WHERE id = ? AND lease_owner = ?'),
    releaseLeases: db.prepare('UPDATE watches SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = ?'),
    releaseWatch: db.prepare('UPDATE watches SET lease_owner = NULL, lease_until = 0 WHERE id = ?'),
    holdsWatch: db.prepare('SELECT 1 AS held FROM watches WHERE id = ? AND lease_owner = ? AND lease_until = ?'),
    countWatches: db.prepare('SELECT COUNT(*) AS n FROM watches'),
    nextWatchDue: db.prepare('SELECT MIN(MAX(next_poll_at, lease_until)) AS t FROM watches'),
    insertApproval: db.prepare(
      `INSERT INTO approvals (id, team_id, workspace_id, instance_id, instance_name, instance_status, operation, requester, channel, reason, rule, approver_roles, needed, created_at, expires_at, state, message_ts)
       VALUES (@id, @teamId, @workspaceId, @instanceId, @instanceName, @instanceStatus, @operation, @requester, @channel, @reason, @rule, @approverRoles, @count, @createdAt, @expiresAt, @state, @messageTs)`,
    ),
    getApproval: db.prepare('SELECT * FROM approvals WHERE id = ?'),
    votesOf: db.prepare('SELECT user_id, at FROM approval_votes WHERE approval_id = ? ORDER BY at, user_id'),
    insertVote: db.prepare('INSERT INTO approval_votes (approval_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    transition: db.prepare(
      `UPDATE approvals SET state = @to, decided_by = COALESCE(@decidedBy, decided_by), decided_at = COALESCE(@decidedAt, decided_at),
         detail = COALESCE(@detail, detail), message_ts = COALESCE(@messageTs, message_ts) WHERE id = @id AND state = @from`,
    ),
    setMessage: db.prepare('UPDATE approvals SET message_ts = ? WHERE id = ?'),
    expireDue: db.prepare(
      `UPDATE approvals SET state = 'expired', decided_at = ? WHERE id IN (SELECT id FROM approvals WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?) AND state = 'pending' RETURNING id`,
    ),
    nextExpiry: db.prepare(`SELECT MIN(expires_at) AS t FROM approvals WHERE state = 'pending'`),
    countApprovals: db.prepare('SELECT COUNT(*) AS n FROM approvals WHERE state = ?'),
    markSeen: db.prepare('INSERT INTO seen_events (event_key, at) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    pruneSeen: db.prepare('DELETE FROM seen_events WHERE at < ?'),
    dropRateHitsOfKey: db.prepare('DELETE FROM rate_hits WHERE rate_key = ? AND at <= ?'),
    countRateHits: db.prepare('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM rate_hits WHERE rate_key = ?'),
    addRateHit: db.prepare('INSERT INTO rate_hits (rate_key, at) VALUES (?, ?)'),
    pruneRateHits: db.prepare('DELETE FROM rate_hits WHERE at <= ?'),
    saveCard: db.prepare(
      `INSERT INTO cards (channel, message_ts, workspace_id, instance_id, context, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (channel, message_ts) DO UPDATE SET workspace_id = excluded.workspace_id, instance_id = excluded.instance_id, context = excluded.context`,
    ),
    getCard: db.prepare('SELECT * FROM cards WHERE channel = ? AND message_ts = ?'),
    lockRow: db.prepare('SELECT token, user_id, operation, acquired_at, expires_at FROM locks WHERE lock_key = ?'),
    extendLock: db.prepare('UPDATE locks SET expires_at = MAX(expires_at, ?) WHERE lock_key = ? AND token = ?'),
    openAttemptOn: db.prepare('SELECT requester, operation, created_at FROM attempts WHERE lock_key = ? AND resolved_at IS NULL'),
    insertAttempt: db.prepare(`INSERT INTO attempts (${ATTEMPT_INSERT_COLUMNS}) VALUES (${Array(15).fill('?').join(', ')})`),
    renewAttempt: db.prepare('UPDATE attempts SET lease_until = ? WHERE id = ? AND owner = ? AND resolved_at IS NULL'),
    closeAttempt: db.prepare('UPDATE attempts SET resolved_at = ?, outcome = ? WHERE id = ? AND owner = ? AND resolved_at IS NULL'),
    approvalOfAttempt: db.prepare('SELECT approval_id FROM attempts WHERE id = ?'),
    settleApproval: db.prepare(`UPDATE approvals SET state = ?, detail = COALESCE(?, detail) WHERE id = ? AND state = 'approved'`),
    orphanedAttempts: db.prepare('SELECT * FROM attempts WHERE resolved_at IS NULL AND lease_until <= ? ORDER BY created_at LIMIT ?'),
    leaseAttempt: db.prepare('UPDATE attempts SET owner = ?, lease_until = ? WHERE id = ? AND resolved_at IS NULL'),
    countOpenAttempts: db.prepare('SELECT COUNT(*) AS n FROM attempts WHERE resolved_at IS NULL'),
    claimSmn: db.prepare(
      `INSERT INTO smn_messages (message_id, topic_urn, type, state, token, claimed_until, received_at) VALUES (?, ?, ?, 'claimed', ?, ?, ?)
       ON CONFLICT (message_id) DO UPDATE SET token = excluded.token, claimed_until = excluded.claimed_until
       WHERE smn_messages.state = 'claimed' AND smn_messages.claimed_until <= excluded.received_at
       RETURNING token`,
    ),
    smnState: db.prepare('SELECT state FROM smn_messages WHERE message_id = ?'),
    finishSmn: db.prepare(`UPDATE smn_messages SET state = 'done', done_at = ?, detail = ? WHERE message_id = ? AND token = ? AND state = 'claimed'`),
    releaseSmn: db.prepare(`DELETE FROM smn_messages WHERE message_id = ? AND token = ? AND state = 'claimed'`),
    pruneSmn: db.prepare('DELETE FROM smn_messages WHERE received_at < ?'),
    ping: db.prepare('SELECT 1 AS ok'),
  };

  const approvalById = (id: string): Approval | undefined => {
    const row = s.getApproval.get(id) as ApprovalRow | undefined;
    return row ? rowToApproval(row, s.votesOf.all(id) as Array<{ user_id: string; at: number }>) : undefined;
  };

  const claim = db.transaction((owner: string, now: number, limit: number, leaseMs: number) => {
    const rows = s.dueWatches.all(now, now, limit) as WatchRow[];
    for (const r of rows) s.leaseWatch.run(owner, now + leaseMs, r.id);
    return rows.map((r) => rowToWatch({ ...r, lease_until: now + leaseMs }));
  });

  const vote = db.transaction((id: string, userId: string, now: number): VoteResult => {
    const before = approvalById(id);
    if (!before) return { result: 'not_found' };
    if (before.state !== 'pending') return { result: 'closed', approval: before };
    if (before.expiresAt <= now) return { result: 'expired', approval: before };
    if (s.insertVote.run(id, userId, now).changes === 0) return { result: 'duplicate', approval: before };
    // The transaction is IMMEDIATE, so no other vote landed since `before` was read: one more than it holds.
    const reached = before.votes.length + 1 >= before.count;
    if (reached) s.transition.run({ id, from: 'pending', to: 'approved', decidedBy: userId, decidedAt: now, detail: null, messageTs: null });
    return { result: 'counted', approval: approvalById(id)!, reached };
  });

  const takeRateSlot = db.transaction((key: string, now: number, windowMs: number, limit: number): RateSlot => {
    s.dropRateHitsOfKey.run(key, now - windowMs);
    const inWindow = s.countRateHits.get(key) as { n: number; oldest: number | null };
    if (inWindow.n >= limit) return { granted: false, freeAt: inWindow.oldest! + windowMs };
    s.addRateHit.run(key, now);
    return { granted: true };
  });

  const beginAttempt = db.transaction((a: Attempt, now: number, lockTtlMs: number): BeginAttemptResult => {
    const k = instanceKey(a);
    const lock = s.lockRow.get(k) as { token: string; user_id: string; operation: string; acquired_at: number; expires_at: number } | undefined;
    if (!lock || lock.token !== a.lockToken || lock.expires_at <= now) {
      const holder = lock && lock.expires_at > now ? { userId: lock.user_id, operation: lock.operation, acquiredAt: lock.acquired_at } : undefined;
      return { begun: false, reason: 'lock_lost', ...(holder ? { holder } : {}) };
    }
    const open = s.openAttemptOn.get(k) as { requester: string; operation: string; created_at: number } | undefined;
    if (open) return { begun: false, reason: 'attempt_open', holder: { userId: open.requester, operation: open.operation, acquiredAt: open.created_at } };
    s.extendLock.run(now + lockTtlMs, k, a.lockToken);
    s.insertAttempt.run(...attemptColumns(a));
    return { begun: true };
  });

  const resolveAttempt = db.transaction((id: string, r: AttemptResolution): boolean => {
    if (s.closeAttempt.run(Date.parse(r.audit.at), r.audit.outcome, id, r.owner).changes !== 1) return false;
    s.insertAudit.run(auditParams(r.audit));
    const approvalId = (s.approvalOfAttempt.get(id) as { approval_id: string | null }).approval_id;
    if (approvalId && r.approvalState) s.settleApproval.run(r.approvalState, r.approvalDetail ?? null, approvalId);
    return true;
  });

  const claimAttempts = db.transaction((owner: string, now: number, leaseMs: number, limit: number): Attempt[] => {
    const rows = s.orphanedAttempts.all(now, limit) as AttemptRow[];
    for (const r of rows) s.leaseAttempt.run(owner, now + leaseMs, r.id);
    return rows.map((r) => rowToAttempt({ ...r, owner, lease_until: now + leaseMs }));
  });

  let seenInserts = 0;
  let rateGrants = 0;
  let smnClaims = 0;

  return {
    kind: 'sqlite',

    async appendAudit(r: AuditRecord) {
      s.insertAudit.run(auditParams(r));
    },

    async listAudit(q: AuditQuery) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.sinceIso) {
        where.push('at >= ?');
        args.push(q.sinceIso);
      }
      if (q.instanceId) {
        where.push('instance_id = ?');
        args.push(q.instanceId);
      }
      if (q.userId) {
        where.push('user_id = ?');
        args.push(q.userId);
      }
      const sql = `SELECT * FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id ${q.newestFirst ? 'DESC' : ''} LIMIT ?`;
      return (db.prepare(sql).all(...args, q.limit ?? 1_000_000) as AuditRow[]).map(rowToAudit);
    },

    async acquireLock(key: InstanceRef, holder: LockHolder, ttlMs: number): Promise<LockResult> {
      const token = randomUUID();
      const k = instanceKey(key);
      const row = s.takeLock.get(k, token, holder.userId, holder.operation, holder.acquiredAt, holder.acquiredAt + ttlMs) as { token: string } | undefined;
      if (row?.token === token) return { acquired: true, token };
      const h = s.lockHolder.get(k) as { user_id: string; operation: string; acquired_at: number } | undefined;
      return { acquired: false, holder: { userId: h?.user_id ?? 'someone', operation: h?.operation ?? 'an operation', acquiredAt: h?.acquired_at ?? holder.acquiredAt } };
    },

    async releaseLock(key, token) {
      s.releaseLock.run(instanceKey(key), token);
    },

    async saveWatch(w: Watch) {
      s.saveWatch.run({
        id: w.id,
        workspace_id: w.workspaceId,
        instance_id: w.instanceId,
        channel: w.channel,
        message_ts: w.messageTs,
        thread_ts: w.threadTs,
        requester: w.requester ?? null,
        last_status: w.lastStatus,
        interval_ms: w.intervalMs,
        next_poll_at: w.nextPollAt,
        started_at: w.startedAt,
        deadline: w.deadline,
        card: JSON.stringify(w.card),
      });
    },

    async claimDueWatches(owner, now, limit, leaseMs) {
      return claim.immediate(owner, now, limit, leaseMs);
    },

    async updateWatch(owner, w) {
      return s.updateWatch.run(w.lastStatus, w.intervalMs, w.nextPollAt, w.id, owner).changes === 1;
    },

    async deleteWatch(id, owner) {
      if (owner === undefined) s.deleteWatch.run(id);
      else s.deleteLeasedWatch.run(id, owner);
    },

    async holdsWatch(w, owner) {
      return w.leaseUntil !== undefined && s.holdsWatch.get(w.id, owner, w.leaseUntil) !== undefined;
    },

    async releaseWatch(id) {
      s.releaseWatch.run(id);
    },

    async releaseWatchLeases(owner) {
      s.releaseLeases.run(owner);
    },

    async countWatches() {
      return (s.countWatches.get() as { n: number }).n;
    },

    async nextWatchDue() {
      return (s.nextWatchDue.get() as { t: number | null }).t ?? undefined;
    },

    async createApproval(a: Approval) {
      s.insertApproval.run({
        ...a,
        instanceName: a.instanceName ?? null,
        instanceStatus: a.instanceStatus ?? null,
        reason: a.reason ?? null,
        approverRoles: JSON.stringify(a.approverRoles),
        messageTs: a.messageTs ?? null,
      });
    },

    async getApproval(id) {
      return approvalById(id);
    },

    async voteApproval(id, userId, now) {
      return vote.immediate(id, userId, now);
    },

    async transitionApproval(id: string, from: ApprovalState, to: ApprovalState, patch = {}) {
      return (
        s.transition.run({
          id,
          from,
          to,
          decidedBy: patch.decidedBy ?? null,
          decidedAt: patch.decidedAt ?? null,
          detail: patch.detail ?? null,
          messageTs: patch.messageTs ?? null,
        }).changes === 1
      );
    },

    async setApprovalMessage(id, messageTs) {
      s.setMessage.run(messageTs, id);
    },

    async expireDueApprovals(now, limit) {
      const ids = s.expireDue.all(now, now, limit) as Array<{ id: string }>;
      return ids.map((r) => approvalById(r.id)!).filter(Boolean);
    },

    async listApprovals(q) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.states?.length) {
        where.push(`state IN (${q.states.map(() => '?').join(', ')})`);
        args.push(...q.states);
      }
      if (q.requester) {
        where.push('requester = ?');
        args.push(q.requester);
      }
      if (q.instanceId) {
        where.push('instance_id = ?');
        args.push(q.instanceId);
      }
      const sql = `SELECT * FROM approvals ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC LIMIT ?`;
      const rows = db.prepare(sql).all(...args, q.limit) as ApprovalRow[];
      return rows.map((r) => rowToApproval(r, s.votesOf.all(r.id) as Array<{ user_id: string; at: number }>));
    },

    async countApprovals(state) {
      return (s.countApprovals.get(state) as { n: number }).n;
    },

    async nextApprovalExpiry() {
      return (s.nextExpiry.get() as { t: number | null }).t ?? undefined;
    },

    async saveCard(c: CardRecord) {
      s.saveCard.run(c.channel, c.messageTs, c.workspaceId, c.instanceId, JSON.stringify(c.context), c.createdAt);
    },

    async getCard(channel, messageTs) {
      const row = s.getCard.get(channel, messageTs) as CardRow | undefined;
      return row ? rowToCard(row) : undefined;
    },

    async markSeen(key, now) {
      const first = s.markSeen.run(key, now).changes === 1;
      if (++seenInserts % SEEN_EVENTS_PRUNE_EVERY === 0) s.pruneSeen.run(now - SEEN_EVENTS_KEEP_MS);
      return first;
    },

    async takeRateSlot(key, now, windowMs, limit) {
      const slot = takeRateSlot.immediate(key, now, windowMs, limit);
      if (slot.granted && ++rateGrants % RATE_HITS_PRUNE_EVERY === 0) s.pruneRateHits.run(now - windowMs);
      return slot;
    },

    async beginAttempt(a, fence) {
      return beginAttempt.immediate(a, fence.now, fence.lockTtlMs);
    },

    async renewAttempt(id, owner, leaseUntil) {
      return s.renewAttempt.run(leaseUntil, id, owner).changes === 1;
    },

    async resolveAttempt(id, resolution) {
      return resolveAttempt.immediate(id, resolution);
    },

    async claimOrphanedAttempts(owner, now, leaseMs, limit) {
      return claimAttempts.immediate(owner, now, leaseMs, limit);
    },

    async countOpenAttempts() {
      return (s.countOpenAttempts.get() as { n: number }).n;
    },

    async claimSmnMessage(messageId, info, now, leaseMs): Promise<SmnClaim> {
      if (++smnClaims % SMN_MESSAGES_PRUNE_EVERY === 0) s.pruneSmn.run(now - SMN_MESSAGES_KEEP_MS);
      const token = randomUUID();
      const row = s.claimSmn.get(messageId, info.topicUrn, info.type, token, now + leaseMs, now) as { token: string } | undefined;
      if (row?.token === token) return { result: 'claimed', token };
      const state = (s.smnState.get(messageId) as { state: string } | undefined)?.state;
      return state === 'done' ? { result: 'done' } : { result: 'busy' };
    },

    async finishSmnMessage(messageId, token, now, detail) {
      return s.finishSmn.run(now, detail ?? null, messageId, token).changes === 1;
    },

    async releaseSmnMessage(messageId, token) {
      s.releaseSmn.run(messageId, token);
    },

    async ping() {
      s.ping.get();
    },

    async close() {
      if (db.open) db.close();
    },
  };
}

function auditParams(r: AuditRecord) {
  return {
    at: r.at,
    event: r.event,
    operation: r.operation ?? null,
    instance_id: r.instance_id ?? null,
    workspace_id: r.workspace_id ?? null,
    user: r.user,
    channel: r.channel ?? null,
    outcome: r.outcome,
    request_id: r.request_id ?? null,
    approval_id: r.approval_id ?? null,
    detail: r.detail ?? null,
  };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const apply = db.transaction(() => {
    const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
    for (const m of SQLITE_MIGRATIONS) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
    }
  });
  apply.immediate();
}
