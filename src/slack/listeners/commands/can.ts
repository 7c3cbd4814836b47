import type { Permission } from '../../../domain/command';
import type { Principal } from '../../../policy/evaluate';
import { renderCan } from '../../blocks/replies';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';

/** `can <retry|terminate|view>`: the decision for this person in this channel, and the rule behind it. */
export async function runCan(deps: Pick<ListenerDeps, 'ops'>, principal: Principal, permission: Permission, reply: Reply): Promise<void> {
  await reply(renderCan(await deps.ops.authorize(principal, permission), permission));
}
