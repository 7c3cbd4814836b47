import type { AuditTrail } from '../audit/trail';
import { isKnownStatus, OPERATIONS, type Approval, type ApprovalVoidReason, type AuditOutcome, type Attempt, type DenyReason } from '../core';
import type { OperationOutcome } from '../domain/outcome';
import { auditEntryFor } from '../operations/auditEntry';
import type { OperationsService } from '../operations/service';
import { evaluate, isApprover, type GroupMembership, type SlackIdentity } from '../policy/evaluate';
import type { Policy } from '../policy/load';
import type { Store } from '../store/types';
import { approvalAuditRow, type ApprovalAuditEvent } from './auditRow';

/**
 * The two-person rule. An approval is bound to what it approves (instance, operation, requester,
 * rule) by an opaque ID whose record lives in the store; the state machine
 * pending → approved | rejected | expired, approved → executed | failed | void moves only by
 * compare-and-set, so simultaneous clicks cannot both win, and the operation runs once.
 */

export type DecideResult =
  | { kind: 'not_found' }
  | { kind: 'self'; approval: Approval }
  | { kind: 'not_approver'; approval: Approval }
  | { kind: 'duplicate'; approval: Approval }
  | { kind: 'closed'; approval: Approval }
  | { kind: 'expired'; approval: Approval; justExpired: boolean }
  | { kind: 'counted'; approval: Approval }
  | { kind: 'rejected'; approval: Approval }
  /**
   * The count was reached but the approval no longer holds: the instance's status no longer allows
   * the operation, or the policy in force no longer grants it (requester, approvers or rule).
   */
  | { kind: 'void'; approval: Approval; why: ApprovalVoidReason }
  | { kind: 'executed'; approval: Approval; outcome: OperationOutcome }
  | { kind: 'failed'; approval: Approval; outcome: OperationOutcome };

export interface ApprovalService {
  get(id: string): Promise<Approval | undefined>;
  setMessage(id: string, messageTs: string): Promise<void>;
  decide(id: string, clicker: SlackIdentity & { channelId?: string }, verdict: 'approve' | 'reject'): Promise<DecideResult>;
  /** Expires what is due; returns the approvals this call expired (each exactly once across replicas). */
  expireDue(): Promise<Approval[]>;
  /**
   * Approvals whose operation was interrupted (the process died between reaching the count and
   * recording the outcome) are closed as failed after a grace period, each once across replicas.
   */
  closeInterrupted(): Promise<Approval[]>;
  /** Marks an approval void when its card could not be shown (nobody could approve it). */
  abandon(approval: Approval, why: string): Promise<void>;
  mayDecide(approval: Approval, who: SlackIdentity): Promise<boolean>;
}

export interface ApprovalServiceDeps {
  store: Store;
  audit: AuditTrail;
  policy: () => Policy;
  groups: GroupMembership;
  ops: Pick<OperationsService, 'runApproved'>;
  /** SECMASTER_WORKSPACE_ID: the only workspace a rule without `workspaces` covers (for re-evaluating a request). */
  defaultWorkspaceId: string;
  now?: () => number;
}

const INTERRUPTED_AFTER_MS = 2 * 60_000;

/** Why the requester is no longer granted the operation, in words for the card and the audit. */
const DENIAL_TEXT: Record<DenyReason, string> = {
  foreign_team: 'their Slack team is not the one the policy names',
  foreign_user: 'they belong to another organisation and the policy does not name them',
  workspace_not_allowed: 'no rule covers this SecMaster workspace for them any more',
  no_rule: 'no rule grants it any more',
  not_in_role: 'they no longer hold a role that may',
  channel_not_allowed: 'it is no longer allowed in this channel',
  via_not_allowed: 'no rule grants it to a request from Slack any more',
  approval_required: 'it needs an approval that cannot be asked for',
};

