import { instanceRef, sameInstance, type CardContext, type CardPlacement, type InstanceRef, type Operation } from '../../core';
import { decodeButtonValue } from '../blocks/buttonValue';
import { renderUsage } from '../blocks/usage';
import { presentOutcome, statusCardContext } from '../present/outcome';
import type { ListenerDeps } from './context';
import { wrapClick } from './wrap';

/**
 * `playbook_retry` / `playbook_terminate` clicks, on our cards or any app's message. Authorized like
 * the command, for the person who clicked, in the message's channel. On our own card the card
 * becomes the status card; on another app's message the status card goes in its thread.
 *
 * On a card the bot posted and recorded, the record says which instance (and workspace) the card is
 * about: a value naming anything else is refused, so no click can turn one instance's card into
 * another's. Nothing here changes state before the operations service has authorized the clicker:
 * the card is only taken over from its watcher when it is rewritten (`cards.publish`).
 */
export function operationButtonListener(deps: ListenerDeps, operation: Operation) {
  return wrapClick(
    deps,
    {
      failure: 'a button click failed',
      logFields: { operation },
      value: (raw) => decodeButtonValue(raw, deps.defaultWorkspaceId),
      noClick: { kind: 'click_without_channel' },
      channel: { kind: 'click_without_channel' },
      badValue: { kind: 'not_instance_button', json: true },
    },
    async ({ click, principal, value: named, reply }) => {
      const channel = principal.channelId;
      const onOurCard = click.ownMessage && click.messageTs !== undefined && !click.isEphemeral;
      const card = onOurCard ? await deps.store.getCard(channel, click.messageTs!) : undefined;
      let target: InstanceRef = named;
      let base: Partial<CardContext> | undefined;
      if (card) {
        const recorded = instanceRef(card);
        if (!sameInstance(recorded, named)) {
          deps.logger.warn('refused a click whose value names another instance than its card', { channel, ts: click.messageTs, user: click.userId, card: recorded, value: named });
          return reply(renderUsage({ kind: 'button_names_other_instance', named, card: recorded }));
        }
        target = recorded;
        base = card.context;
      }

      let placement: CardPlacement = { kind: 'new' };
      if (click.messageTs && !click.isEphemeral) {
        placement = click.ownMessage
          ? { kind: 'update', ts: click.messageTs, ...(click.threadTs ? { threadTs: click.threadTs } : {}) }
          : { kind: 'thread', threadTs: click.threadTs ?? click.messageTs };
      }
      // Where the status card goes and what it shows, kept with the attempt in case the process stops mid-call.
      const statusCard = { placement, context: statusCardContext({ base, requester: click.userId, operation }) };
      const outcome = await deps.ops.requestOperation({ principal, operation, target, card: statusCard });
      await presentOutcome(deps, { outcome, target, channel, requester: click.userId, placement, base, via: 'button', reply });
    },
  );
}
