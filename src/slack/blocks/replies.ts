import { isOperation, OPERATIONS, workflowStepFor, type InstanceRef, type Permission } from '../../core';
import type { OperationOutcome } from '../../domain/outcome';
import { formatDuration } from '../../policy/duration';
import type { Decision } from '../../policy/evaluate';
import type { SecMasterError } from '../../secmaster/errors';
import { channelLink, code, escapeMrkdwn, mentionUser, safeText, slackDate } from '../mrkdwn';
import { SLASH_COMMAND } from '../ids';
import { describeSecMasterError } from './errorText';
import { instanceTitle } from './instanceFacts';
import { message, section, context, type SlackMessage } from './kit';

/**
 * What the requester alone sees: help, usage errors, denials, and the result of what they asked.
 * Every message is ephemeral; every outside string is escaped.
 */

/** The word for a permission in sentences and in `can <…>`: an operation's own verb, or `view`. */
export function permissionVerb(permission: Permission): string {
  return permission === 'VIEW' ? 'view' : OPERATIONS[permission].verb;
}

/** `A or B`, `A, B or C`: statuses as a sentence names them. */
export function statusesInWords(statuses: readonly string[]): string {
  return statuses.length <= 1 ? statuses.join('') : `${statuses.slice(0, -1).join(', ')} or ${statuses.at(-1)}`;
}

export function renderHelp(): SlackMessage {
  const c = SLASH_COMMAND;
  const text = [
    '*SecMaster playbooks from Slack*',
    `\`${c} ${OPERATIONS.RETRY.verb} <instance_id> [reason]\` — retry a ${statusesInWords(OPERATIONS.RETRY.allowedFrom)} playbook instance`,
    `\`${c} ${OPERATIONS.TERMINATE.verb} <instance_id> [reason]\` — stop a ${statusesInWords(OPERATIONS.TERMINATE.allowedFrom)} one`,
    `\`${c} status <instance_id>\` — show an instance`,
    `\`${c} list [status] [page]\` — recent instances, newest first (status: RUNNING, FAILED, …)`,
    `\`${c} log <instance_id>\` — why it failed: the instance's action log`,
    `\`${c} can <retry|terminate|view>\` — what you may do in this channel, and which rule says so`,
    `\`${c} help\` — this message`,
  ].join('\n');
  return message('SecMaster playbook commands: retry, terminate, status, list, log, can, help', [
    // Escaped although it is the bot's own text: Slack would read `<instance_id>` as a link.
    section(escapeMrkdwn(text)),
    context(['Typing the full command is the confirmation: an authorized retry or terminate runs at once. Buttons on cards do the same.']),
  ]);
}

export function describeDecision(decision: Decision, permission: Permission): string {
  const verb = permissionVerb(permission);
  switch (decision.effect) {
    case 'allow':
      return `:white_check_mark: You may *${verb}* in this channel, at once — ${code(decision.rule.label)} (role ${decision.roles.map((r) => code(r, 64)).join(', ')}).`;
    case 'approval': {
      const a = decision.approval;
      return `:hourglass_flowing_sand: You may *${verb}* here after approval: ${a.count} approval${a.count > 1 ? 's' : ''} from ${a.approvers.map((r) => code(r, 64)).join(', ')}, requests expire after ${formatDuration(a.expires_after)} — ${code(decision.rule.label)}.`;
    }
    case 'deny': {
      const where = decision.elsewhere.length > 0 ? ` (${decision.elsewhere.map((r) => code(r.label)).join(', ')})` : '';
      const detail = decision.reason === 'channel_not_allowed' ? decision.detail : safeText(decision.detail, 300);
      return `:no_entry: You may not *${verb}* here: ${detail}${where}.`;
    }
  }
}

/**
 * The answer to `can`: the decision, and which SecMaster workspace it is about (commands act on
 * SECMASTER_WORKSPACE_ID; a rule covers the workspaces it names under `workspaces:`, else only that one).
 */
