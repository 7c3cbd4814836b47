import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Operation } from '../../secmaster/schemas';
import { decodeButtonValue } from '../blocks/buttonValue';
import { renderInternalError, renderUsage } from '../blocks/replies';
import type { CardPlacement } from '../cards/cardService';
import { clickContext } from '../payloads';
import { presentOutcome, statusCardContext } from '../present/outcome';
import { replyVia } from '../present/reply';
import type { ListenerDeps } from './context';

/**
 * `playbook_retry` / `playbook_terminate` clicks, on our cards or any app's message. Authorized like
 * the command, for the person who clicked, in the message's channel. On our own card the card
 * becomes the status card; on another app's message the status card goes in its thread.
 */
export function operationButtonListener(deps: ListenerDeps, operation: Operation) {
  return async ({ ack, body, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const reply = replyVia(respond, deps.logger);
    try {
      const click = clickContext(body, deps.botId);
      if (!click?.channelId) return await reply(renderUsage('this click came without a team, user or channel'));
      const target = decodeButtonValue(click.value, deps.defaultWorkspaceId);
      if (!target) return await reply(renderUsage("this button's value is not an instance ID (or JSON with instance_id and workspace_id)"));

      const principal = { teamId: click.teamId, userId: click.userId, channelId: click.channelId };
      if (click.ownMessage && click.messageTs && !click.isEphemeral) await deps.cards.takeOver(click.channelId, click.messageTs);

      let placement: CardPlacement = { kind: 'new' };
      let base;
      if (click.messageTs && !click.isEphemeral) {
        if (click.ownMessage) {
          placement = { kind: 'update', ts: click.messageTs, ...(click.threadTs ? { threadTs: click.threadTs } : {}) };
          base = (await deps.store.getCard(click.channelId, click.messageTs).catch(() => undefined))?.context;
        } else {
          placement = { kind: 'thread', threadTs: click.threadTs ?? click.messageTs };
        }
      }
      const card = { placement, context: statusCardContext({ base, requester: click.userId, operation }) };
      const outcome = await deps.ops.requestOperation({ principal, operation, target, card });
      await presentOutcome(deps.cards, { outcome, target, channel: click.channelId, requester: click.userId, placement, base, via: 'button', reply });
    } catch (err) {
      deps.logger.error('a button click failed', { err, operation });
      await reply(renderInternalError());
    }
  };
}
