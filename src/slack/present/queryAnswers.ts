import type { ActionLogAnswer, ListAnswer, StatusAnswer, ViewDenied } from '../../operations/queries';
import type { ReadFailure } from '../../operations/readInstance';
import { renderActionLog, stepsFrom } from '../blocks/actionLogView';
import type { SlackMessage } from '../blocks/kit';
import { renderInstanceList } from '../blocks/listView';
import { renderDenied, renderInstanceReadError, renderListError } from '../blocks/replies';
import { renderStatusCard } from '../blocks/statusCard';

/**
 * The answers of the instance queries (`operations/queries.ts`) as the requester sees them: a
 * denial, a failed read ("no such instance" or "SecMaster could not be read"), or what was read.
 */

/** A query about one instance that VIEW refused or SecMaster could not answer, whichever query it was. */
function instanceRefusal(answer: ViewDenied | ReadFailure): SlackMessage {
  return answer.code === 'denied' ? renderDenied(answer.decision, 'VIEW') : renderInstanceReadError(answer.error, 'target' in answer ? answer.target : undefined);
}

export function statusAnswerMessage(answer: StatusAnswer, defaultWorkspaceId: string): SlackMessage {
  if (answer.code !== 'found') return instanceRefusal(answer);
  return renderStatusCard({ instance: answer.instance, target: answer.target, defaultWorkspaceId, card: { kind: 'status', requestId: answer.requestId }, buttons: true });
}

export function listAnswerMessage(answer: ListAnswer): SlackMessage {
  switch (answer.code) {
    case 'denied':
      return renderDenied(answer.decision, 'VIEW');
    case 'unavailable':
      return renderListError(answer.error);
    case 'listed':
      return renderInstanceList({ instances: answer.instances, count: answer.count, page: answer.page, status: answer.status, workspaceId: answer.workspaceId });
  }
}

/** "Why did it fail": the instance's steps and the first that failed; `shared` when posted for the channel. */
export function actionLogAnswerMessage(answer: ActionLogAnswer, shared?: { by: string }): SlackMessage {
  switch (answer.code) {
    case 'denied':
    case 'not_found':
    case 'unavailable':
      return instanceRefusal(answer);
    case 'read': {
      const { log, target } = answer;
      return renderActionLog({
        instance: answer.instance,
        target,
        steps: stepsFrom(target.instanceId, log.logs, log.topology),
        shared,
        requestId: log.requestId ?? answer.requestId,
        unavailable: log.unavailable && { error: log.unavailable, stepsFromTopology: log.topology !== undefined },
      });
    }
  }
}