export function renderCan(decision: Decision, permission: Permission, workspaceId: string, workflow?: Decision): SlackMessage {
  const line = describeDecision(decision, permission);
  const rule = decision.effect === 'deny' ? undefined : decision.rule;
  const covers = rule
    ? ` ${code(rule.label)} covers ${rule.rule.workspaces ? `the workspaces ${rule.rule.workspaces.map((w) => code(w, 70)).join(', ')}` : 'only that one (it names no `workspaces:`)'}.`
    : '';
  const ways = rule ? ` It grants ${rule.rule.via ? `requests via ${rule.rule.via.map((v) => code(v)).join(', ')}` : 'commands and buttons (it names no `via:`)'}.` : '';
  const scope = `In SecMaster workspace ${code(workspaceId, 70)}, the one \`${SLASH_COMMAND}\` commands act on.${covers}${ways}`;
  const notes = [scope];
  if (workflow) notes.push(describeWorkflowDecision(workflow, permission));
  return message(line, [section(line), context(notes)]);
}

/** Whether a Workflow Builder step naming this person may do it (spec section 10), and which rule says so. */
function describeWorkflowDecision(decision: Decision, permission: Permission): string {
  const verb = permissionVerb(permission);
  const step = permission === 'VIEW' ? 'a workflow step' : `the workflow step \`${workflowStepFor(permission)}\``;
  if (decision.effect === 'allow') return `In Workflow Builder, ${step} may *${verb}* for you — ${code(decision.rule.label)} lists \`via: [workflow]\`.`;
  // The policy never answers "approval" for a workflow step; worded in case.
  if (decision.effect === 'approval') return `In Workflow Builder, ${step} may not *${verb}* for you: it would need an approval.`;
  return `In Workflow Builder, ${step} may not *${verb}* for you: ${safeText(decision.detail, 300)}.`;
}

export function renderDenied(decision: Extract<Decision, { effect: 'deny' }>, permission: Permission): SlackMessage {
  const line = `${describeDecision(decision, permission)}\nNothing was sent to SecMaster.`;
  return message(line, [
    section(line),
    context([`\`${SLASH_COMMAND} can ${permissionVerb(permission)}\` explains what you may do here.`]),
  ]);
}

/** The private answer to the requester once their request for an operation has an outcome. */
export function renderOutcomeReply(outcome: OperationOutcome, opts: { postedCard?: boolean; channel?: string } = {}): SlackMessage {
  const op = permissionVerb(outcome.operation);
  const cardNote = opts.postedCard ? ' The status card in this channel follows it to a final status.' : '';
  const line = (() => {
    switch (outcome.code) {
      case 'done':
        return `:white_check_mark: *${op}* sent for *${safeText(instanceTitle(outcome.instance), 200)}* (${code(outcome.instance.id, 70)}): it is now *${safeText(outcome.instance.status, 40)}*.${cardNote}${outcome.requestId ? ` Request ID ${code(outcome.requestId, 120)}.` : ''}`;
      case 'done_unconfirmed':
        return `:warning: SecMaster did not confirm the ${op} (${describeSecMasterError(outcome.error)}), but the instance is now *${safeText(outcome.instance.status, 40)}*: the ${op} took effect. It was not sent twice.${cardNote}`;
      case 'not_applied':
        return `:warning: SecMaster did not confirm the ${op} (${describeSecMasterError(outcome.error)}), and the instance is still *${safeText(outcome.instance.status, 40)}*: it did not take effect. It was not repeated automatically; ask again if you still want it.`;
      case 'outcome_unknown':
        return `:warning: No clear answer from SecMaster to the ${op} (${describeSecMasterError(outcome.error)}), and the instance could not be read to check. It was not repeated: check \`${SLASH_COMMAND} status\` before trying again.`;
      case 'failed':
        return `:x: SecMaster refused the ${op}: ${describeSecMasterError(outcome.error)}`;
      case 'denied':
        return `${describeDecision(outcome.decision, outcome.operation)}\nNothing was sent to SecMaster.`;
      case 'invalid_status': {
        // The status the operation itself leads to: someone already did it (a later click, a stale button).
        const rule = OPERATIONS[outcome.operation];
        if ((rule.alreadyUnderWay as readonly string[]).includes(outcome.instance.status)) {
          return `:hourglass_flowing_sand: A ${op} of *${safeText(instanceTitle(outcome.instance), 200)}* (${code(outcome.instance.id, 70)}) is already under way or done: it is *${safeText(outcome.instance.status, 40)}*. Nothing more was sent.`;
        }
        const needs = statusesInWords(rule.allowedFrom);
        return `:information_source: *${safeText(instanceTitle(outcome.instance), 200)}* (${code(outcome.instance.id, 70)}) is *${safeText(outcome.instance.status, 40)}*; ${op} needs ${needs}. Nothing was sent.`;
      }
      case 'not_found':
        return instanceReadErrorLine(outcome.error, outcome.target);
      case 'in_progress':
        return `:hourglass_flowing_sand: ${mentionUser(outcome.holder.userId)} started ${safeText(isOperation(outcome.holder.operation) ? OPERATIONS[outcome.holder.operation].verb : outcome.holder.operation, 20)} on this instance ${slackDate(new Date(outcome.holder.acquiredAt).toISOString())}; it is under way. Nothing more was sent.`;
      case 'rate_limited':
        return `:snail: You have asked for ${outcome.limit} operations in the last minute, the most allowed. Try again in ${outcome.retryInS} s. Nothing was sent.`;
      case 'unavailable':
        return `${instanceReadErrorLine(outcome.error, undefined)} Nothing was sent.`;
      case 'approval_requested': {
        const a = outcome.approval;
        if (a.state === 'void') {
          return `:warning: Your ${op} needs approval, but I could not post the approval request in ${opts.channel ? channelLink(opts.channel) : 'this channel'} (${code(a.detail ?? 'error', 60)}). Invite me with \`/invite @playbooks\` and ask again. Nothing was sent.`;
        }
        return `:hourglass_flowing_sand: Your ${op} of *${safeText(instanceTitle(outcome.instance), 200)}* needs ${a.count} approval${a.count > 1 ? 's' : ''} (${a.approverRoles.map((r) => code(r, 64)).join(', ')}). The request is posted in ${opts.channel ? channelLink(opts.channel) : 'this channel'} and expires ${slackDate(new Date(a.expiresAt).toISOString())}.`;
      }
      case 'approval_pending': {
        const a = outcome.approval;
        return `:hourglass_flowing_sand: A ${op} of this instance already waits for approval (asked by ${mentionUser(a.requester)} ${slackDate(new Date(a.createdAt).toISOString())}). Nothing new was asked.`;
      }
      case 'not_sent':
        return outcome.reason === 'shutting_down'
          ? `:arrows_counterclockwise: The bot is restarting, so the ${op} was not sent. Ask again in a minute.`
          : `:hourglass_flowing_sand: SecMaster was so slow to answer that this request lost its turn on the instance, so the ${op} was not sent (another request may have taken over). Check \`${SLASH_COMMAND} status\` before asking again.`;
    }
  })();
  // The fallback (notifications, screen readers) says the same as the block.
  return message(line, [section(line)]);
}

