import { OPERATIONS, type Approval } from '../../core';
import { ACTION_IDS } from '../ids';
import { code, mentionUser, mentionUsergroup, safeText, slackDate } from '../mrkdwn';
import { actions, button, confirmDialog, context, fields, header, message, section, type SlackMessage } from './kit';
import { statusEmoji } from './status';
import type { ApproverAudience } from '../../policy/evaluate';
import { approvalInstanceTitle } from './instanceFacts';

/**
 * The approval request card: who asks for what on which instance and why, who may approve, how
 * many approvals are needed and given, and when it expires. Its buttons carry only the opaque
 * approval ID; what runs comes from the store. Once decided, the card says what happened and has
 * no buttons.
 */

export interface ApprovalCardInput {
  approval: Approval;
  audience: ApproverAudience;
  /** A line saying what happened (rejected, expired, void, failed). Already mrkdwn. */
  outcome?: string;
}

export function renderApprovalCard({ approval: a, audience, outcome }: ApprovalCardInput): SlackMessage {
  const name = approvalInstanceTitle(a);
  const who = [
    ...audience.users.map(mentionUser),
    ...audience.usergroups.map(mentionUsergroup),
    ...(audience.everyone ? ['anyone in the team'] : []),
  ];
  const approvedBy = a.votes.length > 0 ? ` — ${a.votes.map((v) => mentionUser(v.userId)).join(', ')}` : '';
  const pending = a.state === 'pending';
  const ask = `${mentionUser(a.requester)} asks to *${OPERATIONS[a.operation].verb}* *${safeText(name, 200)}* (${code(a.instanceId, 70)}).${
    a.reason ? `\nReason: “${safeText(a.reason, 500)}”` : ''
  }`;
  const status = a.instanceStatus ? `${statusEmoji(a.instanceStatus)} *${safeText(a.instanceStatus, 40)}*` : '—';

  return message(
    `Approval needed: ${OPERATIONS[a.operation].title} ${safeText(name, 150)} (${a.instanceId}), asked by ${mentionUser(a.requester)} — ${a.votes.length} of ${a.count} approvals`,
    [
      header(`${pending ? 'Approval needed' : 'Approval request'} · ${OPERATIONS[a.operation].title} ${name}`),
      section(ask),
      fields([
        `*Operation*\n${a.operation}`,
        `*Status when asked*\n${status}`,
        `*Approvals*\n${a.votes.length} of ${a.count}${approvedBy}`,
        `*Who may approve*\n${who.length > 0 ? who.join(', ') : '—'}`,
        `*${pending ? 'Expires' : 'Expiry'}*\n${slackDate(new Date(a.expiresAt).toISOString())}`,
        `*Requester*\n${mentionUser(a.requester)} (cannot approve)`,
      ]),
      outcome ? section(outcome) : undefined,
      context([`Rule ${code(a.rule, 40)} · approval ${code(a.id, 60)}`]),
      pending
        ? actions(
            [
              button({
                text: 'Approve',
                actionId: ACTION_IDS.approve,
                value: a.id,
                style: 'primary',
                confirm: confirmDialog({
                  title: `Approve ${OPERATIONS[a.operation].verb}?`,
                  text: `Your approval may run *${OPERATIONS[a.operation].verb}* on *${safeText(name, 100)}* (${code(a.instanceId, 60)}) at once.`,
                  confirm: 'Approve',
                  deny: 'Cancel',
                  style: a.operation === 'TERMINATE' ? 'danger' : 'primary',
                }),
              }),
              button({ text: 'Reject', actionId: ACTION_IDS.reject, value: a.id, style: 'danger' }),
            ],
            'approval_actions',
          )
        : undefined,
    ],
  );
}
