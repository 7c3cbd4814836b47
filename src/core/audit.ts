import { APPROVAL_STATES, type ApprovalState } from './approval';
import { DENY_REASONS, OUTCOME_CODES, type DenyReason, type OutcomeCode } from './outcome';
import { INSTANCE_STATUSES, type InstanceStatus } from './status';
import type { Via } from './via';

/**
 * The audit trail's vocabulary (spec section 7): every decision is one row and one log line
 * `{event, operation, instance_id, workspace_id, user, channel, outcome, request_id, at}`, whose
 * `event` and `outcome` come from the closed lists here, so an ad-hoc string is a compile error.
 */
export const AUDIT_EVENTS = [
  'denied',
  'operation',
  'approval_asked',
  'approved',
  'rejected',
  'expired',
  'void',
  'executed',
  /** An SMN subscription confirmation (outcome `confirmed` or `confirm_failed`). */
  'smn_subscription',
  /** SMN said a subscription was cancelled (outcome `unsubscribed`). */
  'smn_unsubscribe',
] as const;
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** The outcomes of approval steps that are not an operation's outcome or an approval state. */
export const APPROVAL_STEP_OUTCOMES = [
  /** A vote that did not reach the count yet. */
  'vote',
  /** The count was reached but the policy in force no longer grants the request. */
  'revoked',
  /** The requester clicked Approve on their own request. */
  'self_approval',
  /** Someone who holds no approver role clicked. */
  'not_approver',
  /** The process stopped between reaching the count and recording what SecMaster did. */
  'interrupted',
  /** The approval card could not be posted, so nobody could approve it. */
  'card_not_posted',
] as const;

/** What became of an SMN subscription message. */
export const SMN_OUTCOMES = ['confirmed', 'confirm_failed', 'unsubscribed'] as const;

/**
 * Every string that may be an audit row's `outcome`: an operation's reason code, a denial's reason,
 * an approval's state or step, an SMN subscription's result, and the instance status that made an
 * approved request void (`FINISHED`: it ended on its own before the approval came).
 */
export type AuditOutcome =
  | OutcomeCode
  | DenyReason
  | ApprovalState
  | (typeof APPROVAL_STEP_OUTCOMES)[number]
  | (typeof SMN_OUTCOMES)[number]
  | InstanceStatus;
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = [
  ...new Set<AuditOutcome>([...OUTCOME_CODES, ...DENY_REASONS, ...APPROVAL_STATES, ...APPROVAL_STEP_OUTCOMES, ...SMN_OUTCOMES, ...INSTANCE_STATUSES]),
];

export function isAuditOutcome(s: string): s is AuditOutcome {
  return (AUDIT_OUTCOMES as readonly string[]).includes(s);
}

export interface AuditRecord {
  event: AuditEventName;
  /** An {@link Operation} or `VIEW`. */
  operation?: string;
  instance_id?: string;
  workspace_id?: string;
  user: string;
  channel?: string;
  outcome: AuditOutcome;
  request_id?: string;
  /** ISO 8601 time of the decision. */
  at: string;
  approval_id?: string;
  detail?: string;
  /** How the request came (`workflow` for a Workflow Builder step), when it came from a person's request. */
  via?: Via;
  /** A workflow step's workflow execution ID (Slack's `workflow_execution_id`). */
  workflow_execution_id?: string;
  /** A workflow step's function execution ID (what `functions.completeSuccess` names). */
  function_execution_id?: string;
}
