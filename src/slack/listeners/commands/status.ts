import type { Principal } from '../../../policy/evaluate';
import { secMasterErrorOrRethrow } from '../../../secmaster/errors';
import { renderInstanceReadError } from '../../blocks/replies';
import { renderStatusCard } from '../../blocks/statusCard';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';
import { authorizeView } from './authorizeView';

/** `status <id>`: the instance's card, shown to the requester with the buttons its status allows. */
export async function runStatus(deps: Pick<ListenerDeps, 'ops' | 'audit' | 'secmaster' | 'defaultWorkspaceId'>, principal: Principal, instanceId: string, reply: Reply): Promise<void> {
  const target = { workspaceId: deps.defaultWorkspaceId, instanceId };
  if (!(await authorizeView(deps, principal, reply, target))) return;
  try {
    const answer = await deps.secmaster.getInstance(target);
    await reply(renderStatusCard({ instance: answer.data, target, defaultWorkspaceId: deps.defaultWorkspaceId, card: { kind: 'status', requestId: answer.requestId }, buttons: true }));
  } catch (err) {
    await reply(renderInstanceReadError(secMasterErrorOrRethrow(err), target));
  }
}
