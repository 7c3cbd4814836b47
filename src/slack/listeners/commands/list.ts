import type { Principal } from '../../../policy/evaluate';
import { LIST_PAGE_SIZE } from '../../blocks/listView';
import { listAnswerMessage } from '../../present/queryAnswers';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';

/** `list [status] [page]`: a compact page of instances, newest first; a page click replaces the page shown. */
export async function runList(deps: Pick<ListenerDeps, 'queries'>, principal: Principal, query: { status?: string; page: number }, reply: Reply, replaceOriginal = false): Promise<void> {
  const answer = await deps.queries.list(principal, { ...query, pageSize: LIST_PAGE_SIZE });
  // Only a page replaces the message clicked; a denial or an error is said beside it.
  await reply(listAnswerMessage(answer), answer.code === 'listed' ? { replaceOriginal } : undefined);
}
