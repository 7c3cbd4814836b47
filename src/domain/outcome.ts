import type { Decision } from '../policy/evaluate';
import { canonicalInstanceId } from './command';
import type { SecMasterError } from '../secmaster/errors';
import type { Instance, Operation } from '../secmaster/schemas';
import type { Approval, LockHolder } from '../store/types';

/**
 * Every way a request for an operation can end. Each outcome has a reason code from this closed
 * list, which is what the audit trail records and what metrics count.
 */
export const OUTCOME_CODES = [
  'done',
  'done_unconfirmed',
  'not_applied',
  'outcome_unknown',
  'failed',
  'denied',
  'invalid_status',
  'not_found',
  'in_progress',
  'rate_limited',
  'unavailable',
  'approval_requested',
  'approval_pending',
  'not_sent',
] as const;
export type OutcomeCode = (typeof OUTCOME_CODES)[number];

export interface Target {
  workspaceId: string;
  instanceId: string;
}

/** Whether two targets are the same instance (UUIDs compared in lower case, see {@link canonicalInstanceId}). */
export function sameTarget(a: Target, b: Target): boolean {
  return a.workspaceId === b.workspaceId && canonicalInstanceId(a.instanceId) === canonicalInstanceId(b.instanceId);
}

export type OperationOutcome =
  /** SecMaster accepted the operation. */
  | { code: 'done'; operation: Operation; instance: Instance; requestId?: string }
  /** No clear answer (5xx, timeout), but a read shows the operation took effect. */
  | { code: 'done_unconfirmed'; operation: Operation; instance: Instance; error: SecMasterError; requestId?: string }
  /** No clear answer, and a read shows it did not take effect. */
  | { code: 'not_applied'; operation: Operation; instance: Instance; error: SecMasterError }
  /** No clear answer, and the instance could not be read either: nobody can tell yet. */
  | { code: 'outcome_unknown'; operation: Operation; error: SecMasterError }
  /** SecMaster refused the operation (4xx) or the answer could not be checked. */
  | { code: 'failed'; operation: Operation; instance?: Instance; error: SecMasterError }
  | { code: 'denied'; operation: Operation | 'VIEW'; decision: Extract<Decision, { effect: 'deny' }> }
  | { code: 'invalid_status'; operation: Operation; instance: Instance; requestId?: string }
  | { code: 'not_found'; operation: Operation; target: Target; error: SecMasterError }
  | { code: 'in_progress'; operation: Operation; holder: LockHolder }
  | { code: 'rate_limited'; operation: Operation; retryInS: number; limit: number }
  | { code: 'unavailable'; operation: Operation; error: SecMasterError }
  | { code: 'approval_requested'; operation: Operation; approval: Approval; instance: Instance }
  /** The same request already waits for approval. */
  | { code: 'approval_pending'; operation: Operation; approval: Approval }
  /**
   * Checked and allowed, but not sent: the instance lock was lost while the bot waited (another
   * request may have taken over), or the process is shutting down and would not see the answer.
   */
  | { code: 'not_sent'; operation: Operation; reason: 'lock_lost' | 'shutting_down' };
