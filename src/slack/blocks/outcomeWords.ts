import type { AuditOutcome } from '../../core';

/**
 * An audit outcome as a person reads it on the Home tab: reason codes (`invalid_status`,
 * `not_found`, `self_approval`, …) are the trail's machine-readable words, not the person's.
 * Keyed by the value read back from the database: a Map, so no stored word can find Object's members.
 */
const WORDS = new Map<string, string>([
  ['done', 'done'],
  ['done_unconfirmed', 'done (SecMaster did not confirm, but the status changed)'],
  ['not_applied', 'did not take effect'],
  ['outcome_unknown', 'outcome unknown (no clear answer from SecMaster)'],
  ['failed', 'refused by SecMaster'],
  ['denied', 'denied'],
  ['invalid_status', 'not possible in the status it had'],
  ['not_found', 'instance not found'],
  ['in_progress', 'already under way'],
  ['rate_limited', 'too many requests in a minute'],
  ['unavailable', 'SecMaster could not be reached'],
  ['approval_requested', 'approval asked'],
  ['approval_pending', 'already waiting for approval'],
  ['not_sent', 'not sent'],
  ['foreign_team', 'denied: another Slack team'],
  ['foreign_user', 'denied: a user of another Slack team'],
  ['no_rule', 'denied: no rule grants it'],
  ['not_in_role', 'denied: none of your roles may'],
  ['channel_not_allowed', 'denied: not in that channel'],
  ['workspace_not_allowed', 'denied: that workspace is not covered'],
  ['self_approval', 'refused: nobody approves their own request'],
  ['not_approver', 'refused: not an approver'],
  ['revoked', 'no longer granted by the policy'],
  ['interrupted', 'interrupted by a restart'],
  ['card_not_posted', 'the approval request could not be posted'],
]);

/** The words for `outcome`; an outcome without words (an instance status, a future code) as it came. */
export function outcomeInWords(outcome: AuditOutcome | string, detail?: string): string {
  const words = WORDS.get(outcome) ?? outcome;
  // `status FINISHED`: the status that refused it, which the words alone do not say.
  const status = outcome === 'invalid_status' ? /^status (\S+)$/.exec(detail ?? '')?.[1] : undefined;
  return status ? `not possible: it was ${status}` : words;
}
