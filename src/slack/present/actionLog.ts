import type { Target } from '../../domain/outcome';
import { asSecMasterError } from '../../secmaster/errors';
import type { SecMasterClient } from '../../secmaster/client';
import { renderActionLog, stepsFrom } from '../blocks/actionLogView';
import type { SlackMessage } from '../blocks/kit';
import { renderInstanceReadError } from '../blocks/replies';
import type { Reply } from './reply';

/** Reads the instance, its audit log and its topology together and renders "why it failed". */
export async function buildActionLog(secmaster: SecMasterClient, target: Target, shared?: { by: string }): Promise<SlackMessage> {
  try {
    const [instance, logs, topology] = await Promise.all([
      secmaster.getInstance(target),
      secmaster.listAuditLogs(target, { offset: 0, limit: 100 }).catch(() => undefined),
      secmaster.getTopology(target).catch(() => undefined),
    ]);
    return renderActionLog({ instance: instance.data, target, steps: stepsFrom(target.instanceId, logs?.data.logs ?? [], topology?.data), shared, requestId: logs?.requestId ?? instance.requestId });
  } catch (err) {
    return renderInstanceReadError(asSecMasterError(err), target);
  }
}

export async function showActionLog(deps: { secmaster: SecMasterClient }, target: Target, reply: Reply): Promise<void> {
  await reply(await buildActionLog(deps.secmaster, target));
}
