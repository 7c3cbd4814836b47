import { z } from 'zod';
import { canonicalInstanceId, isInstanceId, type InstanceRef } from '../../core';
import { parseJsonOrUndefined } from '../../util/json';
import { renderCannotPost } from '../blocks/replies';
import { actionLogAnswerMessage } from '../present/queryAnswers';
import type { ListenerDeps } from './context';
import { wrapClick } from './wrap';

const shareValue = z.strictObject({
  kind: z.literal('log'),
  instance_id: z.string().refine(isInstanceId),
  workspace_id: z.string().refine(isInstanceId),
});

function sharedLog(raw: string | undefined): InstanceRef | undefined {
  const parsed = shareValue.safeParse(parseJsonOrUndefined(raw ?? ''));
  return parsed.success ? { workspaceId: parsed.data.workspace_id, instanceId: canonicalInstanceId(parsed.data.instance_id) } : undefined;
}

/** "Share in channel": posts a privately shown action log for everyone, re-read and re-authorized. */
export function shareButtonListener(deps: ListenerDeps) {
  const refused = { kind: 'foreign_button', button: 'share' } as const;
  return wrapClick(deps, { failure: 'a share click failed', value: sharedLog, noClick: refused, channel: refused, badValue: refused }, async ({ click, principal, value, reply }) => {
    const answer = await deps.queries.actionLog(principal, value);
    // A denial is said to the clicker alone; anything read (or the read's failure) goes to the channel.
    if (answer.code === 'denied') return reply(actionLogAnswerMessage(answer));
    const posted = await deps.gateway.postMessage(principal.channelId, actionLogAnswerMessage(answer, { by: click.userId }));
    if (!posted.ok) await reply(renderCannotPost(principal.channelId, posted.error, false));
  });
}
