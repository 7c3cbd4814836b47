import type { ApprovalService, DecideResult } from '../../approvals/service';
import type { OperationOutcome } from '../../domain/outcome';
import type { Logger } from '../../log';
import type { ApprovalRequester } from '../../operations/service';
import { approverAudience, type SlackIdentity } from '../../policy/evaluate';
import type { Policy } from '../../policy/load';
import type { Approval } from '../../store/types';
import { renderApprovalCard } from '../blocks/approvalCard';
import { describeSecMasterError } from '../blocks/errorText';
import { message, section } from '../blocks/kit';
import { renderOutcomeReply, unconfirmedNote } from '../blocks/replies';
import type { CardService } from '../cards/cardService';
import type { SlackGateway } from '../gateway';
import { channelLink, code, mentionUser, safeText, slackDate } from '../mrkdwn';
import type { Reply } from '../present/reply';
import { approvalInstanceTitle } from '../blocks/instanceFacts';
import { SLASH_COMMAND } from '../ids';

/**
 * The Slack side of approvals: posts the approval card in the request's channel, answers Approve
 * and Reject clicks (updating the card, telling late or wrong clickers what happened), turns the
 * card into the status card once the operation runs, and closes expired requests.
 */
export interface ApprovalFlow extends ApprovalRequester {
  /**
   * `confirm`: also answer the clicker when the decision went through (approved and run, rejected,
   * void). A click on the card needs no such answer, the card shows it; a click in the Home tab does,
   * since the clicker does not see the card.
   */
  handleClick(
    approvalId: string,
    clicker: SlackIdentity & { channelId?: string },
    verdict: 'approve' | 'reject',
    reply: Reply,
    opts?: { confirm?: boolean },
  ): Promise<void>;
  /** Closes due approvals (their cards lose their buttons); returns how many. */
  expireDue(): Promise<number>;
  /**
   * An approved request whose process stopped during the POST, found not to have taken effect (or
   * not to be checkable): its card loses its buttons and says so. (One that took effect becomes the
   * status card instead.)
   */
  closeInterruptedAttempt(approvalId: string, outcome: OperationOutcome): Promise<void>;
}