export function renderCannotPost(channel: string, error: string, ranOperation: boolean): SlackMessage {
  const fix =
    error === 'not_in_channel' || error === 'channel_not_found'
      ? `I cannot post in ${channelLink(channel)} (${code(error)}): it is private or I am not a member. Invite me with \`/invite @playbooks\`, then try again.`
      : error === 'is_archived'
        ? `${channelLink(channel)} is archived (${code(error)}), so I cannot post the status card there.`
        : `Slack refused the status card (${code(error)}).`;
  const line = `:warning: ${fix}${ranOperation ? ' The operation itself was carried out.' : ''}`;
  return message(line, [section(line)]);
}

export function renderInternalError(): SlackMessage {
  return message('Something went wrong', [section(':warning: Something went wrong on my side; nothing further was done. The error is logged for the operators.')]);
}

/** A read of one instance that failed: "no such instance" (with the code) or "SecMaster could not be read". */
export function renderInstanceReadError(error: SecMasterError, target?: InstanceRef): SlackMessage {
  const text = instanceReadErrorLine(error, error.isNotFound ? target : undefined);
  return message(text, [section(text)]);
}

/** One line for a failed read: "no such instance" when `missing` names it, else "could not be read". */
function instanceReadErrorLine(error: SecMasterError, missing: InstanceRef | undefined): string {
  return missing
    ? `:mag: No playbook instance ${code(missing.instanceId, 70)} in workspace ${code(missing.workspaceId, 70)}: ${describeSecMasterError(error)}`
    : `:warning: SecMaster could not be read: ${describeSecMasterError(error)}`;
}

/** The line a card carries when SecMaster did not confirm an operation that a read shows took effect. */
export function unconfirmedNote(error: SecMasterError): string {
  return `:warning: SecMaster did not confirm (${describeSecMasterError(error)}); a read shows it took effect.`;
}

export function renderListError(error: SecMasterError): SlackMessage {
  const text = `:warning: SecMaster could not list instances: ${describeSecMasterError(error)}`;
  return message(text, [section(text)]);
}
