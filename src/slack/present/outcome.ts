import type { CardContext, CardPlacement, InstanceRef, Operation } from '../../core';
import type { OperationOutcome } from '../../domain/outcome';
import { renderCannotPost, renderOutcomeReply, unconfirmedNote } from '../blocks/replies';
import type { ApprovalFlow } from '../approvals/flow';
import type { CardService } from '../cards/cardService';
import type { Reply } from './reply';

/**
 * Shows an operation's outcome: the channel gets the status card (new, the clicked card updated, or
 * a reply in another app's thread) and the requester a private line when there is something to say.
 */
export interface PresentInput {
  outcome: OperationOutcome;
  target: InstanceRef;
  channel: string;
  requester: string;
  reason?: string;
  placement: CardPlacement;
  /** What the card showed before (an alert's title and severity), kept on the status card. */
  base?: Partial<CardContext>;
  via: 'command' | 'button';
  reply: Reply;
}

/** What the status card of a request shows (before SecMaster's request ID is known). */
export function statusCardContext(input: Pick<PresentInput, 'base' | 'requester' | 'reason'> & { operation: Operation }): CardContext {
  return {
    kind: input.base?.kind ?? 'status',
    title: input.base?.title,
    severity: input.base?.severity,
    requester: input.requester,
    operation: input.operation,
    reason: input.reason,
  };
}

/** How long a private answer waits for its status card's post before it is sent anyway. */
const ANSWER_WITHIN_MS = 2_000;

/**
 * A request that needs approval comes back recorded, its card not yet posted: it is posted here,
 * and the requester told where it is (or that it could not be posted).
 */
export async function presentOutcome(deps: { cards: Pick<CardService, 'publishOrQueue'>; approvalFlow: Pick<ApprovalFlow, 'post'> }, input: PresentInput): Promise<void> {
  const { outcome } = input;
  if (outcome.code === 'approval_requested') {
    const approval = await deps.approvalFlow.post(outcome.approval);
    await input.reply(renderOutcomeReply({ ...outcome, approval }, { channel: input.channel }));
    return;
  }
  if (outcome.code !== 'done' && outcome.code !== 'done_unconfirmed') {
    await input.reply(renderOutcomeReply(outcome, { channel: input.channel }));
    return;
  }
  const note = outcome.code === 'done_unconfirmed' ? unconfirmedNote(outcome.error) : undefined;
  const card: CardContext = { ...statusCardContext({ ...input, operation: outcome.operation }), requestId: outcome.requestId };
  // The private answer does not wait behind a busy channel: a card still queued for Slack's limit is stored and will come.
  const posted = await deps.cards.publishOrQueue({ channel: input.channel, instance: outcome.instance, target: input.target, card, placement: input.placement, note }, ANSWER_WITHIN_MS, (error) =>
    input.reply(renderCannotPost(input.channel, error, true)),
  );
  if (!posted.ok) {
    await input.reply(renderCannotPost(input.channel, posted.error, true));
    await input.reply(renderOutcomeReply(outcome, { postedCard: false }));
    return;
  }
  // A typed command gets a private confirmation; a click already shows its result on the card.
  if (input.via === 'command' || outcome.code === 'done_unconfirmed') await input.reply(renderOutcomeReply(outcome, { postedCard: true }));
}
