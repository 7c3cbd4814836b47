import type { AuditTrail } from '../audit/trail';
import type { Permission } from '../domain/command';
import type { OperationOutcome, Target } from '../domain/outcome';
import { evaluate, type Decision, type GroupMembership, type Principal } from '../policy/evaluate';
import type { Policy } from '../policy/load';
import type { SecMasterClient } from '../secmaster/client';
import { asSecMasterError } from '../secmaster/errors';
import { statusAllows, type Instance, type Operation } from '../secmaster/schemas';
import type { Approval, Store } from '../store/types';
import { auditEntryFor } from './auditEntry';
import { verifyEffect } from './verifyEffect';

/** The per-person operation limit (OPERATIONS_PER_USER_PER_MINUTE) counts over this sliding window. */
const RATE_WINDOW_MS = 60_000;

/**
 * Runs a person's request for an operation: authorize → rate limit → lock the instance → read it →
 * refuse what its status cannot take → operate once → release. Knows nothing of Slack; returns an
 * {@link OperationOutcome} that the Slack layer renders, and audits every decision.
 */

export interface OperationRequest {
  principal: Principal;
  operation: Operation;
  target: Target;
  reason?: string;
}

/** Creates approval requests; the approvals module implements it. */
export interface ApprovalRequester {
  findPending(target: Target, operation: Operation): Promise<Approval | undefined>;
  ask(input: { request: OperationRequest; decision: Extract<Decision, { effect: 'approval' }>; instance: Instance }): Promise<Approval>;
}

export interface OperationsDeps {
  policy: () => Policy;
  groups: GroupMembership;
  secmaster: SecMasterClient;
  store: Pick<Store, 'acquireLock' | 'releaseLock' | 'takeRateSlot'>;
  audit: AuditTrail;
  approvals?: ApprovalRequester;
  operationsPerUserPerMinute: number;
  /** SECMASTER_WORKSPACE_ID: the only workspace a policy rule without `workspaces` covers. */
  defaultWorkspaceId: string;
  /** How long a lock survives a crashed holder; longer than any operation call can take. */
  lockTtlMs?: number;
  now?: () => number;
}

export interface OperationsService {
  /** The decision for `principal` on `permission` in SecMaster workspace `workspaceId`. */
  authorize(principal: Principal, permission: Permission, workspaceId: string): Promise<Decision>;
  requestOperation(req: OperationRequest): Promise<OperationOutcome>;
  /** Runs an approved request once (the approver's click reached the count); the caller audits it. */
  runApproved(approval: Approval): Promise<OperationOutcome>;
}

