import type { Instance } from '../../core';
import { formatDuration } from '../../policy/duration';
import { code, mentionUser, safeText } from '../mrkdwn';
import { statusCommand } from './usage';
import { instanceTitle } from './instanceFacts';
import { message, section, type SlackMessage } from './kit';
import { statusEmoji } from './status';

/**
 * What the channel is told when a followed card's watch ends: the reply in the card's thread once
 * the instance reaches a final status (mentioning whoever asked), and the note when the bot stops
 * following it. Pure.
 */
export function renderFinalStatusReply(instance: Instance, requester?: string): SlackMessage {
  const who = requester ? `${mentionUser(requester)} ` : '';
  const title = safeText(instanceTitle(instance), 200);
  const status = safeText(instance.status, 40);
  return message(`${title} reached ${status}`, [section(`${who}${statusEmoji(instance.status)} *${title}* reached *${status}*.`)]);
}

/** Why a watch ended without a final status: it ran out of time, or SecMaster no longer knows the instance. */
export interface WatchStopped {
  reason: 'timeout' | 'not_found';
  instanceId: string;
  /** STATUS_WATCH_TIMEOUT_MS, for a watch that ran out of time. */
  timeoutMs: number;
}

/** The line the card carries (or, when the instance could not be read, the thread is told) as the watch stops. Already mrkdwn. */
export function watchStoppedNote(stopped: WatchStopped): string {
  return stopped.reason === 'timeout'
    ? `:hourglass: Stopped following this instance after ${formatDuration(stopped.timeoutMs)} without a final status. ${statusCommand(stopped.instanceId)} shows it now.`
    : `:mag: SecMaster no longer knows instance ${code(stopped.instanceId, 70)}; stopped following it.`;
}

export function renderWatchStopped(stopped: WatchStopped): SlackMessage {
  const note = watchStoppedNote(stopped);
  return message(note, [section(note)]);
}
