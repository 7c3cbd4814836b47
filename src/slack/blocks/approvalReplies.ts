import { OPERATIONS, type Approval, type ApprovalVoidReason, type Instance } from '../../core';
import type { OperationOutcome } from '../../domain/outcome';
import { channelLink, code, mentionUser, safeText, slackDate } from '../mrkdwn';
import { describeSecMasterError } from './errorText';
import { approvalInstanceTitle } from './instanceFacts';
import { lineMessage, type SlackMessage } from './kit';
import { statusCommand } from './usage';

/**
 * The words of the approval flow besides the card itself: what a decided card says happened, the
 * replies in its thread to the requester, and the private answers to whoever clicked Approve or
 * Reject. Pure; every outside string is escaped.
 */

const when = (at: number | undefined): string => (at ? ` ${slackDate(new Date(at).toISOString())}` : '');

/** `the terminate of *name* (`id`)`: what an approval is for, in a sentence. */
function what(a: Approval): string {
  return `the ${OPERATIONS[a.operation].verb} of *${safeText(approvalInstanceTitle(a), 150)}* (${code(a.instanceId, 70)})`;
}

/** The line a card carries once its approval is decided (empty while it is pending). Already mrkdwn. */
export function approvalStateLine(a: Approval): string {
  switch (a.state) {
    case 'rejected':
      return `:no_entry: Rejected by ${a.decidedBy ? mentionUser(a.decidedBy) : 'an approver'}${when(a.decidedAt)}. Nothing was sent.`;
    case 'expired':
      return `:hourglass: Expired${when(a.decidedAt)}: it was not approved in time. Nothing was sent.`;
    case 'void':
      return `:warning: Void: ${safeText(a.detail ?? 'no longer applies', 200)}. Nothing was sent.`;
    case 'approved':
      return `:white_check_mark: Approved by ${a.decidedBy ? mentionUser(a.decidedBy) : 'an approver'}${when(a.decidedAt)}; running it now.`;
    case 'executed':
      return `:white_check_mark: Approved by ${a.votes.map((v) => mentionUser(v.userId)).join(', ')}${when(a.decidedAt)} and carried out.`;
    case 'failed':
      return `:x: Approved${when(a.decidedAt)}, but the operation did not go through.`;
    default:
      return '';
  }
}

/** A click on an approval the store does not know. */
export function renderUnknownApproval(): SlackMessage {
  return lineMessage(':grey_question: This approval request is unknown here; it may belong to another installation. Nothing was done.');
}

/** A click that decided nothing, or only counted a vote: why, for the clicker alone. */
export type ClickAnswer = 'self' | 'not_approver' | 'duplicate' | 'closed' | 'expired' | 'counted';

export function renderClickAnswer(answer: ClickAnswer, a: Approval): SlackMessage {
  switch (answer) {
    case 'self':
      return lineMessage(':raised_hand: You asked for this, so someone else must approve it (two-person rule). Nothing was done.');
    case 'not_approver':
      return lineMessage(`:no_entry: Only ${a.approverRoles.map((r) => code(r, 64)).join(', ')} may decide this request. Nothing was done.`);
    case 'duplicate':
      return lineMessage(`:ballot_box_with_check: Your approval is already counted (${a.votes.length} of ${a.count}).`);
    case 'closed':
      return lineMessage(`:information_source: Already decided: ${approvalStateLine(a)}`);
    case 'expired':
      return lineMessage(`:hourglass: This request expired ${slackDate(new Date(a.expiresAt).toISOString())}. Nothing was done; ask again if it is still needed.`);
    case 'counted':
      return lineMessage(`:ballot_box_with_check: Your approval is counted: ${a.votes.length} of ${a.count}.`);
  }
}

/** What the requester is told in the card's thread. */
export type RequesterNotice =
  | { kind: 'expired' }
  | { kind: 'rejected'; by: string }
  /** A line the card shows too (void, failed, interrupted), addressed to the requester. */
  | { kind: 'line'; line: string };

export function renderRequesterNotice(a: Approval, notice: RequesterNotice): SlackMessage {
  const to = mentionUser(a.requester);
  switch (notice.kind) {
    case 'expired':
      return lineMessage(`${to} your ${OPERATIONS[a.operation].verb} request expired without approval. Nothing was sent.`);
    case 'rejected':
      return lineMessage(`${to} your request was rejected by ${mentionUser(notice.by)}.`);
    case 'line':
      return lineMessage(`${to} ${notice.line}`);
  }
}

/** The count was reached, but the approval is void. Already mrkdwn. */
export function approvalVoidLine(a: Approval, why: ApprovalVoidReason): string {
  return why.kind === 'status'
    ? `:warning: Approved, but the instance is now *${safeText(why.status, 40)}*, so ${a.operation} no longer applies. The approval is void; nothing was sent.`
    : `:warning: Approved, but the policy in force no longer allows it: ${safeText(why.detail, 300)}. The approval is void; nothing was sent.`;
}

/** To a clicker who does not see the card: the count was reached, but the approval is void. */
export function renderVoidConfirmation(a: Approval, why: ApprovalVoidReason): SlackMessage {
  return lineMessage(approvalVoidLine(a, why));
}

/** The count was reached and the operation sent, but SecMaster refused it. Already mrkdwn. */
export function approvalFailedLine(outcome: OperationOutcome): string {
  const why = 'error' in outcome ? describeSecMasterError(outcome.error) : code(outcome.code, 40);
  return `:x: Approved, but it did not go through: ${why}`;
}

/** An approved request whose process stopped before recording what SecMaster did. Already mrkdwn. */
export function approvalInterruptedLine(a: Approval): string {
  return `:warning: Approved, but the bot stopped before it could record what SecMaster did. It was not sent again: check ${statusCommand(a.instanceId)}.`;
}

/**
 * An approved request whose process stopped during the POST, and a read shows it did not take
 * effect (`not_applied`) or could not be checked. Already mrkdwn.
 */
export function approvalInterruptedAttemptLine(a: Approval, outcome: OperationOutcome): string {
  return outcome.code === 'not_applied'
    ? `:x: Approved and sent, but the bot stopped during the call; a read shows it did not take effect (the instance is *${safeText(outcome.instance.status, 40)}*). It was not repeated.`
    : `:warning: Approved and sent, but the bot stopped during the call and the outcome could not be checked. It was not repeated: check ${statusCommand(a.instanceId)}.`;
}

/** To a clicker who does not see the card (the Home tab): their rejection went through. */
export function renderRejectedConfirmation(a: Approval): SlackMessage {
  return lineMessage(`:no_entry: You rejected ${what(a)} in ${channelLink(a.channel)}. Nothing was sent.`);
}

/** To a clicker who does not see the card: their approval reached the count and the operation was sent. */
export function renderApprovedConfirmation(a: Approval, instance: Pick<Instance, 'status'>): SlackMessage {
  return lineMessage(`:white_check_mark: You approved ${what(a)}: sent, it is now *${safeText(instance.status, 40)}*. The card in ${channelLink(a.channel)} follows it.`);
}
