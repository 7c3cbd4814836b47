import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { canonicalInstanceId, isInstanceId } from '../../core';
import { renderCannotPost, renderInternalError } from '../blocks/replies';
import { renderUsage } from '../blocks/usage';
import { clickContext, clickPrincipal } from '../payloads';
import { buildActionLog } from '../present/actionLog';
import { replyVia } from '../present/reply';
import { authorizeView } from './commands/authorizeView';
import type { ListenerDeps } from './context';
import { parseJsonOrUndefined } from '../../util/json';

const shareValue = z.strictObject({
  kind: z.literal('log'),
  instance_id: z.string().refine(isInstanceId),
  workspace_id: z.string().refine(isInstanceId),
});

/** "Share in channel": posts a privately shown action log for everyone, re-read and re-authorized. */
export function shareButtonListener(deps: ListenerDeps) {
  return async ({ ack, body, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const reply = replyVia(respond, deps.logger);
    try {
      const click = clickContext(body, deps.botId);
      const parsed = shareValue.safeParse(parseJsonOrUndefined(click?.value ?? ''));
      if (!click?.channelId || !parsed.success) return await reply(renderUsage({ kind: 'foreign_button', button: 'share' }));
      const principal = clickPrincipal(click, click.channelId);
      const target = { workspaceId: parsed.data.workspace_id, instanceId: canonicalInstanceId(parsed.data.instance_id) };
      if (!(await authorizeView(deps, principal, reply, target))) return;
      const posted = await deps.gateway.postMessage(click.channelId, await buildActionLog(deps, target, { by: click.userId }));
      if (!posted.ok) await reply(renderCannotPost(click.channelId, posted.error, false));
    } catch (err) {
      deps.logger.error('a share click failed', { err });
      await reply(renderInternalError());
    }
  };
}
