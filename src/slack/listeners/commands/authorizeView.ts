import type { Principal } from '../../../policy/evaluate';
import { renderDenied } from '../../blocks/replies';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';

/** VIEW guards `status`, `list` and `log` (and the buttons that show the same), in one SecMaster workspace; a denial is answered and audited here. */
export async function authorizeView(
  deps: Pick<ListenerDeps, 'ops' | 'audit'>,
  principal: Principal,
  reply: Reply,
  where: { workspaceId: string; instanceId?: string },
): Promise<boolean> {
  const decision = await deps.ops.authorize(principal, 'VIEW', where.workspaceId);
  if (decision.effect === 'allow') return true;
  if (decision.effect === 'deny') {
    await deps.audit.record({ event: 'denied', operation: 'VIEW', instance_id: where.instanceId, workspace_id: where.workspaceId, user: principal.userId, channel: principal.channelId, outcome: decision.reason, detail: decision.detail });
    await reply(renderDenied(decision, 'VIEW'));
    return false;
  }
  // Viewing never waits for approval: a VIEW rule with approval is refused by the policy loader.
  return true;
}
