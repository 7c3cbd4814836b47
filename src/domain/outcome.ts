import type { Approval, Instance, InstanceRef, LockHolder, Operation, Permission } from '../core';
import type { Decision } from '../policy/evaluate';
import type { SecMasterError } from '../secmaster/errors';

/**
 * Every way a request for an operation can end, with what the person is shown and the audit row
 * records. Its reason codes are core's closed list (`core/outcome.ts`); the union itself stays here
 * because two of its cases carry what only the adapters define: the policy `Decision` (with the rule
 * that decided, typed by the policy file's schema) and the `SecMasterError` (status, service code,
 * request ID, and whether the call may have run), which the replies quote.
 */
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
  | { code: 'denied'; operation: Permission; decision: Extract<Decision, { effect: 'deny' }> }
  | { code: 'invalid_status'; operation: Operation; instance: Instance; requestId?: string }
  | { code: 'not_found'; operation: Operation; target: InstanceRef; error: SecMasterError }
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