export function createApprovalFlow(deps: {
  service: ApprovalService;
  gateway: SlackGateway;
  cards: CardService;
  policy: () => Policy;
  logger: Logger;
}): ApprovalFlow {
  const { service, gateway } = deps;
  const card = (a: Approval, outcome?: string) => renderApprovalCard({ approval: a, audience: approverAudience(deps.policy(), a.approverRoles), outcome });

  async function updateCard(a: Approval, outcome?: string) {
    if (!a.messageTs) return;
    const res = await gateway.updateMessage(a.channel, a.messageTs, card(a, outcome));
    if (!res.ok) deps.logger.warn('could not update an approval card', { approval: a.id, error: res.error });
  }

  async function tellRequester(a: Approval, text: string) {
    if (!a.messageTs) return;
    await gateway.postMessage(a.channel, message(text, [section(text)]), a.messageTs);
  }

  const stateLine = (a: Approval): string => {
    const when = a.decidedAt ? ` ${slackDate(new Date(a.decidedAt).toISOString())}` : '';
    switch (a.state) {
      case 'rejected':
        return `:no_entry: Rejected by ${a.decidedBy ? mentionUser(a.decidedBy) : 'an approver'}${when}. Nothing was sent.`;
      case 'expired':
        return `:hourglass: Expired${when}: it was not approved in time. Nothing was sent.`;
      case 'void':
        return `:warning: Void: ${safeText(a.detail ?? 'no longer applies', 200)}. Nothing was sent.`;
      case 'approved':
        return `:white_check_mark: Approved by ${a.decidedBy ? mentionUser(a.decidedBy) : 'an approver'}${when}; running it now.`;
      case 'executed':
        return `:white_check_mark: Approved by ${a.votes.map((v) => mentionUser(v.userId)).join(', ')}${when} and carried out.`;
      case 'failed':
        return `:x: Approved${when}, but the operation did not go through.`;
      default:
        return '';
    }
  };

  /** An expired request: the card says so and loses its buttons, and the requester is told in its thread. */
  async function closeExpired(a: Approval) {
    await updateCard(a, stateLine(a));
    await tellRequester(a, `${mentionUser(a.requester)} your ${a.operation.toLowerCase()} request expired without approval. Nothing was sent.`);
  }

  const what = (a: Approval) => `the ${a.operation.toLowerCase()} of *${safeText(approvalInstanceTitle(a), 150)}* (${code(a.instanceId, 70)})`;

  async function show(result: DecideResult, reply: Reply, clicker: string, confirm: boolean): Promise<void> {
    const say = (text: string) => reply(message(text, [section(text)]));
    switch (result.kind) {
      case 'not_found':
        return say(':grey_question: This approval request is unknown here; it may belong to another installation. Nothing was done.');
      case 'self':
        return say(':raised_hand: You asked for this, so someone else must approve it (two-person rule). Nothing was done.');
      case 'not_approver':
        return say(`:no_entry: Only ${result.approval.approverRoles.map((r) => code(r, 64)).join(', ')} may decide this request. Nothing was done.`);
      case 'duplicate':
        return say(`:ballot_box_with_check: Your approval is already counted (${result.approval.votes.length} of ${result.approval.count}).`);
      case 'closed':
        return say(`:information_source: Already decided: ${stateLine(result.approval)}`);
      case 'expired':
        // This click found it expired before the expiry loop did: close it as the loop would have.
        if (result.justExpired) await closeExpired(result.approval);
        return say(`:hourglass: This request expired ${slackDate(new Date(result.approval.expiresAt).toISOString())}. Nothing was done; ask again if it is still needed.`);
      case 'counted':
        await updateCard(result.approval);
        return say(`:ballot_box_with_check: Your approval is counted: ${result.approval.votes.length} of ${result.approval.count}.`);
      case 'rejected':
        await updateCard(result.approval, stateLine(result.approval));
        await tellRequester(result.approval, `${mentionUser(result.approval.requester)} your request was rejected by ${mentionUser(clicker)}.`);
        if (confirm) await say(`:no_entry: You rejected ${what(result.approval)} in ${channelLink(result.approval.channel)}. Nothing was sent.`);
        return;
      case 'void': {
        const why = result.why;
        const line =
          why.kind === 'status'
            ? `:warning: Approved, but the instance is now *${safeText(why.status, 40)}*, so ${result.approval.operation} no longer applies. The approval is void; nothing was sent.`
            : `:warning: Approved, but the policy in force no longer allows it: ${safeText(why.detail, 300)}. The approval is void; nothing was sent.`;
        await updateCard(result.approval, line);
        await tellRequester(result.approval, `${mentionUser(result.approval.requester)} ${line}`);
        if (confirm) await say(line);
        return;
      }
      case 'executed': {
        const a = result.approval;
        const outcome = result.outcome;
        if (outcome.code !== 'done' && outcome.code !== 'done_unconfirmed') return;
        const posted = await deps.cards.publish({
          channel: a.channel,
          instance: outcome.instance,
          target: { workspaceId: a.workspaceId, instanceId: a.instanceId },
          card: { kind: 'status', requester: a.requester, operation: a.operation, reason: a.reason, approvers: a.votes.map((v) => v.userId), requestId: outcome.requestId },
          placement: a.messageTs ? { kind: 'update', ts: a.messageTs } : { kind: 'new' },
          note: outcome.code === 'done_unconfirmed' ? unconfirmedNote(outcome.error) : undefined,
        });
        if (!posted.ok) await reply(renderOutcomeReply(outcome, { postedCard: false }));
        else if (confirm) {
          await say(`:white_check_mark: You approved ${what(a)}: sent, it is now *${safeText(outcome.instance.status, 40)}*. The card in ${channelLink(a.channel)} follows it.`);
        }
        return;
      }
      case 'failed': {
        const why = 'error' in result.outcome ? describeSecMasterError(result.outcome.error) : code(result.outcome.code, 40);
        const line = `:x: Approved, but it did not go through: ${why}`;
        await updateCard(result.approval, line);
        await tellRequester(result.approval, `${mentionUser(result.approval.requester)} ${line}`);
        await reply(renderOutcomeReply(result.outcome));
        return;
      }
    }
  }

  return {
    findPending: (target, operation) => service.findPending(target, operation),

    async ask(input) {
      const approval = await service.create(input);
      const posted = await gateway.postMessage(approval.channel, card(approval));
      if (!posted.ok) {
        await service.abandon(approval, `the approval card could not be posted (${posted.error})`);
        return { ...approval, state: 'void', detail: posted.error };
      }
      const withTs = { ...approval, messageTs: posted.value.ts };
      await service.setMessage(approval.id, posted.value.ts);
      return withTs;
    },

    async handleClick(approvalId, clicker, verdict, reply, opts = {}) {
      const result = await service.decide(approvalId, clicker, verdict);
      await show(result, reply, clicker.userId, opts.confirm ?? false);
    },

    async expireDue() {
      const expired = await service.expireDue();
      for (const a of expired) await closeExpired(a);
      const interrupted = await service.closeInterrupted();
      for (const a of interrupted) {
        const line = `:warning: Approved, but the bot stopped before it could record what SecMaster did. It was not sent again: check \`${SLASH_COMMAND} status ${a.instanceId}\`.`;
        await updateCard(a, line);
        await tellRequester(a, `${mentionUser(a.requester)} ${line}`);
      }
      return expired.length + interrupted.length;
    },

    async closeInterruptedAttempt(approvalId, outcome) {
      const a = await service.get(approvalId);
      if (!a) return;
      const line =
        outcome.code === 'not_applied'
          ? `:x: Approved and sent, but the bot stopped during the call; a read shows it did not take effect (the instance is *${safeText(outcome.instance.status, 40)}*). It was not repeated.`
          : `:warning: Approved and sent, but the bot stopped during the call and the outcome could not be checked. It was not repeated: check \`${SLASH_COMMAND} status ${a.instanceId}\`.`;
      await updateCard(a, line);
    },
  };
}
