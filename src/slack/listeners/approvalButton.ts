import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { renderInternalError } from '../blocks/replies';
import { renderUsage } from '../blocks/usage';
import { publishHome } from '../home/publishHome';
import { clickContext } from '../payloads';
import { replyVia, type Reply } from '../present/reply';
import type { ListenerDeps } from './context';

const APPROVAL_ID = /^apr_[A-Za-z0-9_-]{8,64}$/;

/** `playbook_approve` / `playbook_reject`: the value is an opaque approval ID; what runs comes from the store. */
export function approvalButtonListener(deps: ListenerDeps, verdict: 'approve' | 'reject') {
  return async ({ ack, body, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const click = clickContext(body, deps.botId);
    // A click in the Home tab has no response_url: the answer becomes a banner on the re-published tab.
    const fromHome = (body as { view?: { type?: string } }).view?.type === 'home';
    let banner: string | undefined;
    const reply: Reply = fromHome
      ? async (msg) => {
          banner = msg.blocks.map((b) => ('text' in b && b.text ? b.text.text : '')).join('\n') || msg.text;
        }
      : replyVia(respond, deps.logger);
    try {
      if (!click) return await reply(renderUsage({ kind: 'click_without_user' }));
      if (!click.value || !APPROVAL_ID.test(click.value)) return await reply(renderUsage({ kind: 'not_approval_button' }));
      // Who decides is the clicker with their own team (user.team_id), never only the team the click came through.
      const clicker = { teamId: click.teamId, userId: click.userId, channelId: click.channelId, userTeamId: click.userTeamId, enterpriseId: click.enterpriseId };
      await deps.approvals.handleClick(click.value, clicker, verdict, reply, { confirm: fromHome });
      if (fromHome) await publishHome({ ...deps, approvals: deps.approvalService }, clicker, banner);
    } catch (err) {
      deps.logger.error('an approval click failed', { err, verdict });
      await reply(renderInternalError());
    }
  };
}
