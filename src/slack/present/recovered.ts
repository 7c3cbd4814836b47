import { instanceRef, type Attempt } from '../../core';
import type { OperationOutcome } from '../../domain/outcome';
import type { Logger } from '../../log';
import type { RecoverySink } from '../../operations/recovery';
import type { ApprovalFlow } from '../approvals/flow';
import { renderOutcomeReply, unconfirmedNote } from '../blocks/replies';
import type { CardService } from '../cards/cardService';
import type { SlackGateway } from '../gateway';

/**
 * Shows what became of an operation whose process stopped during the call (see
 * `operations/recovery.ts`): when it took effect the status card is posted or updated where the
 * request would have put it and followed again; an approval card that did not lead anywhere says so;
 * and the requester is told privately in the request's channel (their `response_url` died with the
 * process, so through `chat.postEphemeral`).
 */
export function createRecoveredPresenter(deps: {
  cards: Pick<CardService, 'publish'>;
  gateway: Pick<SlackGateway, 'postEphemeral'>;
  approvalFlow: Pick<ApprovalFlow, 'closeInterruptedAttempt'>;
  logger: Logger;
}): RecoverySink {
  return {
    async recovered(attempt: Attempt, outcome: OperationOutcome) {
      let postedCard = false;
      if (outcome.code === 'done_unconfirmed' && attempt.channel && attempt.card) {
        const posted = await deps.cards.publish({
          channel: attempt.channel,
          instance: outcome.instance,
          target: instanceRef(attempt),
          card: attempt.card.context,
          placement: attempt.card.placement,
          note: unconfirmedNote(outcome.error),
        });
        postedCard = posted.ok;
        if (!posted.ok) deps.logger.warn('could not show the card of a resolved operation', { attempt: attempt.id, error: posted.error });
      } else if (attempt.approvalId) {
        await deps.approvalFlow.closeInterruptedAttempt(attempt.approvalId, outcome);
      }
      if (!attempt.channel) return;
      const told = await deps.gateway.postEphemeral(attempt.channel, attempt.requester, renderOutcomeReply(outcome, { postedCard, channel: attempt.channel }));
      if (!told.ok) deps.logger.warn('could not tell the requester what became of their operation', { attempt: attempt.id, error: told.error });
    },
  };
}
