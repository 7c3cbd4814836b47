import type { Logger } from '../log';
import type { AuditRecord } from '../core';
import type { Store } from '../store/types';

/**
 * Every decision, stored and written as one audit line:
 * `{"message":"audit","audit":{event, operation, instance_id, workspace_id, user, channel, outcome, request_id, at}}`.
 * The log line is written even when the database cannot be reached, so nothing goes unrecorded.
 */
export interface AuditTrail {
  record(entry: Omit<AuditRecord, 'at'> & { at?: string }): Promise<void>;
  /**
   * Records an entry whose row `commit` stores together with other changes in one transaction (an
   * attempt's resolution): the line is written when `commit` stored it, or when the store failed (so
   * nothing goes unrecorded), and not when `commit` says another caller already recorded it.
   */
  recordWith(entry: Omit<AuditRecord, 'at'> & { at?: string }, commit: (record: AuditRecord) => Promise<boolean>): Promise<boolean>;
}

export function createAuditTrail(deps: { store: Pick<Store, 'appendAudit'>; logger: Logger; now?: () => number; onRecord?: (record: AuditRecord) => void }): AuditTrail {
  const now = deps.now ?? Date.now;
  // Stored rows are redacted like log lines: a detail quoting an upstream error may echo a credential.
  const complete = (entry: Omit<AuditRecord, 'at'> & { at?: string }): AuditRecord => deps.logger.redact.strings({ ...entry, at: entry.at ?? new Date(now()).toISOString() });
  /** Writes the audit line (and counts it); returns what it wrote. */
  const line = (record: AuditRecord) => {
    const audit = {
      event: record.event,
      operation: record.operation ?? null,
      instance_id: record.instance_id ?? null,
      workspace_id: record.workspace_id ?? null,
      user: record.user,
      channel: record.channel ?? null,
      outcome: record.outcome,
      request_id: record.request_id ?? null,
      at: record.at,
      ...(record.approval_id ? { approval_id: record.approval_id } : {}),
      ...(record.detail ? { detail: record.detail } : {}),
      ...(record.via ? { via: record.via } : {}),
      ...(record.workflow_execution_id ? { workflow_execution_id: record.workflow_execution_id } : {}),
      ...(record.function_execution_id ? { function_execution_id: record.function_execution_id } : {}),
    };
    deps.logger.info('audit', { audit });
    deps.onRecord?.(record);
    return audit;
  };
  return {
    async record(entry) {
      const record = complete(entry);
      const audit = line(record);
      try {
        await deps.store.appendAudit(record);
      } catch (err) {
        deps.logger.error('audit row could not be stored', { err, audit });
      }
    },

    async recordWith(entry, commit) {
      const record = complete(entry);
      try {
        if (!(await commit(record))) return false;
        line(record);
        return true;
      } catch (err) {
        deps.logger.error('audit row could not be stored', { err, audit: line(record) });
        return false;
      }
    },
  };
}
