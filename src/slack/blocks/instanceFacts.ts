import type { Instance } from '../../core';
import { code, safeText, slackDate } from '../mrkdwn';
import { statusEmoji } from './status';

/** The facts every instance card shows, as escaped mrkdwn fields. */
export function instanceFields(i: Instance): string[] {
  const playbook = i.playbook?.name ? `${safeText(i.playbook.name, 200)}${i.playbook.version ? ` (${safeText(i.playbook.version, 40)})` : ''}` : '—';
  const out = [
    `*Status*\n${statusEmoji(i.status)} *${safeText(i.status, 40)}*`,
    `*Instance*\n${code(i.id, 80)}`,
    `*Playbook*\n${playbook}`,
    `*Trigger*\n${i.trigger_type ? safeText(i.trigger_type, 40) : '—'}`,
  ];
  if (i.dataobject?.name) out.push(`*Data object*\n${safeText(i.dataobject.name, 300)}`);
  const started = slackDate(i.start_time);
  if (started) out.push(`*Started*\n${started}`);
  const updated = slackDate(i.end_time);
  if (updated) out.push(`*Last update*\n${updated}`);
  return out;
}

/** The name a person recognises; the ID when SecMaster gave no name. */
export function instanceTitle(i: Pick<Instance, 'id' | 'name'>): string {
  return i.name && i.name.trim() ? i.name : i.id;
}

/** The same title for an approval's instance, from what the approval stored. */
export const approvalInstanceTitle = (a: { instanceId: string; instanceName?: string }): string => instanceTitle({ id: a.instanceId, name: a.instanceName });
