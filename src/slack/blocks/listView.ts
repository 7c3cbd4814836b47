import type { Instance } from '../../core';
import { ACTION_IDS } from '../ids';
import { code, safeText, slackDate } from '../mrkdwn';
import { instanceTitle } from './instanceFacts';
import { actions, button, context, header, message, section, type SlackMessage } from './kit';
import { statusEmoji } from './status';
import { SLASH_COMMAND } from '../ids';

/** `/playbook list`: a compact page of instances, newest first, with paging buttons. */
export const LIST_PAGE_SIZE = 10;

export interface ListViewInput {
  instances: Instance[];
  count: number;
  page: number;
  status?: string;
  workspaceId: string;
}

export function renderInstanceList(input: ListViewInput): SlackMessage {
  const pages = Math.max(1, Math.ceil(input.count / LIST_PAGE_SIZE));
  const sorted = [...input.instances].sort((a, b) => (b.start_time ?? '').localeCompare(a.start_time ?? ''));
  const what = input.status ? `${input.status} instances` : 'Instances';
  const lines = sorted.map((i) => {
    const playbook = i.playbook?.name ? ` · ${safeText(i.playbook.name, 120)}` : '';
    const started = slackDate(i.start_time);
    return section(`${statusEmoji(i.status)} *${safeText(i.status, 30)}* · *${safeText(instanceTitle(i), 150)}*${playbook}\n${code(i.id, 70)}${started ? ` · started ${started}` : ''}`);
  });
  // Both paging buttons share one action_id, which Slack allows only once per actions block
  // (a repeat fails the whole message with invalid_blocks): each gets its own block.
  const pageButton = (text: string, page: number, blockId: string) =>
    actions([button({ text, actionId: ACTION_IDS.listPage, value: JSON.stringify({ status: input.status ?? null, page }) })], blockId);
  const newer = input.page > 1 ? pageButton('‹ Newer', input.page - 1, 'list_newer') : undefined;
  const older = input.page < pages ? pageButton('Older ›', input.page + 1, 'list_older') : undefined;
  return message(`${what}: page ${input.page} of ${pages} (${input.count} in all)`, [
    header(`${what} · page ${input.page} of ${pages}`),
    ...(lines.length > 0 ? lines : [section(input.page > pages ? 'No more instances.' : 'No instances match.')]),
    context([`${input.count} in all · workspace ${code(input.workspaceId, 70)} · \`${SLASH_COMMAND} status &lt;id&gt;\` for one`]),
    newer,
    older,
  ]);
}