export function createApprovalService(deps: ApprovalServiceDeps): ApprovalService {
  const now = deps.now ?? Date.now;

  const record = (event: ApprovalAuditEvent, a: Approval, user: string, outcome: AuditOutcome, detail?: string) => deps.audit.record(approvalAuditRow(event, a, user, outcome, detail));

  async function mayDecide(a: Approval, who: SlackIdentity) {
    if (who.userId === a.requester || who.teamId !== a.teamId) return false;
    // The approver roles were fixed when the request was made; who holds them is read from the policy now.
    return isApprover(deps.policy(), a.approverRoles, who, deps.groups);
  }

  /**
   * Why an approval that reached its count no longer holds under the policy in force (a SIGHUP may
   * have changed it since the request): the requester must still be granted the operation here, and,
   * when it still needs approval, enough of the votes must come from people who are approvers under
   * the rule that now applies. Undefined when it holds.
   */
  async function revokedBy(a: Approval): Promise<string | undefined> {
    const policy = deps.policy();
    const decision = await evaluate(policy, { teamId: a.teamId, userId: a.requester, channelId: a.channel }, a.operation, deps.groups, {
      workspaceId: a.workspaceId,
      defaultWorkspaceId: deps.defaultWorkspaceId,
    });
    if (decision.effect === 'deny') return `the requester may no longer ${OPERATIONS[a.operation].verb} here (${DENIAL_TEXT[decision.reason]})`;
    if (decision.effect === 'allow') return undefined;
    const rule = decision.approval;
    let counting = 0;
    for (const v of a.votes) {
      if (v.userId !== a.requester && (await isApprover(policy, rule.approvers, { teamId: a.teamId, userId: v.userId }, deps.groups))) counting++;
    }
    if (counting >= rule.count) return undefined;
    return `${decision.rule.label} now needs ${rule.count} approval${rule.count > 1 ? 's' : ''} from ${rule.approvers.join(', ')}, and ${counting} of the ${a.votes.length} given ${counting === 1 ? 'comes' : 'come'} from a current approver`;
  }

  async function execute(a: Approval): Promise<DecideResult> {
    const revoked = await revokedBy(a);
    if (revoked) {
      await deps.store.transitionApproval(a.id, 'approved', 'void', { detail: `no longer allowed: ${revoked}` });
      await record('void', a, a.decidedBy ?? a.requester, 'revoked', revoked);
      return { kind: 'void', approval: (await deps.store.getApproval(a.id)) ?? a, why: { kind: 'revoked', detail: revoked } };
    }
    // The card the approval card becomes once the operation is sent (kept with the attempt for a restart).
    const card: Attempt['card'] = {
      placement: a.messageTs ? { kind: 'update', ts: a.messageTs } : { kind: 'new' },
      context: { kind: 'status', requester: a.requester, operation: a.operation, reason: a.reason, approvers: a.votes.map((v) => v.userId) },
    };
    const { outcome, settled } = await deps.ops.runApproved(a, card);
    if (outcome.code === 'invalid_status') {
      const status = outcome.instance.status;
      await deps.store.transitionApproval(a.id, 'approved', 'void', { detail: `instance is ${status}` });
      // The audit outcome is the status that made it void; one SecMaster does not document is not in the closed list, and the detail names it.
      await record('void', a, a.decidedBy ?? a.requester, isKnownStatus(status) ? status : 'invalid_status', `${a.operation} needs another status; the instance is ${status}`);
      return { kind: 'void', approval: (await deps.store.getApproval(a.id)) ?? a, why: { kind: 'status', status: outcome.instance.status } };
    }
    const ok = outcome.code === 'done' || outcome.code === 'done_unconfirmed';
    // A sent operation was audited and its approval settled with its attempt, in one transaction.
    if (!settled) {
      await deps.store.transitionApproval(a.id, 'approved', ok ? 'executed' : 'failed', { detail: outcome.code });
      await deps.audit.record(auditEntryFor('executed', { userId: a.decidedBy ?? a.requester, channelId: a.channel }, a, a.operation, outcome, a.id));
    }
    return { kind: ok ? 'executed' : 'failed', approval: (await deps.store.getApproval(a.id)) ?? a, outcome };
  }

  return {
    get: (id) => deps.store.getApproval(id),

    setMessage: (id, messageTs) => deps.store.setApprovalMessage(id, messageTs),

    mayDecide,

    async decide(id, clicker, verdict) {
      const a = await deps.store.getApproval(id);
      if (!a) return { kind: 'not_found' };
      if (a.state !== 'pending') return { kind: 'closed', approval: a };
      if (a.expiresAt <= now()) {
        const justExpired = await deps.store.transitionApproval(a.id, 'pending', 'expired', { decidedAt: now() });
        if (justExpired) await record('expired', a, 'system', 'expired');
        return { kind: 'expired', approval: (await deps.store.getApproval(id)) ?? a, justExpired };
      }
      if (clicker.userId === a.requester) {
        await record('denied', a, clicker.userId, 'self_approval');
        return { kind: 'self', approval: a };
      }
      if (!(await mayDecide(a, clicker))) {
        await record('denied', a, clicker.userId, 'not_approver');
        return { kind: 'not_approver', approval: a };
      }

      if (verdict === 'reject') {
        const won = await deps.store.transitionApproval(a.id, 'pending', 'rejected', { decidedBy: clicker.userId, decidedAt: now() });
        const after = (await deps.store.getApproval(id)) ?? a;
        if (!won) return after.state === 'expired' ? { kind: 'expired', approval: after, justExpired: false } : { kind: 'closed', approval: after };
        await record('rejected', after, clicker.userId, 'rejected');
        return { kind: 'rejected', approval: after };
      }

      const vote = await deps.store.voteApproval(id, clicker.userId, now());
      switch (vote.result) {
        case 'not_found':
          return { kind: 'not_found' };
        case 'closed':
          return { kind: 'closed', approval: vote.approval };
        case 'expired':
          return { kind: 'expired', approval: vote.approval, justExpired: false };
        case 'duplicate':
          return { kind: 'duplicate', approval: vote.approval };
        case 'counted':
          await record('approved', vote.approval, clicker.userId, vote.reached ? 'approved' : 'vote', `${vote.approval.votes.length} of ${vote.approval.count}`);
          return vote.reached ? execute(vote.approval) : { kind: 'counted', approval: vote.approval };
      }
    },

    async expireDue() {
      const expired = await deps.store.expireDueApprovals(now(), 50);
      for (const a of expired) await record('expired', a, 'system', 'expired');
      return expired;
    },

    async closeInterrupted() {
      // An approved request runs within seconds (reads and the operation are bounded at about 15 s).
      const stale = (await deps.store.listApprovals({ states: ['approved'], limit: 50 })).filter((a) => (a.decidedAt ?? a.createdAt) < now() - INTERRUPTED_AFTER_MS);
      const closed: Approval[] = [];
      for (const a of stale) {
        const detail = 'interrupted before its outcome was recorded';
        if (await deps.store.transitionApproval(a.id, 'approved', 'failed', { detail })) {
          await record('void', a, 'system', 'interrupted', detail);
          closed.push((await deps.store.getApproval(a.id)) ?? a);
        }
      }
      return closed;
    },

    async abandon(approval, why) {
      if (await deps.store.transitionApproval(approval.id, 'pending', 'void', { detail: why, decidedAt: now() })) {
        await record('void', approval, 'system', 'card_not_posted', why);
      }
    },
  };
}
