import type { Principal } from '../../../policy/evaluate';
import { asSecMasterError } from '../../../secmaster/errors';
import { describeSecMasterError } from '../../blocks/errorText';
import { message, section } from '../../blocks/kit';
import { renderStatusCard } from '../../blocks/statusCard';
import { code, safeText } from '../../mrkdwn';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';
import { authorizeView } from './authorizeView';

/** `status <id>`: the instance's card, shown to the requester with the buttons its status allows. */
export async function runStatus(deps: Pick<ListenerDeps, 'ops' | 'audit' | 'secmaster' | 'defaultWorkspaceId'>, principal: Principal, instanceId: string, reply: Reply): Promise<void> {
  if (!(await authorizeView(deps, principal, reply, instanceId))) return;
  const target = { workspaceId: deps.defaultWorkspaceId, instanceId };
  try {
    const answer = await deps.secmaster.getInstance(target);
    await reply(renderStatusCard({ instance: answer.data, target, defaultWorkspaceId: deps.defaultWorkspaceId, card: { kind: 'status', requestId: answer.requestId }, buttons: true }));
  } catch (err) {
    const e = asSecMasterError(err);
    const text = e.isNotFound
      ? `:mag: No playbook instance ${code(instanceId, 70)} in workspace ${code(target.workspaceId, 70)}: ${describeSecMasterError(e)}`
      : `:warning: SecMaster could not be read: ${describeSecMasterError(e)}`;
    await reply(message(`status ${instanceId}: ${safeText(e.message, 600)}`, [section(text)]));
  }
}
