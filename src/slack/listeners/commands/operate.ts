import type { PlaybookCommand } from '../../../domain/command';
import type { Principal } from '../../../policy/evaluate';
import { presentOutcome, statusCardContext } from '../../present/outcome';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';

/** `retry|terminate <id> [reason]`: typing the full command is the confirmation. */
export async function runOperate(
  deps: Pick<ListenerDeps, 'ops' | 'cards' | 'approvalFlow' | 'defaultWorkspaceId'>,
  principal: Principal,
  cmd: Extract<PlaybookCommand, { kind: 'operate' }>,
  reply: Reply,
): Promise<void> {
  const target = { workspaceId: deps.defaultWorkspaceId, instanceId: cmd.instanceId };
  const card = { placement: { kind: 'new' as const }, context: statusCardContext({ requester: principal.userId, operation: cmd.operation, reason: cmd.reason }) };
  const outcome = await deps.ops.requestOperation({ principal, operation: cmd.operation, target, reason: cmd.reason, card });
  await presentOutcome(deps, {
    outcome,
    target,
    channel: principal.channelId,
    requester: principal.userId,
    reason: cmd.reason,
    placement: { kind: 'new' },
    via: 'command',
    reply,
  });
}
