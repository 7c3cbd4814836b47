import type { ApprovalService, DecideResult } from '../../approvals/service';
import { instanceRef, type Approval } from '../../core';
import type { OperationOutcome } from '../../domain/outcome';
import type { Logger } from '../../log';
import { approverAudience, type SlackIdentity } from '../../policy/evaluate';
import type { Policy } from '../../policy/load';
import { renderApprovalCard } from '../blocks/approvalCard';
import {
  approvalFailedLine,
  approvalInterruptedAttemptLine,
  approvalInterruptedLine,
  approvalStateLine,
  approvalVoidLine,
  renderApprovedConfirmation,
  renderClickAnswer,
  renderRejectedConfirmation,
  renderRequesterNotice,
  renderUnknownApproval,
  renderVoidConfirmation,
  type RequesterNotice,
} from '../blocks/approvalReplies';
import { renderOutcomeReply, unconfirmedNote } from '../blocks/replies';
import type { CardService } from '../cards/cardService';
import type { SlackGateway } from '../gateway';
import type { Reply } from '../present/reply';

/**
 * The Slack side of approvals: posts the approval card in the request's channel, answers Approve
 * and Reject clicks (updating the card, telling late or wrong clickers what happened), turns the
 * card into the status card once the operation runs, and closes expired requests.
 */
export interface ApprovalFlow {
  /**
   * Posts the card of an approval the operations service just recorded. When it cannot be posted
   * nobody could approve it, so the approval is made void; the answer is the approval as it now
   * stands (with the card's `messageTs`, or void with Slack's error as its detail).
   */
  post(approval: Approval): Promise<Approval>;
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
  approvals: ApprovalService;
  gateway: SlackGateway;
  cards: CardService;
  policy: () => Policy;
  logger: Logger;
}): ApprovalFlow {
  const { approvals: service, gateway } = deps;
  const card = (a: Approval, outcome?: string) => renderApprovalCard({ approval: a, audience: approverAudience(deps.policy(), a.approverRoles), outcome });

  async function updateCard(a: Approval, outcome?: string) {
    if (!a.messageTs) return;
    const res = await gateway.updateMessage(a.channel, a.messageTs, card(a, outcome));
    if (!res.ok) deps.logger.warn('could not update an approval card', { approval: a.id, error: res.error });
  }

  async function tellRequester(a: Approval, notice: RequesterNotice) {
    if (!a.messageTs) return;
    await gateway.postMessage(a.channel, renderRequesterNotice(a, notice), a.messageTs);
  }

  /** An expired request: the card says so and loses its buttons, and the requester is told in its thread. */
  async function closeExpired(a: Approval) {
    await updateCard(a, approvalStateLine(a));
    await tellRequester(a, { kind: 'expired' });
  }

  /** The card shows `line` and the requester is told the same in its thread. */
  async function announce(a: Approval, line: string) {
    await updateCard(a, line);
    await tellRequester(a, { kind: 'line', line });
  }

  async function show(result: DecideResult, reply: Reply, clicker: string, confirm: boolean): Promise<void> {
    switch (result.kind) {
      case 'not_found':
        return reply(renderUnknownApproval());
      case 'self':
      case 'not_approver':
      case 'duplicate':
      case 'closed':
        return reply(renderClickAnswer(result.kind, result.approval));
      case 'expired':
        // This click found it expired before the expiry loop did: close it as the loop would have.
        if (result.justExpired) await closeExpired(result.approval);
        return reply(renderClickAnswer('expired', result.approval));
      case 'counted':
        await updateCard(result.approval);
        return reply(renderClickAnswer('counted', result.approval));
      case 'rejected':
        await updateCard(result.approval, approvalStateLine(result.approval));
        await tellRequester(result.approval, { kind: 'rejected', by: clicker });
        if (confirm) await reply(renderRejectedConfirmation(result.approval));
        return;
      case 'void': {
        await announce(result.approval, approvalVoidLine(result.approval, result.why));
        if (confirm) await reply(renderVoidConfirmation(result.approval, result.why));
        return;
      }
      case 'executed': {
        const a = result.approval;
        const outcome = result.outcome;
        if (outcome.code !== 'done' && outcome.code !== 'done_unconfirmed') return;
        const posted = await deps.cards.publish({
          channel: a.channel,
          instance: outcome.instance,
          target: instanceRef(a),
          card: { kind: 'status', requester: a.requester, operation: a.operation, reason: a.reason, approvers: a.votes.map((v) => v.userId), requestId: outcome.requestId },
          placement: a.messageTs ? { kind: 'update', ts: a.messageTs } : { kind: 'new' },
          note: outcome.code === 'done_unconfirmed' ? unconfirmedNote(outcome.error) : undefined,
        });
        if (!posted.ok) await reply(renderOutcomeReply(outcome, { postedCard: false }));
        else if (confirm) await reply(renderApprovedConfirmation(a, outcome.instance));
        return;
      }
      case 'failed': {
        await announce(result.approval, approvalFailedLine(result.outcome));
        await reply(renderOutcomeReply(result.outcome));
        return;
      }
    }
  }

  return {
    async post(approval) {
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
      for (const a of interrupted) await announce(a, approvalInterruptedLine(a));
      return expired.length + interrupted.length;
    },

    async closeInterruptedAttempt(approvalId, outcome) {
      const a = await service.get(approvalId);
      if (!a) return;
      await updateCard(a, approvalInterruptedAttemptLine(a, outcome));
    },
  };
}
