import type { Logger } from '../log';
import type { AuditRecord, Store } from '../store/types';

/**
 * Every decision, stored and written as one audit line:
 * `{"message":"audit","audit":{event, operation, instance_id, workspace_id, user, channel, outcome, request_id, at}}`.
 * The log line is written even when the database cannot be reached, so nothing goes unrecorded.
 */
export interface AuditTrail {
  record(entry: Omit<AuditRecord, 'at'> & { at?: string }): Promise<void>;
}

export function createAuditTrail(deps: { store: Pick<Store, 'appendAudit'>; logger: Logger; now?: () => number; onRecord?: (record: AuditRecord) => void }): AuditTrail {
  const now = deps.now ?? Date.now;
  return {
    async record(entry) {
      const record: AuditRecord = { ...entry, at: entry.at ?? new Date(now()).toISOString() };
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
      };
      deps.logger.info('audit', { audit });
      deps.onRecord?.(record);
      try {
        await deps.store.appendAudit(record);
      } catch (err) {
        deps.logger.error('audit row could not be stored', { err, audit });
      }
    },
  };
}