export function createOperationsService(deps: OperationsDeps): OperationsService {
  const now = deps.now ?? Date.now;
  const lockTtlMs = deps.lockTtlMs ?? 60_000;

  async function audit(event: 'operation' | 'denied', who: { userId: string; channelId?: string }, target: Target, operation: string, outcome: OperationOutcome) {
    await deps.audit.record(auditEntryFor(event, who, target, operation, outcome));
  }

  /** Reads the instance; a failure becomes the outcome to show. */
  async function read(target: Target, operation: Operation): Promise<{ ok: true; instance: Instance; requestId?: string } | { ok: false; outcome: OperationOutcome }> {
    try {
      const answer = await deps.secmaster.getInstance(target);
      return { ok: true, instance: answer.data, requestId: answer.requestId };
    } catch (err) {
      const e = asSecMasterError(err);
      return { ok: false, outcome: e.isNotFound ? { code: 'not_found', operation, target, error: e } : { code: 'unavailable', operation, error: e } };
    }
  }

  /** Reads the instance and refuses, saying the status, an operation that status cannot take. */
  async function readOperable(target: Target, operation: Operation): ReturnType<typeof read> {
    const current = await read(target, operation);
    if (current.ok && !statusAllows(current.instance.status, operation)) {
      return { ok: false, outcome: { code: 'invalid_status', operation, instance: current.instance, requestId: current.requestId } };
    }
    return current;
  }

  /** Runs `fn` holding the instance's lock in the store; a held lock answers who holds it. */
  async function underInstanceLock(target: Target, userId: string, operation: Operation, fn: () => Promise<OperationOutcome>): Promise<OperationOutcome> {
    const lock = await deps.store.acquireLock(target, { userId, operation, acquiredAt: now() }, lockTtlMs);
    if (!lock.acquired) return { code: 'in_progress', operation, holder: lock.holder };
    try {
      return await fn();
    } finally {
      await deps.store.releaseLock(target, lock.token).catch(() => undefined);
    }
  }

  /**
   * Lock → (rate limit) → read → status check → operate → release. The rate limit counts only
   * requests that get past the lock, so a burst of double-clicks costs a person one operation.
   */
  function execute(userId: string, operation: Operation, target: Target, limitFor?: Principal): Promise<OperationOutcome> {
    return underInstanceLock(target, userId, operation, async () => {
      const limited = limitFor ? await rateLimited(limitFor, operation) : undefined;
      if (limited) return limited;
      const before = await readOperable(target, operation);
      if (!before.ok) return before.outcome;
      return operate(operation, target, before.instance);
    });
  }

  async function operate(operation: Operation, target: Target, before: Instance): Promise<OperationOutcome> {
    try {
      const answer = await deps.secmaster.operateInstance(target, operation);
      let instance = answer.data;
      if (!instance) {
        // The call succeeded but its answer was not an instance: read it for the card.
        const after = await read(target, operation);
        instance = after.ok ? after.instance : { ...before, status: operation === 'RETRY' ? 'RETRYING' : 'TERMINATING' };
      }
      return { code: 'done', operation, instance, requestId: answer.requestId };
    } catch (err) {
      const error = asSecMasterError(err);
      if (!error.outcomeUnknown) return { code: 'failed', operation, instance: before, error };
      // Never repeat the POST: read the instance to learn what actually happened.
      const after = await read(target, operation);
      if (!after.ok) return { code: 'outcome_unknown', operation, error };
      return verifyEffect(operation, before, after.instance)
        ? { code: 'done_unconfirmed', operation, instance: after.instance, error, requestId: error.requestId }
        : { code: 'not_applied', operation, instance: after.instance, error };
    }
  }

  /**
   * Asks for approval under the instance lock, so a double click or a redelivered request cannot
   * post two approval cards: the second finds the first pending (or the lock held).
   */
  function askApproval(req: OperationRequest, decision: Extract<Decision, { effect: 'approval' }>): Promise<OperationOutcome> {
    const approvals = deps.approvals;
    if (!approvals) throw new Error('policy asks for approval but no approval service is configured');
    return underInstanceLock(req.target, req.principal.userId, req.operation, async () => {
      const pending = await approvals.findPending(req.target, req.operation);
      if (pending) return { code: 'approval_pending', operation: req.operation, approval: pending };
      const limited = await rateLimited(req.principal, req.operation);
      if (limited) return limited;
      const current = await readOperable(req.target, req.operation);
      if (!current.ok) return current.outcome;
      const approval = await approvals.ask({ request: req, decision, instance: current.instance });
      return { code: 'approval_requested', operation: req.operation, approval, instance: current.instance };
    });
  }

  /** A sliding minute per person, counted in the store so every replica shares it. */
  async function rateLimited(principal: Principal, operation: Operation): Promise<OperationOutcome | undefined> {
    const t = now();
    const limit = deps.operationsPerUserPerMinute;
    const slot = await deps.store.takeRateSlot(`ops:${principal.teamId}:${principal.userId}`, t, RATE_WINDOW_MS, limit);
    if (slot.granted) return undefined;
    return { code: 'rate_limited', operation, retryInS: Math.max(1, Math.ceil((slot.freeAt - t) / 1000)), limit };
  }

  return {
    authorize: (principal, permission, workspaceId) => evaluate(deps.policy(), principal, permission, deps.groups, { workspaceId, defaultWorkspaceId: deps.defaultWorkspaceId }),

    async requestOperation(req) {
      const who = { userId: req.principal.userId, channelId: req.principal.channelId };
      const decision = await evaluate(deps.policy(), req.principal, req.operation, deps.groups, { workspaceId: req.target.workspaceId, defaultWorkspaceId: deps.defaultWorkspaceId });
      if (decision.effect === 'deny') {
        const outcome: OperationOutcome = { code: 'denied', operation: req.operation, decision };
        await audit('denied', who, req.target, req.operation, outcome);
        return outcome;
      }
      if (decision.effect === 'approval') {
        const outcome = await askApproval(req, decision);
        if (outcome.code !== 'approval_requested' && outcome.code !== 'approval_pending') await audit('operation', who, req.target, req.operation, outcome);
        return outcome;
      }

      const outcome = await execute(req.principal.userId, req.operation, req.target, req.principal);
      await audit('operation', who, req.target, req.operation, outcome);
      return outcome;
    },

    async runApproved(approval) {
      return execute(approval.requester, approval.operation, { workspaceId: approval.workspaceId, instanceId: approval.instanceId });
    },
  };
}
