/**
 * Reason codes: every way a request for an operation can end, and every reason a request is denied.
 * Closed lists, which is what the audit trail records and what metrics count.
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

/** Why the policy denies a request (a denial's audit outcome). */
export const DENY_REASONS = [
  'foreign_team',
  'foreign_user',
  'no_rule',
  'not_in_role',
  'channel_not_allowed',
  'workspace_not_allowed',
  /** A rule would grant it, but not by the way the request came (its `via:`). */
  'via_not_allowed',
  /** Only a rule with `approval` grants it, and a workflow step cannot ask for approval. */
  'approval_required',
] as const;
export type DenyReason = (typeof DENY_REASONS)[number];
