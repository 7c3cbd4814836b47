import type { InstanceRef } from './instance';
import type { Operation } from './operation';

/**
 * A request for an operation that waits for a second person (the two-person rule). It moves
 * pending → approved | rejected | expired | void, approved → executed | failed | void, and only by
 * compare-and-set in the store, so two clicks cannot both decide it.
 */
export const APPROVAL_STATES = ['pending', 'approved', 'rejected', 'expired', 'void', 'executed', 'failed'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** One approver's approval, counted once. */
export interface Vote {
  userId: string;
  at: number;
}

export interface Approval extends InstanceRef {
  id: string;
  teamId: string;
  instanceName?: string;
  /** The instance's status when the request was made (shown on the card). */
  instanceStatus?: string;
  operation: Operation;
  requester: string;
  channel: string;
  reason?: string;
  /** Label of the rule that asked for approval, e.g. `rules[4]`. */
  rule: string;
  approverRoles: string[];
  count: number;
  createdAt: number;
  expiresAt: number;
  state: ApprovalState;
  votes: Vote[];
  decidedBy?: string;
  decidedAt?: number;
  messageTs?: string;
  detail?: string;
}

/**
 * Why an approval that reached its count was not carried out: the instance's status no longer
 * allows the operation, or the policy in force no longer grants the request (`detail` says how).
 */
export type ApprovalVoidReason = { kind: 'status'; status: string } | { kind: 'revoked'; detail: string };
