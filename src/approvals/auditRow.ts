import type { Approval, AuditEventName, AuditOutcome, AuditRecord } from '../core';

/** The audit events of an approval's steps (an approved request's execution is audited as an operation). */
export type ApprovalAuditEvent = Extract<AuditEventName, 'approval_asked' | 'approved' | 'rejected' | 'expired' | 'void' | 'denied'>;

/** The audit row of one step of an approval: what it is about, who took the step, and its outcome. */
export function approvalAuditRow(event: ApprovalAuditEvent, a: Approval, user: string, outcome: AuditOutcome, detail?: string): Omit<AuditRecord, 'at'> {
  return {
    event,
    operation: a.operation,
    instance_id: a.instanceId,
    workspace_id: a.workspaceId,
    user,
    channel: a.channel,
    outcome,
    approval_id: a.id,
    detail,
  };
}
