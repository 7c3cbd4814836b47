import type { Permission } from '../../../core';
import type { Principal } from '../../../policy/evaluate';
import { renderCan } from '../../blocks/replies';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';

/**
 * `can <retry|terminate|view>`: the decision for this person in this channel, and the rule behind
 * it, for the workspace commands act on (SECMASTER_WORKSPACE_ID); and the same for a Workflow
 * Builder step that names them (spec section 10), since a rule's `via:` decides that separately.
 */
export async function runCan(deps: Pick<ListenerDeps, 'ops' | 'defaultWorkspaceId'>, principal: Principal, permission: Permission, reply: Reply): Promise<void> {
  const decision = await deps.ops.authorize(principal, permission, deps.defaultWorkspaceId);
  // And for retry and terminate, whether a Workflow Builder step naming this person may (no channel, via: workflow).
  const workflow = permission === 'VIEW' ? undefined : await deps.ops.authorize({ ...principal, channelId: '', via: 'workflow' }, permission, deps.defaultWorkspaceId);
  await reply(renderCan(decision, permission, deps.defaultWorkspaceId, workflow));
}
