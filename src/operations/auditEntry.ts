import type { Attempt, AuditRecord, InstanceRef, Via } from '../core';
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

/** How the request came, and for a Workflow Builder step its execution IDs: the audit row's `via` fields. */
export function viaFields(via: Via | undefined, workflow: Attempt['workflow']): Pick<AuditRecord, 'via' | 'workflow_execution_id' | 'function_execution_id'> {
  return {
    ...(via ? { via } : {}),
    ...(workflow?.workflowExecutionId ? { workflow_execution_id: workflow.workflowExecutionId } : {}),
    ...(workflow ? { function_execution_id: workflow.functionExecutionId } : {}),
  };
}
