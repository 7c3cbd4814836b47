import type { ActionLogAnswer, ListAnswer, StatusAnswer } from '../../operations/queries';
import { renderActionLog, stepsFrom } from '../blocks/actionLogView';
import type { SlackMessage } from '../blocks/kit';
import { renderInstanceList } from '../blocks/listView';
import { renderDenied, renderInstanceReadError, renderListError } from '../blocks/replies';
import { renderStatusCard } from '../blocks/statusCard';

/**
 * The answers of the instance queries (`operations/queries.ts`) as the requester sees them: a
 * denial, a failed read ("no such instance" or "SecMaster could not be read"), or what was read.
 */

export function statusAnswerMessage(answer: StatusAnswer, defaultWorkspaceId: string): SlackMessage {
  switch (answer.code) {
    case 'denied':
      return renderDenied(answer.decision, 'VIEW');
    case 'not_found':
    case 'unavailable':
      return renderInstanceReadError(answer.error, 'target' in answer ? answer.target : undefined);
    case 'found':
      return renderStatusCard({ instance: answer.instance, target: answer.target, defaultWorkspaceId, card: { kind: 'status', requestId: answer.requestId }, buttons: true });
  }
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
      return renderDenied(answer.decision, 'VIEW');
    case 'not_found':
    case 'unavailable':
      return renderInstanceReadError(answer.error, 'target' in answer ? answer.target : undefined);
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
