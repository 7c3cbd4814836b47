import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { renderInternalError } from '../blocks/replies';
import { renderUsage } from '../blocks/usage';
import { clickContext, clickPrincipal } from '../payloads';
import { replyVia } from '../present/reply';
import { runList } from './commands/list';
import type { ListenerDeps } from './context';
import { INSTANCE_STATUSES } from '../../core';
import { parseJsonOrUndefined } from '../../util/json';

const pageValue = z.strictObject({
  status: z.enum(INSTANCE_STATUSES).nullable(),
  page: z.number().int().min(1).max(999),
});

/** Paging of `/playbook list`: the same VIEW check, then the page replaces the one shown. */
export function listPageListener(deps: ListenerDeps) {
  return async ({ ack, body, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const reply = replyVia(respond, deps.logger);
    try {
      const click = clickContext(body, deps.botId);
      const parsed = pageValue.safeParse(parseJsonOrUndefined(click?.value ?? ''));
      if (!click?.channelId || !parsed.success) return await reply(renderUsage({ kind: 'foreign_button', button: 'page' }));
      const principal = clickPrincipal(click, click.channelId);
      await runList(deps, principal, { status: parsed.data.status ?? undefined, page: parsed.data.page }, reply, true);
    } catch (err) {
      deps.logger.error('a list page click failed', { err });
      await reply(renderInternalError());
    }
  };
}
