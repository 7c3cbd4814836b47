/**
 * The bot's own account of Slack's rate limits (https://api.slack.com/apis/rate-limits), so the
 * queue never sends a call it knows will be refused: a sliding window per method and workspace (and
 * per channel for posts), plus the pause a `Retry-After` asked for. The windows are a little longer
 * than Slack's, so the time a call spends on the wire cannot make two calls look further apart to
 * the bot than they arrive at Slack. Posts get 0.4 s: with 0.1 s a loaded machine (the benchmark's
 * storm on two busy cores) drew 429s from one post in ten, with 0.25 s from one in forty.
 */
export interface Window {
  limit: number;
  windowMs: number;
}

export interface MethodBudget {
  workspace?: Window;
  perChannel?: Window;
}

const MINUTE = 60_000;
const MARGIN_MS = 1_000;
const POST_MARGIN_MS = 400;
const perMinute = (limit: number): Window => ({ limit, windowMs: MINUTE + MARGIN_MS });

/** Slack's tiers (see `reference/slack-platform.md`); `chat.update` comes from SLACK_UPDATES_PER_MINUTE. */
export function slackBudgets(updatesPerMinute: number): Record<string, MethodBudget> {
  return {
    // About one a second per channel; the workspace-wide ceiling Slack does not publish is assumed at 600 a minute.
    'chat.postMessage': { perChannel: { limit: 1, windowMs: 1_000 + POST_MARGIN_MS }, workspace: perMinute(600) },
    'chat.update': { workspace: perMinute(updatesPerMinute) },
    'chat.postEphemeral': { workspace: perMinute(100) },
    'views.publish': { workspace: perMinute(100) },
    'users.info': { workspace: perMinute(100) },
    'usergroups.users.list': { workspace: perMinute(20) },
    'conversations.history': { workspace: perMinute(50) },
    'conversations.replies': { workspace: perMinute(50) },
  };
}

export interface CallBudget {
  /**
   * The earliest time a call of `method` (in `channel`) may be sent without being refused, leaving
   * `reserve` (a fraction of each window, rounded down) free for more urgent calls.
   */
  readyAt(method: string, channel: string | undefined, now: number, reserve?: number): number;
  /** Counts a call sent at `now`. */
  record(method: string, channel: string | undefined, now: number): void;
  /** Slack answered 429 with Retry-After: nothing more of `method` (in `channel`) before `until`. */
  block(method: string, channel: string | undefined, until: number): void;
}

export function createCallBudget(budgets: Record<string, MethodBudget>): CallBudget {
  const sent = new Map<string, number[]>();
  const blocked = new Map<string, number>();

  const keysOf = (method: string, channel: string | undefined): Array<[string, Window | undefined]> => {
    const b = budgets[method] ?? {};
    const keys: Array<[string, Window | undefined]> = [[method, b.workspace]];
    if (b.perChannel && channel) keys.push([`${method}:${channel}`, b.perChannel]);
    return keys;
  };

  function freeAt(key: string, w: Window | undefined, now: number, reserve: number): number {
    const until = blocked.get(key) ?? 0;
    if (until <= now) blocked.delete(key);
    if (!w) return until;
    const list = (sent.get(key) ?? []).filter((t) => t > now - w.windowMs);
    if (list.length === 0) sent.delete(key);
    else sent.set(key, list);
    const limit = Math.max(1, w.limit - Math.floor(w.limit * reserve));
    const windowFree = list.length < limit ? now : list[list.length - limit]! + w.windowMs;
    return Math.max(until, windowFree);
  }

  return {
    readyAt(method, channel, now, reserve = 0) {
      return Math.max(now, ...keysOf(method, channel).map(([k, w]) => freeAt(k, w, now, reserve)));
    },
    record(method, channel, now) {
      for (const [k, w] of keysOf(method, channel)) if (w) sent.set(k, [...(sent.get(k) ?? []), now]);
    },
    block(method, channel, until) {
      // A per-channel method's 429 is taken to be about that channel; any other about the method.
      const keys = keysOf(method, channel);
      const [key] = keys[keys.length - 1]!;
      blocked.set(key, Math.max(blocked.get(key) ?? 0, until));
    },
  };
}
