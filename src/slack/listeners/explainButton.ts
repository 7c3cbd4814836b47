import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { decodeButtonValue } from '../blocks/buttonValue';
import { renderInternalError } from '../blocks/replies';
import { renderUsage } from '../blocks/usage';
import { clickContext, clickPrincipal } from '../payloads';
import { showActionLog } from '../present/actionLog';
import { replyVia } from '../present/reply';
import { authorizeView } from './commands/authorizeView';
import type { ListenerDeps } from './context';

/** "Why did it fail?" on FAILED cards: the action log, shown privately to whoever clicked (VIEW). */
export function explainButtonListener(deps: ListenerDeps) {
  return async ({ ack, body, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const reply = replyVia(respond, deps.logger);
    try {
      const click = clickContext(body, deps.botId);
      const target = decodeButtonValue(click?.value, deps.defaultWorkspaceId);
      if (!click?.channelId || !target) return await reply(renderUsage({ kind: 'not_instance_button', json: false }));
      const principal = clickPrincipal(click, click.channelId);
      if (!(await authorizeView(deps, principal, reply, target))) return;
      await showActionLog(deps, target, reply);
    } catch (err) {
      deps.logger.error('a "why did it fail" click failed', { err });
      await reply(renderInternalError());
    }
  };
}
