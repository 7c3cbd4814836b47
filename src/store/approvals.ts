import type { SqlDialect, SqlDatabase } from './dialect';
import { rowToApproval, type ApprovalRow } from './rows';
import { count, numberOf, row, rows, run, type Step } from './step';
import type { Approval } from '../core';
import type { ApprovalStore, VoteResult } from './types';
import { placeholders, Where } from './where';

type ApprovalQuery = Parameters<ApprovalStore['listApprovals']>[0];
type VoteRow = { approval_id: string; user_id: string; at: number | string };

/**
 * Approval requests. Every state change is a compare-and-set on `state`; a vote runs in one
 * transaction with the approval row locked, so the vote that reaches the count is known exactly.
 */
export function createApprovalStore(db: SqlDatabase): ApprovalStore {
  return {
    async createApproval(a) {
      await db.run(
        run(
          `INSERT INTO approvals (id, team_id, workspace_id, instance_id, instance_name, instance_status, operation, requester, channel, reason, rule, approver_roles, needed, created_at, expires_at, state, message_ts)
           VALUES (${placeholders(17)})`,
          [a.id, a.teamId, a.workspaceId, a.instanceId, a.instanceName ?? null, a.instanceStatus ?? null, a.operation, a.requester, a.channel, a.reason ?? null, a.rule, JSON.stringify(a.approverRoles), a.count, a.createdAt, a.expiresAt, a.state, a.messageTs ?? null],
        ),
      );
    },

    async getApproval(id) {
      return db.run(approvalById(db, id));
    },

    async voteApproval(id, userId, now) {
      return db.transaction(vote(db, id, userId, now));
    },

    async transitionApproval(id, from, to, patch = {}) {
      const changed = await db.run(
        run(
          `UPDATE approvals SET state = ?, decided_by = COALESCE(?, decided_by), decided_at = COALESCE(?, decided_at),
             detail = COALESCE(?, detail), message_ts = COALESCE(?, message_ts) WHERE id = ? AND state = ?`,
          [to, patch.decidedBy ?? null, patch.decidedAt ?? null, patch.detail ?? null, patch.messageTs ?? null, id, from],
        ),
      );
      return changed === 1;
    },

    async setApprovalMessage(id, messageTs) {
      await db.run(run('UPDATE approvals SET message_ts = ? WHERE id = ?', [messageTs, id]));
    },

    async expireDueApprovals(now, limit) {
      return db.run(expireDue(db, now, limit));
    },

    async listApprovals(query) {
      return db.run(listApprovals(query));
    },

    async countApprovals(state) {
      return db.run(count('SELECT COUNT(*) FROM approvals WHERE state = ?', [state]));
    },

    async nextApprovalExpiry() {
      return db.run(numberOf(`SELECT MIN(expires_at) FROM approvals WHERE state = 'pending'`));
    },
  };
}

/**
 * The vote state machine: a vote counts only on a pending, unexpired approval, once per approver,
 * and the vote that reaches the count moves it to `approved`. The approval row is locked for the
 * transaction (PostgreSQL `FOR UPDATE`; SQLite's IMMEDIATE write lock), so no other vote lands
 * between reading the votes and counting this one.
 */
function* vote(d: SqlDialect, id: string, userId: string, now: number): Step<VoteResult> {
  const before = yield* approvalById(d, id, { lock: true });
  if (!before) return { result: 'not_found' };
  if (before.state !== 'pending') return { result: 'closed', approval: before };
  if (before.expiresAt <= now) return { result: 'expired', approval: before };
  const inserted = yield* run('INSERT INTO approval_votes (approval_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [id, userId, now]);
  if (inserted === 0) return { result: 'duplicate', approval: before };
  const reached = before.votes.length + 1 >= before.count;
  if (reached) yield* run(`UPDATE approvals SET state = 'approved', decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending'`, [userId, now, id]);
  return { result: 'counted', approval: (yield* approvalById(d, id))!, reached };
}

function* approvalById(d: SqlDialect, id: string, opts: { lock?: boolean } = {}): Step<Approval | undefined> {
  const found = yield* row<ApprovalRow>(`SELECT * FROM approvals WHERE id = ?${opts.lock ? d.forUpdate : ''}`, [id]);
  return found ? (yield* withVotes([found]))[0] : undefined;
}

/** Moves due pending approvals to `expired` in one statement; concurrent callers each get different ones. */
function* expireDue(d: SqlDialect, now: number, limit: number): Step<Approval[]> {
  const expired = yield* rows<ApprovalRow>(
    `WITH due AS MATERIALIZED (SELECT id FROM approvals WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?${d.skipLocked})
     UPDATE approvals SET state = 'expired', decided_at = ? WHERE id IN (SELECT id FROM due) AND state = 'pending'
     RETURNING *`,
    [now, limit, now],
  );
  return yield* withVotes(expired);
}

function* listApprovals(q: ApprovalQuery): Step<Approval[]> {
  const where = new Where().in('state', q.states);
  if (q.requester) where.and('requester = ?', q.requester);
  if (q.instanceId) where.and('instance_id = ?', q.instanceId);
  return yield* withVotes(yield* rows<ApprovalRow>(`SELECT * FROM approvals ${where} ORDER BY created_at DESC LIMIT ?`, [...where.args, q.limit]));
}

/** Approval rows to records, with the votes of all of them read in one query. */
function* withVotes(approvals: ApprovalRow[]): Step<Approval[]> {
  if (approvals.length === 0) return [];
  const votes = yield* rows<VoteRow>(`SELECT approval_id, user_id, at FROM approval_votes WHERE approval_id IN (${placeholders(approvals.length)}) ORDER BY at, user_id`, approvals.map((a) => a.id));
  return approvals.map((a) => rowToApproval(a, votes.filter((v) => v.approval_id === a.id)));
}
