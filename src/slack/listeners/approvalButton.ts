import type { BlockAction } from '@slack/bolt';
import { publishHome } from '../home/publishHome';
import type { Reply } from '../present/reply';
import type { ListenerDeps } from './context';
import { wrapClick } from './wrap';

const APPROVAL_ID = /^apr_[A-Za-z0-9_-]{8,64}$/;

/** A reply for a click in the Home tab, which has no response_url: what it says becomes a banner on the re-published tab. */
type ApprovalReply = Reply & { banner?: () => string | undefined };

function homeBannerReply(): ApprovalReply {
  let banner: string | undefined;
  const reply: ApprovalReply = async (msg) => {
    banner = msg.blocks.map((b) => ('text' in b && b.text ? b.text.text : '')).join('\n') || msg.text;
  };
  reply.banner = () => banner;
  return reply;
}

const fromHome = (body: unknown) => (body as BlockAction & { view?: { type?: string } }).view?.type === 'home';

/** `playbook_approve` / `playbook_reject`: the value is an opaque approval ID; what runs comes from the store. */
export function approvalButtonListener(deps: ListenerDeps, verdict: 'approve' | 'reject') {
  return wrapClick(
    deps,
    {
      failure: 'an approval click failed',
      logFields: { verdict },
      value: (raw) => (raw && APPROVAL_ID.test(raw) ? raw : undefined),
      noClick: { kind: 'click_without_user' },
      channel: 'optional',
      badValue: { kind: 'not_approval_button' },
      reply: (body, viaResponseUrl): ApprovalReply => (fromHome(body) ? homeBannerReply() : viaResponseUrl),
    },
    // Who decides is the clicker with their own team (user.team_id), never only the team the click came through.
    async ({ principal: clicker, value: approvalId, reply }) => {
      await deps.approvalFlow.handleClick(approvalId, clicker, verdict, reply, { confirm: reply.banner !== undefined });
      if (reply.banner) await publishHome(deps, clicker, reply.banner());
    },
  );
}
