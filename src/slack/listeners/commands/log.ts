import type { InstanceRef } from '../../../core';
import type { Principal } from '../../../policy/evaluate';
import { actionLogAnswerMessage } from '../../present/queryAnswers';
import type { Reply } from '../../present/reply';
import type { ListenerDeps } from '../context';

/** `log <id>` (and "Why did it fail?"): why an instance failed, from its action log; shown privately, with a way to share it. */
export async function runLog(deps: Pick<ListenerDeps, 'queries'>, principal: Principal, target: InstanceRef, reply: Reply): Promise<void> {
  await reply(actionLogAnswerMessage(await deps.queries.actionLog(principal, target)));
}
