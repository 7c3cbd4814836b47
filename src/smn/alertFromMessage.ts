import { z } from 'zod';
import { alertFields } from '../alerts/fields';
import { firstIssue, parseJsonOrUndefined } from '../util/json';

/**
 * What an SMN notification asks the bot to post (spec section 9): its `message` is either JSON with
 * the `POST /alerts` fields (`instance_id`, `workspace_id`, `title`, `severity`, `channel`, all
 * optional here), or free text; free text that contains a playbook instance ID (SecMaster's are
 * UUIDs) names that instance and is the card's title. Anything that names no instance, or whose
 * fields cannot be used, becomes a plain card that shows the text: an authentic alert is never
 * dropped for its shape.
 */
export type SmnAlert =
  | { kind: 'instance'; channel?: string; instanceId: string; workspaceId?: string; title?: string; severity?: string }
  | { kind: 'plain'; channel?: string; title: string; severity?: string; text?: string; problem?: string };

const jsonAlert = z.object({
  channel: alertFields.channel.optional(),
  instance_id: alertFields.instance_id.optional(),
  workspace_id: alertFields.workspace_id,
  title: alertFields.title,
  severity: alertFields.severity,
});

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;
const TITLE_MAX = 200;

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return Array.from(line).length <= max ? line : `${Array.from(line).slice(0, max - 1).join('')}…`;
}

function fallbackTitle(subject: string | undefined, text: string): string {
  return oneLine(subject || text.split('\n').find((l) => l.trim() !== '') || 'SMN notification', TITLE_MAX);
}

export function alertFromNotification(message: string, subject?: string | null): SmnAlert {
  const subj = subject ?? undefined;
  const json = message.trimStart().startsWith('{') ? parseJsonOrUndefined(message) : undefined;
  if (json !== undefined && json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const parsed = jsonAlert.safeParse(json);
    if (!parsed.success) {
      const { field, message: why } = firstIssue(parsed.error);
      return { kind: 'plain', title: fallbackTitle(subj, message), text: message, problem: `${field}: ${why}` };
    }
    const a = parsed.data;
    const title = a.title ?? (subj ? oneLine(subj, TITLE_MAX) : undefined);
    if (a.instance_id) return { kind: 'instance', channel: a.channel, instanceId: a.instance_id, workspaceId: a.workspace_id, title, severity: a.severity };
    const known = Object.keys(json).some((k) => k in jsonAlert.shape);
    return { kind: 'plain', channel: a.channel, title: title ?? fallbackTitle(subj, message), severity: a.severity, text: known ? undefined : message };
  }
  const uuid = UUID.exec(message)?.[0];
  if (uuid) return { kind: 'instance', instanceId: uuid, title: oneLine(message, TITLE_MAX) };
  return { kind: 'plain', title: fallbackTitle(subj, message), text: message };
}
