import { parseSecMasterTime } from '../secmaster/timestamps';

/**
 * Escaping and cutting of untrusted text for Slack. Anything from SecMaster or from a person is
 * escaped (`&`, `<`, `>`, ampersand first) so it can never mention `@channel` or a person, nor forge
 * a link; and cut by code points so a block never exceeds Slack's limits (which fail the whole message).
 * https://api.slack.com/reference/surfaces/formatting#escaping
 */

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts to at most `max` code points, ending with `…` when cut; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  const points = Array.from(text);
  if (points.length <= max) return text;
  return points.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/** Like `truncate`, but never leaves half a mention or link (`<@U12…`) or half an entity (`&am…`) at the cut. */
export function cutMrkdwn(text: string, max: number): string {
  const cut = truncate(text, max);
  if (cut === text) return text;
  let kept = cut.slice(0, -1);
  const lt = kept.lastIndexOf('<');
  if (lt !== -1 && !kept.includes('>', lt)) kept = kept.slice(0, lt);
  const amp = kept.lastIndexOf('&');
  if (amp !== -1 && !kept.includes(';', amp)) kept = kept.slice(0, amp);
  return kept + '…';
}

/**
 * Escapes, then cuts to `max` code points without leaving half an entity (`&am…`) at the end.
 * Escaping first is what makes the cut safe: the limit applies to what Slack receives.
 */
export function safeText(text: string, max: number): string {
  return max <= 0 ? '' : cutMrkdwn(escapeMrkdwn(text), max);
}

/** Inline code that cannot be broken out of: backticks inside become a lookalike. */
export function code(text: string, max = 200): string {
  return '`' + safeText(text.replace(/`/g, 'ˋ'), max) + '`';
}

/** A deliberate mention of a Slack user. IDs come from Slack payloads, but are still checked. */
export function mentionUser(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : safeText(userId, 40);
}

export function mentionUsergroup(groupId: string): string {
  return /^S[A-Z0-9]+$/.test(groupId) ? `<!subteam^${groupId}>` : safeText(groupId, 40);
}

export function channelLink(channelId: string): string {
  return /^[CGD][A-Z0-9]+$/.test(channelId) ? `<#${channelId}>` : safeText(channelId, 40);
}

/**
 * Slack's date token: shown in the reader's time zone, with a fallback for old clients. Reads ISO
 * 8601 and SecMaster's documented `2021-01-30T23:00:00Z+0800` form (see `parseSecMasterTime`);
 * anything else is shown as it came, escaped.
 */
export function slackDate(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const ms = parseSecMasterTime(iso);
  if (ms === undefined) return safeText(iso, 60);
  const fallback = new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${fallback}>`;
}
