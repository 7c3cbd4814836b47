import type { Principal } from '../../../policy/evaluate';
import { secMasterErrorOrRethrow } from '../../../secmaster/errors';
import { renderListError } from '../../blocks/replies';
import { LIST_PAGE_SIZE, renderInstanceList } from '../../blocks/listView';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';
import { authorizeView } from './authorizeView';

/** `list [status] [page]`: a compact page of instances, newest first. */
export async function runList(
  deps: Pick<ListenerDeps, 'ops' | 'audit' | 'secmaster' | 'defaultWorkspaceId'>,
  principal: Principal,
  query: { status?: string; page: number },
  reply: Reply,
  replaceOriginal = false,
): Promise<void> {
  if (!(await authorizeView(deps, principal, reply, { workspaceId: deps.defaultWorkspaceId }))) return;
  // SecMaster refuses offset + limit ≥ 10000.
  const page = Math.min(query.page, Math.floor((10000 - LIST_PAGE_SIZE) / LIST_PAGE_SIZE));
  try {
    const answer = await deps.secmaster.listInstances(deps.defaultWorkspaceId, { offset: (page - 1) * LIST_PAGE_SIZE, limit: LIST_PAGE_SIZE, status: query.status });
    await reply(renderInstanceList({ instances: answer.data.instances, count: answer.data.count, page, status: query.status, workspaceId: deps.defaultWorkspaceId }), { replaceOriginal });
  } catch (err) {
    await reply(renderListError(secMasterErrorOrRethrow(err)));
  }
}
