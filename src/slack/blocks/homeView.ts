import type { Approval, AuditRecord } from '../../core';
import { ACTION_IDS, SLASH_COMMAND } from '../ids';
import { channelLink, code, mentionUser, safeText, slackDate } from '../mrkdwn';
import { approvalInstanceTitle } from './instanceFacts';
import { actions, button, context, divider, header, LIMITS, section, type Block, type HomeView } from './kit';
import { outcomeInWords } from './outcomeWords';

/**
 * The Home tab: the approvals the viewer may decide (with Approve / Reject), and their own recent
 * requests and operations with how they ended, in words, by instance name where it is known.
 */
export interface HomeInput {
  toDecide: Approval[];
  myApprovals: Approval[];
  myOperations: AuditRecord[];
  /** Instance names by instance ID, where known: shown instead of the bare ID. */
  instanceNames?: ReadonlyMap<string, string>;
  banner?: string;
}

function instanceLabel(id: string, names: ReadonlyMap<string, string> | undefined): string {
  const name = names?.get(id)?.trim();
  return name ? `*${safeText(name, 150)}* (${code(id, 70)})` : code(id, 70);
}

// Keyed by the state read back from the database: a Map, so no stored word can find Object's members.
const STATE_EMOJI = new Map([
  ['pending', ':hourglass_flowing_sand:'],
  ['approved', ':white_check_mark:'],
  ['executed', ':white_check_mark:'],
  ['rejected', ':no_entry:'],
  ['expired', ':hourglass:'],
  ['void', ':warning:'],
  ['failed', ':x:'],
]);

function approvalLine(a: Approval): string {
  const name = approvalInstanceTitle(a);
  return `*${a.operation}* *${safeText(name, 150)}* (${code(a.instanceId, 70)}) in ${channelLink(a.channel)} — asked by ${mentionUser(a.requester)}${a.reason ? `: “${safeText(a.reason, 200)}”` : ''}\n${a.votes.length} of ${a.count} approvals · expires ${slackDate(new Date(a.expiresAt).toISOString())}`;
}

export function renderHome(input: HomeInput): HomeView {
  const blocks: Block[] = [header('SecMaster playbooks')];
  if (input.banner) blocks.push(section(input.banner));
  blocks.push(section(`*Waiting for your decision* (${input.toDecide.length})`));
  if (input.toDecide.length === 0) blocks.push(context(['Nothing waits for you.']));
  for (const a of input.toDecide.slice(0, 15)) {
    blocks.push(section(approvalLine(a)));
    blocks.push(
      actions(
        [
          button({ text: 'Approve', actionId: ACTION_IDS.approve, value: a.id, style: 'primary' }),
          button({ text: 'Reject', actionId: ACTION_IDS.reject, value: a.id, style: 'danger' }),
        ],
        `home_${a.id}`.slice(0, 255),
      )!,
    );
  }
  blocks.push(divider(), section(`*Your recent requests*`));
  if (input.myApprovals.length === 0 && input.myOperations.length === 0) blocks.push(context([`You have not asked for anything yet. Try \`${SLASH_COMMAND} help\`.`]));
  for (const a of input.myApprovals.slice(0, 10)) {
    blocks.push(section(`${STATE_EMOJI.get(a.state) ?? ''} ${approvalLine(a)}\nState: *${a.state}*`));
  }
  for (const r of input.myOperations.slice(0, 15)) {
    blocks.push(
      context([
        `${safeText(r.operation ?? '', 20)} ${r.instance_id ? instanceLabel(r.instance_id, input.instanceNames) : ''} → *${safeText(outcomeInWords(r.outcome, r.detail), 80)}* · ${slackDate(r.at)}${r.channel ? ` · ${channelLink(r.channel)}` : ''}`,
      ]),
    );
  }
  return { type: 'home', blocks: blocks.slice(0, LIMITS.homeBlocks) };
}
