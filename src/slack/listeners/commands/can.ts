import type { Permission } from '../../../core';
import type { Principal } from '../../../policy/evaluate';
import { renderCan } from '../../blocks/replies';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';

/**
 * `can <retry|terminate|view>`: the decision for this person in this channel, and the rule behind
 * it, for the workspace commands act on (SECMASTER_WORKSPACE_ID).
 */
export async function runCan(deps: Pick<ListenerDeps, 'ops' | 'defaultWorkspaceId'>, principal: Principal, permission: Permission, reply: Reply): Promise<void> {
  await reply(renderCan(await deps.ops.authorize(principal, permission, deps.defaultWorkspaceId), permission, deps.defaultWorkspaceId));
}
