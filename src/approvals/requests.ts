import { randomBytes } from 'node:crypto';
import type { AuditTrail } from '../audit/trail';
import { instanceRef, type Approval } from '../core';
import type { ApprovalRequests } from '../operations/service';
import type { Store } from '../store/types';
import { approvalAuditRow } from './auditRow';

/**
 * Where an approval starts: the operations service, holding the instance lock, asks whether the
 * same request already waits and, if not, records a new one (pending, audited). Nothing here
 * touches Slack: the approval card is posted by the Slack side once the outcome is returned.
 */
export function createApprovalRequests(deps: { store: Pick<Store, 'listApprovals' | 'createApproval'>; audit: Pick<AuditTrail, 'record'>; now?: () => number }): ApprovalRequests {
  const now = deps.now ?? Date.now;
  return {
    async findPending(target, operation) {
      const pending = await deps.store.listApprovals({ states: ['pending'], instanceId: target.instanceId, limit: 20 });
      const t = now();
      return pending.find((a) => a.workspaceId === target.workspaceId && a.operation === operation && a.expiresAt > t);
    },

    async create({ request, decision, instance }) {
      const t = now();
      const approval: Approval = {
        id: `apr_${randomBytes(12).toString('base64url')}`,
        teamId: request.principal.teamId,
        ...instanceRef(request.target),
        instanceName: instance.name,
        instanceStatus: instance.status,
        operation: request.operation,
        requester: request.principal.userId,
        channel: request.principal.channelId,
        reason: request.reason,
        rule: decision.rule.label,
        approverRoles: decision.approval.approvers,
        count: decision.approval.count,
        createdAt: t,
        expiresAt: t + decision.approval.expires_after,
        state: 'pending',
        votes: [],
      };
      await deps.store.createApproval(approval);
      await deps.audit.record(approvalAuditRow('approval_asked', approval, approval.requester, 'pending', `rule ${approval.rule}; needs ${approval.count} from ${approval.approverRoles.join(', ')}`));
      return approval;
    },
  };
}
