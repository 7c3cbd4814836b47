import type { AuditRecord, InstanceRef } from '../core';
import type { OperationOutcome } from '../domain/outcome';

/** The audit row of an operation outcome: the outcome's reason code, its request ID and why. */
export function auditEntryFor(
  event: 'operation' | 'executed' | 'denied',
  who: { userId: string; channelId?: string },
  target: InstanceRef,
  operation: string,
  outcome: OperationOutcome,
  approvalId?: string,
): Omit<AuditRecord, 'at'> {
  const requestId = 'requestId' in outcome && outcome.requestId ? outcome.requestId : 'error' in outcome ? outcome.error.requestId : undefined;
  const detail =
    outcome.code === 'denied'
      ? outcome.decision.detail
      : outcome.code === 'invalid_status'
        ? `status ${outcome.instance.status}`
        : 'error' in outcome
          ? `${outcome.error.code ?? outcome.error.kind}: ${outcome.error.message}`
          : undefined;
  return {
    event,
    operation,
    instance_id: target.instanceId,
    workspace_id: target.workspaceId,
    user: who.userId,
    channel: who.channelId,
    outcome: outcome.code === 'denied' ? outcome.decision.reason : outcome.code,
    request_id: requestId,
    approval_id: approvalId,
    detail,
  };
}
