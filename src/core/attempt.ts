import type { CardContext, CardPlacement } from './card';
import type { InstanceRef } from './instance';
import type { Operation } from './operation';
import type { Via } from './via';

/** Who holds an instance's operation lock, as a second request is told ("started … at …"). */
export interface LockHolder {
  userId: string;
  /** The operation as the lock row stores it (an {@link Operation}, read back as text). */
  operation: string;
  acquiredAt: number;
}

/**
 * An operation POST about to be sent, written before it is sent (so a crash during the call leaves a
 * trace) and resolved when its outcome is audited. An open attempt whose lease ran out belongs to a
 * process that died: any replica takes it over, reads the instance and records what happened.
 */
export interface Attempt extends InstanceRef {
  id: string;
  operation: Operation;
  /** Who asked for the operation (told of the outcome). */
  requester: string;
  /** Who the audit row names: the requester, or the approver whose vote reached the count. */
  actor: string;
  /** The channel the request came from (the outcome is shown there). */
  channel?: string;
  approvalId?: string;
  /** How the request came (command, button, workflow); unset for an approved request. */
  via?: Via;
  /** The Workflow Builder step this operation is for: it ends with the attempt's outcome. */
  workflow?: { functionExecutionId: string; workflowExecutionId?: string };
  /** The instance's status and start time just before the POST, to tell afterwards whether it took effect. */
  before: { status: string; startTime?: string; name?: string };
  /** Where the status card goes and what it shows, so whoever resolves the attempt can show it. */
  card?: { placement: CardPlacement; context: CardContext };
  /** The token of the instance lock the POST was sent under (released by whoever resolves it). */
  lockToken: string;
  owner: string;
  leaseUntil: number;
  createdAt: number;
}
