import type { Instance, InstanceRef } from '../../core';
import type { SecMasterError } from '../../secmaster/errors';
import type { AuditLog, Topology } from '../../secmaster/schemas';
import { parseSecMasterTime } from '../../secmaster/timestamps';
import { ACTION_IDS } from '../ids';
import { code, mentionUser, safeText, slackDate } from '../mrkdwn';
import { instanceTitle } from './instanceFacts';
import { actions, button, context, header, message, section, type Block, type SlackMessage } from './kit';
import { statusEmoji } from './status';

/**
 * "Why did it fail?": the instance's actions with status, times and error message, the failed step
 * first; long output cut safely. Built from the audit log, or from the topology when the audit log
 * had nothing (whichever says more, when both are given); a log SecMaster refused is named, with its
 * code and request ID, never left out in silence.
 */
export interface ActionStep {
  name: string;
  status: string;
  start?: string;
  end?: string;
  error?: string;
  output?: string;
}

const MAX_STEPS = 20;

export function stepsFrom(instanceId: string, logs: AuditLog[], topology: Topology | undefined): ActionStep[] {
  const fromLogs: ActionStep[] = logs
    .filter((l) => l.instance_type !== 'PLAYBOOK' && l.instance_id !== instanceId)
    .map((l) => ({
      name: l.action_name ?? l.action_id ?? 'action',
      status: l.status ?? 'UNKNOWN',
      start: l.start_time,
      end: l.end_time,
      error: l.error_msg || undefined,
      output: typeof l.output === 'string' ? l.output || undefined : l.output === undefined || l.output === null ? undefined : JSON.stringify(l.output),
    }));
  const fromTopology: ActionStep[] = (topology?.action_instances ?? []).map((a) => ({
    name: a.action?.name ?? a.action?.id ?? 'action',
    status: a.instance_log?.status ?? 'UNKNOWN',
    start: a.instance_log?.start_time,
    end: a.instance_log?.end_time,
    error: a.instance_log?.error_msg || undefined,
  }));
  const steps = fromLogs.length >= fromTopology.length ? fromLogs : fromTopology;
  const failed = steps.filter((s) => s.status === 'FAILED' || s.error);
  const rest = steps.filter((s) => !failed.includes(s)).sort(byStart);
  return [...failed, ...rest];
}

/** By start time as an instant (SecMaster's `…Z+0800` form included), else as text. */
function byStart(a: ActionStep, b: ActionStep): number {
  const ta = a.start === undefined ? undefined : parseSecMasterTime(a.start);
  const tb = b.start === undefined ? undefined : parseSecMasterTime(b.start);
  if (ta !== undefined && tb !== undefined) return ta - tb;
  return (a.start ?? '').localeCompare(b.start ?? '');
}

/** `action log unavailable (code, request ID)`: what SecMaster said when it refused the read. */
function unavailableNote(u: ActionLogUnavailable, stepsShown: boolean): string {
  const err = u.error;
  const what = [err.status !== undefined ? `HTTP ${err.status}` : undefined, err.code ?? err.kind].filter(Boolean).join(' · ');
  const rid = err.requestId ? `, request ID ${code(err.requestId, 120)}` : '';
  const rest = !stepsShown ? '.' : u.stepsFromTopology ? ': the steps below come from the instance topology.' : ': the steps below may be incomplete.';
  return `:warning: Action log unavailable (${code(what, 80)}${rid})${rest}`;
}

/** A refused audit-log read, and whether the steps shown instead are the topology's. */
export interface ActionLogUnavailable {
  error: SecMasterError;
  stepsFromTopology: boolean;
}

function stepBlock(s: ActionStep): Block {
  const times = [s.start ? `started ${slackDate(s.start)}` : '', s.end ? `ended ${slackDate(s.end)}` : ''].filter(Boolean).join(' · ');
  const lines = [`${statusEmoji(s.status)} *${safeText(s.status, 30)}* · *${safeText(s.name, 200)}*${times ? `\n${times}` : ''}`];
  if (s.error) lines.push(`*Error:* ${code(s.error, 900)}`);
  if (s.output) lines.push(`Output: ${code(s.output, 300)}`);
  return section(lines.join('\n'));
}

export function renderActionLog(input: {
  instance: Instance;
  target: InstanceRef;
  steps: ActionStep[];
  shared?: { by: string };
  requestId?: string;
  /** Set when SecMaster refused the audit-log read. */
  unavailable?: ActionLogUnavailable;
}): SlackMessage {
  const { instance, steps } = input;
  const failed = steps.find((s) => s.status === 'FAILED' || s.error);
  const summary = failed
    ? `:x: Failed at *${safeText(failed.name, 200)}*${failed.error ? `: ${code(failed.error, 600)}` : ''}`
    : instance.status === 'FAILED'
      ? ':x: The instance failed, but SecMaster reports no failed action.'
      : `${statusEmoji(instance.status)} No action failed; the instance is *${safeText(instance.status, 40)}*.`;
  const shown = steps.slice(0, MAX_STEPS);
  const value = JSON.stringify({ kind: 'log', instance_id: input.target.instanceId, workspace_id: input.target.workspaceId });
  // The fallback is what notifications show and is parsed like mrkdwn: outside text escaped here too.
  const fallback = safeText(`Action log of ${instanceTitle(instance)} (${instance.id}): ${failed ? `failed at ${failed.name}` : instance.status}`, 2000);
  return message(fallback, [
    header(`Action log · ${instanceTitle(instance)}`),
    section(summary),
    input.unavailable ? section(unavailableNote(input.unavailable, shown.length > 0)) : undefined,
    ...(shown.length > 0 ? shown.map(stepBlock) : [section('SecMaster has no action log for this instance yet.')]),
    context([
      `${steps.length} action${steps.length === 1 ? '' : 's'}${steps.length > MAX_STEPS ? `, first ${MAX_STEPS} shown` : ''} · instance ${code(instance.id, 70)}`,
      input.requestId ? `request ID ${code(input.requestId, 120)}` : '',
      input.shared ? `shared by ${mentionUser(input.shared.by)}` : '',
    ]),
    input.shared ? undefined : actions([button({ text: 'Share in channel', actionId: ACTION_IDS.share, value })], 'log_actions'),
  ]);
}
