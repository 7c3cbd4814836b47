import type { AuditTrail } from '../audit/trail';
import { instanceRef, OPERATIONS, statusAllows, type Approval, type Attempt, type Instance, type InstanceRef, type Operation, type Permission } from '../core';
import type { OperationOutcome } from '../domain/outcome';
import { evaluate, type Decision, type GroupMembership, type Principal } from '../policy/evaluate';
import type { Policy } from '../policy/load';
import type { SecMasterClient } from '../secmaster/client';
import { secMasterErrorOrRethrow } from '../secmaster/errors';
import type { Store } from '../store/types';
import { createAttemptLedger, type AttemptContext, type AttemptLedger } from './attempts';
import { auditEntryFor, viaFields } from './auditEntry';
import { readInstance } from './readInstance';

/** The per-person operation limit (OPERATIONS_PER_USER_PER_MINUTE) counts over this sliding window. */
const RATE_WINDOW_MS = 60_000;

/**
 * Runs a person's request for an operation: authorize → rate limit → lock the instance → read it →
 * refuse what its status cannot take → fence and trace (the attempt) → operate once → audit and
 * close the attempt → release. Knows nothing of Slack; returns an {@link OperationOutcome} that the
 * Slack layer renders, and audits every decision.
 */

/** How long the instance lock lasts; renewed at the fence, after which at most two bounded calls follow. */
export const LOCK_TTL_MS = 60_000;

export interface OperationRequest {
  principal: Principal;
  operation: Operation;
  target: InstanceRef;
  reason?: string;
  /** Where the status card goes and what it shows: kept with the attempt, for whoever resolves it. */
  card?: Attempt['card'];
  /** The Workflow Builder step asking (`principal.via` is then `workflow`): named in the audit and kept with the attempt. */
  workflow?: Attempt['workflow'];
}

/**
 * Records approval requests (`approvals/requests.ts` implements it). Recording is all: the Slack
 * side posts the approval card once the outcome `approval_requested` is returned.
 */
export interface ApprovalRequests {
  findPending(target: InstanceRef, operation: Operation): Promise<Approval | undefined>;
  /** Stores a pending approval for the request (and audits that it was asked). */
  create(input: { request: OperationRequest; decision: Extract<Decision, { effect: 'approval' }>; instance: Instance }): Promise<Approval>;
}

export interface OperationsDeps {
  policy: () => Policy;
  groups: GroupMembership;
  secmaster: SecMasterClient;
  store: Pick<Store, 'acquireLock' | 'releaseLock' | 'takeRateSlot' | 'beginAttempt' | 'renewAttempt' | 'resolveAttempt'>;
  audit: AuditTrail;
  approvalRequests?: ApprovalRequests;
  operationsPerUserPerMinute: number;
  /** SECMASTER_WORKSPACE_ID: the only workspace a policy rule without `workspaces` covers. */
  defaultWorkspaceId: string;
  /** How long a lock survives a crashed holder (default {@link LOCK_TTL_MS}); tests shorten it. */
  lockTtlMs?: number;
  /** This replica, as the owner of the attempts it sends. */
  owner?: string;
  now?: () => number;
}

export interface OperationsService {
  /** The decision for `principal` on `permission` in SecMaster workspace `workspaceId`. */
  authorize(principal: Principal, permission: Permission, workspaceId: string): Promise<Decision>;
  requestOperation(req: OperationRequest): Promise<OperationOutcome>;
  /**
   * Runs an approved request once (the approver's click reached the count). `settled`: the POST was
   * sent, so its attempt's resolution audits it and settles the approval (here or, after a crash, in
   * another process); otherwise nothing was sent and the caller audits and settles it.
   */
  runApproved(approval: Approval, card?: Attempt['card']): Promise<{ outcome: OperationOutcome; settled: boolean }>;
  /** The attempt ledger: calls in flight for shutdown, and the fence. */
  readonly attempts: AttemptLedger;
}

