import { OPERATIONS, statusAllows, type Instance, type InstanceRef } from '../../core';
import { ACTION_IDS } from '../ids';
import { code, safeText } from '../mrkdwn';
import { encodeButtonValue } from './buttonValue';
import { button, confirmDialog, type ButtonElement } from './kit';
import { instanceTitle } from './instanceFacts';

/**
 * The buttons a card shows: only what the instance's status allows (Retry from FAILED or TERMINATED,
 * Terminate from RUNNING or RETRYING, with a confirm dialog always), plus "Why did it fail?" on
 * FAILED instances.
 */
export function operationButtons(instance: Instance, target: InstanceRef, defaultWorkspaceId: string): ButtonElement[] {
  const value = encodeButtonValue(target, defaultWorkspaceId);
  const out: ButtonElement[] = [];
  if (statusAllows(instance.status, 'RETRY')) out.push(button({ text: OPERATIONS.RETRY.title, actionId: ACTION_IDS.retry, value, style: 'primary' }));
  if (statusAllows(instance.status, 'TERMINATE')) {
    out.push(
      button({
        text: OPERATIONS.TERMINATE.title,
        actionId: ACTION_IDS.terminate,
        value,
        style: 'danger',
        confirm: confirmDialog({
          title: 'Terminate this playbook instance?',
          text: `*${safeText(instanceTitle(instance), 120)}* (${code(instance.id, 70)}) will be stopped. This cannot be undone.`,
          confirm: OPERATIONS.TERMINATE.title,
          deny: 'Keep it running',
          style: 'danger',
        }),
      }),
    );
  }
  if (instance.status === 'FAILED') out.push(button({ text: 'Why did it fail?', actionId: ACTION_IDS.explain, value }));
  return out;
}
