import { randomUUID } from 'node:crypto';
import type { AuditTrail } from '../audit/trail';
import { instanceRef, type Attempt, type Instance, type InstanceRef, type Operation } from '../core';
import type { OperationOutcome } from '../domain/outcome';
import type { Store } from '../store/types';
import { createInFlight, type InFlight } from '../util/inflight';
import { auditEntryFor, viaFields } from './auditEntry';

/**
 * The trace every operation POST leaves before it is sent, and the fence that keeps a POST from
 * going out under a lost lock. `open` checks the lock token and writes the attempt in one store
 * step; while the call runs its lease is renewed, so only a dead process's attempt is ever taken
 * over; `settle` stores the audit row and closes the attempt in one transaction.
 */

/** Who asked, who the audit names, and where the outcome is shown: kept with the attempt. */
export type AttemptContext = Pick<Attempt, 'requester' | 'actor' | 'channel' | 'approvalId' | 'card' | 'via' | 'workflow'>;

/** An open attempt's lease; renewed every third of it while its call runs. */
export const ATTEMPT_LEASE_MS = 10_000;

export interface AttemptLedger {
  /** The fence and the trace, or the outcome to give when nothing may be sent. */
  open(input: { target: InstanceRef; operation: Operation; before: Instance; context: AttemptContext; lockToken: string }): Promise<{ ok: true; attempt: Attempt; done: () => void } | { ok: false; outcome: OperationOutcome }>;
  /** Audits the outcome and closes the attempt, once: false when another caller already did. */
  settle(attempt: Attempt, outcome: OperationOutcome, note?: string): Promise<boolean>;
  /** Calls already sent and not yet settled (shutdown waits for them). */
  readonly sent: InFlight;
  /** From now on nothing new is sent: a process about to stop would not see the answer. */
  stopSending(): void;
}

export function createAttemptLedger(deps: {
  store: Pick<Store, 'beginAttempt' | 'renewAttempt' | 'resolveAttempt'>;
  audit: AuditTrail;
  owner: string;
  lockTtlMs: number;
  now: () => number;
  leaseMs?: number;
}): AttemptLedger {
  const leaseMs = deps.leaseMs ?? ATTEMPT_LEASE_MS;
  const sent = createInFlight();
  let sending = true;

  return {
    sent,

    stopSending() {
      sending = false;
    },

    async open({ target, operation, before, context, lockToken }) {
      if (!sending) return { ok: false, outcome: { code: 'not_sent', operation, reason: 'shutting_down' } };
      const t = deps.now();
      const attempt: Attempt = {
        id: `att_${randomUUID()}`,
        ...instanceRef(target),
        operation,
        ...context,
        before: { status: before.status, ...(before.start_time ? { startTime: before.start_time } : {}), ...(before.name ? { name: before.name } : {}) },
        lockToken,
        owner: deps.owner,
        leaseUntil: t + leaseMs,
        createdAt: t,
      };
      const fence = await deps.store.beginAttempt(attempt, { now: t, lockTtlMs: deps.lockTtlMs });
      if (!fence.begun) {
        return { ok: false, outcome: fence.holder ? { code: 'in_progress', operation, holder: fence.holder } : { code: 'not_sent', operation, reason: 'lock_lost' } };
      }
      const renewal = setInterval(() => {
        deps.store.renewAttempt(attempt.id, deps.owner, deps.now() + leaseMs).catch(() => undefined);
      }, Math.max(1, Math.floor(leaseMs / 3)));
      renewal.unref();
      let finish!: () => void;
      void sent.track(new Promise<void>((resolve) => (finish = resolve)));
      return {
        ok: true,
        attempt,
        done: () => {
          clearInterval(renewal);
          finish();
        },
      };
    },

    settle(attempt, outcome, note) {
      const entry = {
        ...auditEntryFor(attempt.approvalId ? 'executed' : 'operation', { userId: attempt.actor, channelId: attempt.channel }, attempt, attempt.operation, outcome, attempt.approvalId),
        ...viaFields(attempt.via, attempt.workflow),
      };
      const ok = outcome.code === 'done' || outcome.code === 'done_unconfirmed';
      return deps.audit.recordWith(note ? { ...entry, detail: entry.detail ? `${note}: ${entry.detail}` : note } : entry, (record) =>
        deps.store.resolveAttempt(attempt.id, {
          owner: attempt.owner,
          audit: record,
          ...(attempt.approvalId ? { approvalState: ok ? ('executed' as const) : ('failed' as const), approvalDetail: outcome.code } : {}),
        }),
      );
    },
  };
}