export function createOperationsService(deps: OperationsDeps): OperationsService {
  const now = deps.now ?? Date.now;
  const lockTtlMs = deps.lockTtlMs ?? LOCK_TTL_MS;
  const attempts = createAttemptLedger({ store: deps.store, audit: deps.audit, owner: deps.owner ?? `replica-${process.pid}`, lockTtlMs, now });

  async function audit(event: 'operation' | 'denied', req: OperationRequest, outcome: OperationOutcome) {
    const who = { userId: req.principal.userId, channelId: req.principal.channelId || undefined };
    await deps.audit.record({ ...auditEntryFor(event, who, req.target, req.operation, outcome), ...viaFields(req.principal.via, req.workflow) });
  }

  /** Reads the instance; a failure becomes the outcome to show. */
  async function read(target: InstanceRef, operation: Operation): Promise<{ ok: true; instance: Instance; requestId?: string } | { ok: false; outcome: OperationOutcome }> {
    const current = await readInstance(deps.secmaster, target);
    return current.ok ? current : { ok: false, outcome: { ...current.failure, operation } };
  }

  /** Reads the instance and refuses, saying the status, an operation that status cannot take. */
  async function readOperable(target: InstanceRef, operation: Operation): ReturnType<typeof read> {
    const current = await read(target, operation);
    if (current.ok && !statusAllows(current.instance.status, operation)) {
      return { ok: false, outcome: { code: 'invalid_status', operation, instance: current.instance, requestId: current.requestId } };
    }
    return current;
  }

  /** Runs `fn` holding the instance's lock in the store; a held lock answers who holds it. */
  async function underInstanceLock<R extends { outcome: OperationOutcome }>(
    target: InstanceRef,
    userId: string,
    operation: Operation,
    fn: (lockToken: string) => Promise<R>,
  ): Promise<R | { outcome: OperationOutcome; settled: false }> {
    const lock = await deps.store.acquireLock(target, { userId, operation, acquiredAt: now() }, lockTtlMs);
    if (!lock.acquired) return { outcome: { code: 'in_progress', operation, holder: lock.holder }, settled: false };
    try {
      return await fn(lock.token);
    } finally {
      await deps.store.releaseLock(target, lock.token).catch(() => undefined);
    }
  }

  /**
   * Lock → (rate limit) → read → status check → operate → release. The rate limit counts only
   * requests that get past the lock, so a burst of double-clicks costs a person one operation.
   * `settled`: the POST was sent and its attempt's resolution has audited it.
   */
  function execute(operation: Operation, target: InstanceRef, context: AttemptContext, limitFor?: Principal): Promise<{ outcome: OperationOutcome; settled: boolean }> {
    return underInstanceLock(target, context.requester, operation, async (lockToken) => {
      const limited = limitFor ? await rateLimited(limitFor, operation) : undefined;
      if (limited) return { outcome: limited, settled: false };
      const before = await readOperable(target, operation);
      if (!before.ok) return { outcome: before.outcome, settled: false };
      const opened = await attempts.open({ target, operation, before: before.instance, context, lockToken });
      if (!opened.ok) return { outcome: opened.outcome, settled: false };
      try {
        const outcome = await operate(operation, target, before.instance);
        await attempts.settle(opened.attempt, outcome);
        return { outcome, settled: true };
      } finally {
        opened.done();
      }
    });
  }

  async function operate(operation: Operation, target: InstanceRef, before: Instance): Promise<OperationOutcome> {
    try {
      const answer = await deps.secmaster.operateInstance(target, operation);
      let instance = answer.data;
      if (!instance) {
        // The call succeeded but its answer was not an instance: read it for the card.
        const after = await read(target, operation);
        instance = after.ok ? after.instance : { ...before, status: OPERATIONS[operation].inProgress };
      }
      return { code: 'done', operation, instance, requestId: answer.requestId };
    } catch (err) {
      const error = secMasterErrorOrRethrow(err);
      if (!error.outcomeUnknown) return { code: 'failed', operation, instance: before, error };
      // Never repeat the POST: read the instance to learn what actually happened.
      const after = await read(target, operation);
      if (!after.ok) return { code: 'outcome_unknown', operation, error };
      return OPERATIONS[operation].tookEffect(before, after.instance)
        ? { code: 'done_unconfirmed', operation, instance: after.instance, error, requestId: error.requestId }
        : { code: 'not_applied', operation, instance: after.instance, error };
    }
  }

  /**
   * Records the request for approval under the instance lock, so a double click or a redelivered
   * request cannot make two approvals (nor two cards): the second finds the first pending (or the
   * lock held). The outcome carries the stored approval; the caller shows it (posts its card).
   */
  async function askApproval(req: OperationRequest, decision: Extract<Decision, { effect: 'approval' }>): Promise<OperationOutcome> {
    const approvals = deps.approvalRequests;
    if (!approvals) throw new Error('policy asks for approval but no approval service is configured');
    const asked = await underInstanceLock(req.target, req.principal.userId, req.operation, async () => {
      const pending = await approvals.findPending(req.target, req.operation);
      if (pending) return { outcome: { code: 'approval_pending', operation: req.operation, approval: pending } };
      const limited = await rateLimited(req.principal, req.operation);
      if (limited) return { outcome: limited };
      const current = await readOperable(req.target, req.operation);
      if (!current.ok) return { outcome: current.outcome };
      const approval = await approvals.create({ request: req, decision, instance: current.instance });
      return { outcome: { code: 'approval_requested', operation: req.operation, approval, instance: current.instance } };
    });
    return asked.outcome;
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
      const decision = await evaluate(deps.policy(), req.principal, req.operation, deps.groups, { workspaceId: req.target.workspaceId, defaultWorkspaceId: deps.defaultWorkspaceId });
      if (decision.effect === 'deny') {
        const outcome: OperationOutcome = { code: 'denied', operation: req.operation, decision };
        await audit('denied', req, outcome);
        return outcome;
      }
      if (decision.effect === 'approval') {
        const outcome = await askApproval(req, decision);
        if (outcome.code !== 'approval_requested' && outcome.code !== 'approval_pending') await audit('operation', req, outcome);
        return outcome;
      }

      const context: AttemptContext = {
        requester: req.principal.userId,
        actor: req.principal.userId,
        channel: req.principal.channelId || undefined,
        card: req.card,
        ...(req.principal.via ? { via: req.principal.via } : {}),
        ...(req.workflow ? { workflow: req.workflow } : {}),
      };
      const { outcome, settled } = await execute(req.operation, req.target, context, req.principal);
      if (!settled) await audit('operation', req, outcome);
      return outcome;
    },

    runApproved(approval, card) {
      const context: AttemptContext = { requester: approval.requester, actor: approval.decidedBy ?? approval.requester, channel: approval.channel, approvalId: approval.id, card };
      return execute(approval.operation, instanceRef(approval), context);
    },

    attempts,
  };
}
