import type { App } from '@slack/bolt';
import { ACTION_IDS, SLASH_COMMAND } from './ids';
import { approvalButtonListener } from './listeners/approvalButton';
import { commandListener } from './listeners/command';
import type { ListenerDeps } from './listeners/context';
import { explainButtonListener } from './listeners/explainButton';
import { homeOpenedListener } from './listeners/homeOpened';
import { listPageListener } from './listeners/listPage';
import { operationButtonListener } from './listeners/operationButton';
import { shareButtonListener } from './listeners/shareButton';
import { workflowStepListener } from './listeners/workflowStep';
import { WORKFLOW_STEP_FUNCTIONS } from '../core';

/** The only place listeners are attached to the Bolt app: one line per command, action and event. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  app.command(SLASH_COMMAND, commandListener(deps));
  app.action(ACTION_IDS.retry, operationButtonListener(deps, 'RETRY'));
  app.action(ACTION_IDS.terminate, operationButtonListener(deps, 'TERMINATE'));
  app.action(ACTION_IDS.approve, approvalButtonListener(deps, 'approve'));
  app.action(ACTION_IDS.reject, approvalButtonListener(deps, 'reject'));
  app.action(ACTION_IDS.explain, explainButtonListener(deps));
  app.action(ACTION_IDS.share, shareButtonListener(deps));
  app.action(ACTION_IDS.listPage, listPageListener(deps));
  app.event('app_home_opened', homeOpenedListener(deps));
  for (const callbackId of Object.keys(WORKFLOW_STEP_FUNCTIONS)) app.function(callbackId, workflowStepListener(deps));
  app.error(async (err) => {
    deps.logger.error('unhandled error in a Slack listener', { err });
  });
}
