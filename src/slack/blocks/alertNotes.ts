import type { InstanceRef } from '../../core';
import type { SecMasterError } from '../../secmaster/errors';
import { code, safeText } from '../mrkdwn';

/**
 * The lines a plain alert card carries (see `plainAlertCard.ts`): where the alert came from, and why
 * it has no buttons when the instance it names could not be read or its fields could not be used.
 * Pure; every outside string is escaped.
 */

/** `From SMN topic `name``: the topic's name is the last part of its URN. */
export function smnSourceNote(topicUrn: string): string {
  return `From SMN topic ${code(topicUrn.split(':').pop() ?? topicUrn, 120)}`;
}

/** The title of an alert that names an instance but gave no title of its own. */
export function instanceAlertTitle(instanceId: string): string {
  return `Playbook instance ${instanceId}`;
}

/** The alert names an instance SecMaster does not know, or SecMaster could not be read. */
export function unreadableInstanceNote(target: InstanceRef, error: SecMasterError, source: string): string {
  const why = error.isNotFound ? 'SecMaster does not know this instance' : 'SecMaster could not be reached';
  const detail = [error.code, error.message].filter(Boolean).join(' ');
  const rid = error.requestId ? `, request ID ${code(error.requestId, 120)}` : '';
  return `:warning: ${why}: instance ${code(target.instanceId, 70)} in workspace ${code(target.workspaceId, 70)} (${safeText(detail, 300)}${rid}). ${source}`;
}

/** The message's JSON named fields that could not be used (`problem` says which and why). */
export function unusableFieldsNote(problem: string, source: string): string {
  return `:warning: The message's fields could not be used (${safeText(problem, 300)}). ${source}`;
}
