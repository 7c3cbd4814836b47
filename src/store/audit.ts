import type { SqlDatabase } from './dialect';
import { rowToAudit, type AuditRow } from './rows';
import { rows, run, type Step } from './step';
import type { AuditRecord } from '../core';
import type { AuditQuery, AuditStore } from './types';
import { Where } from './where';

/** The audit trail: appended one row at a time (or with an attempt's resolution, see `attempts.ts`). */
export function createAuditStore(db: SqlDatabase): AuditStore {
  return {
    async appendAudit(record) {
      await db.run(insertAudit(record));
    },

    async listAudit(query) {
      return db.run(listAudit(query));
    },
  };
}

/** Appends one audit row (also part of resolving an attempt, in its transaction). */
export function* insertAudit(r: AuditRecord): Step<void> {
  yield* run(
    `INSERT INTO audit (at, event, operation, instance_id, workspace_id, user_id, channel, outcome, request_id, approval_id, detail, via, workflow_execution_id, function_execution_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      r.at,
      r.event,
      r.operation ?? null,
      r.instance_id ?? null,
      r.workspace_id ?? null,
      r.user,
      r.channel ?? null,
      r.outcome,
      r.request_id ?? null,
      r.approval_id ?? null,
      r.detail ?? null,
      r.via ?? null,
      r.workflow_execution_id ?? null,
      r.function_execution_id ?? null,
    ],
  );
}

function* listAudit(q: AuditQuery): Step<AuditRecord[]> {
  const where = new Where();
  if (q.sinceIso) where.and('at >= ?', q.sinceIso);
  if (q.instanceId) where.and('instance_id = ?', q.instanceId);
  if (q.userId) where.and('user_id = ?', q.userId);
  if (q.functionExecutionId) where.and('function_execution_id = ?', q.functionExecutionId);
  const sql = `SELECT * FROM audit ${where} ORDER BY id ${q.newestFirst ? 'DESC' : ''} LIMIT ?`;
  return (yield* rows<AuditRow>(sql, [...where.args, q.limit ?? 1_000_000])).map(rowToAudit);
}
