import type { Principal } from '../../../policy/evaluate';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';
import { authorizeView } from './authorizeView';
import { showActionLog } from '../../present/actionLog';

/** `log <id>`: why an instance failed, from its action log; shown privately, with a way to share it. */
export async function runLog(deps: Pick<ListenerDeps, 'ops' | 'audit' | 'secmaster' | 'logger' | 'defaultWorkspaceId'>, principal: Principal, instanceId: string, reply: Reply): Promise<void> {
  const target = { workspaceId: deps.defaultWorkspaceId, instanceId };
  if (!(await authorizeView(deps, principal, reply, target))) return;
  await showActionLog(deps, target, reply);
}
