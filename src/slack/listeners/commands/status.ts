import type { InstanceRef } from '../../../core';
import type { Principal } from '../../../policy/evaluate';
import { statusAnswerMessage } from '../../present/queryAnswers';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';

/** `status <id>`: the instance's card, shown to the requester with the buttons its status allows. */
export async function runStatus(deps: Pick<ListenerDeps, 'queries' | 'defaultWorkspaceId'>, principal: Principal, instanceId: string, reply: Reply): Promise<void> {
  const target: InstanceRef = { workspaceId: deps.defaultWorkspaceId, instanceId };
  await reply(statusAnswerMessage(await deps.queries.status(principal, target), deps.defaultWorkspaceId));
}
