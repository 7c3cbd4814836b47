import { INSTANCE_STATUSES, OPERATION_NAMES, OPERATIONS, type InstanceRef } from '../../core';
import type { UsageProblem } from '../../domain/command';
import { SLASH_COMMAND } from '../ids';
import { code, safeText } from '../mrkdwn';
import { message, section, type SlackMessage } from './kit';

/**
 * Usage errors: what was wrong with a command (the parser's {@link UsageProblem}) or with a request
 * Slack delivered (a {@link RequestProblem} a listener found), in words, and that nothing was done.
 * Pure; the problem quotes what the person typed, so it is escaped.
 */

/** What a listener found wrong with a request before anything could be done with it. */
export type RequestProblem =
  /** A slash command without its team, user or channel. */
  | { kind: 'command_payload' }
  /** A click without its team or user. */
  | { kind: 'click_without_user' }
  /** A click without its team, user or channel. */
  | { kind: 'click_without_channel' }
  | { kind: 'not_approval_button' }
  /** `json`: the button may also carry JSON with `instance_id` and `workspace_id` (retry/terminate buttons). */
  | { kind: 'not_instance_button'; json: boolean }
  /** A page or share button whose value the bot did not make. */
  | { kind: 'foreign_button'; button: 'page' | 'share' }
  /** A click on a recorded card whose value names another instance than the card is about. */
  | { kind: 'button_names_other_instance'; named: InstanceRef; card: InstanceRef };

/** The problem in words, as the usage reply quotes it (before escaping). */
export function describeUsageProblem(problem: UsageProblem | RequestProblem): string {
  switch (problem.kind) {
    case 'unknown_subcommand':
      return `unknown subcommand "${problem.word}"`;
    case 'needs_instance_id':
      return `\`${problem.subcommand}\` needs an instance ID`;
    case 'not_an_instance_id':
      return `"${problem.word}" is not an instance ID (1–64 letters, digits, - or _)`;
    case 'reason_too_long':
      return `the reason is ${problem.length} characters long; keep it under ${problem.max}`;
    case 'one_instance_id':
      return `\`${problem.subcommand}\` takes one instance ID, got ${problem.words} words`;
    case 'list_arguments':
      return `\`list\` takes an optional status (${INSTANCE_STATUSES.join(', ')}) and page number, not "${problem.word}"`;
    case 'can_arguments':
      return `\`can\` takes one of: ${[...OPERATION_NAMES.map((op) => OPERATIONS[op].verb), 'view'].join(', ')}`;
    case 'command_payload':
      return 'the request from Slack is missing its team, user or channel';
    case 'click_without_user':
      return 'this click came without a team or user';
    case 'click_without_channel':
      return 'this click came without a team, user or channel';
    case 'not_approval_button':
      return "this button's value is not an approval ID";
    case 'not_instance_button':
      return problem.json ? "this button's value is not an instance ID (or JSON with instance_id and workspace_id)" : "this button's value is not an instance ID";
    case 'foreign_button':
      return `this ${problem.button} button is not one the bot made`;
    case 'button_names_other_instance': {
      const { named, card } = problem;
      return `this button names ${named.instanceId} in workspace ${named.workspaceId}, but its card is about ${card.instanceId} in workspace ${card.workspaceId}`;
    }
  }
}

/**
 * `/playbook status <id>` as inline code, for a line that tells someone how to look. The ID is one
 * the bot checked, but it is quoted as code all the same, so no string can break out of the line.
 */
export function statusCommand(instanceId: string): string {
  return code(`${SLASH_COMMAND} status ${instanceId}`, 120);
}

export function renderUsage(problem: UsageProblem | RequestProblem): SlackMessage {
  const words = safeText(describeUsageProblem(problem), 300);
  const text = `:warning: ${words}. Nothing was done.\nTry \`${SLASH_COMMAND} help\` for the commands.`;
  return message(`Usage: ${words}`, [section(text)]);
}
