import type { InstanceRef } from '../../core';
import type { Logger } from '../../log';
import { readActionLog } from '../../operations/actionLog';
import { secMasterErrorOrRethrow } from '../../secmaster/errors';
import type { SecMasterClient } from '../../secmaster/client';
import { renderActionLog, stepsFrom } from '../blocks/actionLogView';
import type { SlackMessage } from '../blocks/kit';
import { renderInstanceReadError } from '../blocks/replies';
import type { Reply } from './reply';

export interface ActionLogDeps {
  secmaster: SecMasterClient;
  logger: Pick<Logger, 'warn'>;
}

/** Reads the instance and its action log together and renders "why it failed". */
export async function buildActionLog(deps: ActionLogDeps, target: InstanceRef, shared?: { by: string }): Promise<SlackMessage> {
  try {
    const [instance, read] = await Promise.all([deps.secmaster.getInstance(target), readActionLog(deps.secmaster, target, deps.logger)]);
    return renderActionLog({
      instance: instance.data,
      target,
      steps: stepsFrom(target.instanceId, read.logs, read.topology),
      shared,
      requestId: read.requestId ?? instance.requestId,
      unavailable: read.unavailable && { error: read.unavailable, stepsFromTopology: read.topology !== undefined },
    });
  } catch (err) {
    return renderInstanceReadError(secMasterErrorOrRethrow(err), target);
  }
}

export async function showActionLog(deps: ActionLogDeps, target: InstanceRef, reply: Reply): Promise<void> {
  await reply(await buildActionLog(deps, target));
}
