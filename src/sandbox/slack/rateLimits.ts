/**
 * Slack's Web API rate limits as the stand-in enforces them: one sliding window per method and
 * workspace (per channel too for `chat.postMessage`), answering `429` with `Retry-After` in whole
 * seconds once a window is full, the way Slack does
 * (https://api.slack.com/apis/rate-limits). Figures from `reference/slack-platform.md`:
 * Tier 2 about 20 a minute, Tier 3 about 50, Tier 4 about 100; posts about one a second per
 * channel. Slack publishes no figure for the workspace-wide ceiling on posts: 600 a minute here
 * (an assumption, well above five busy channels). A refused call is not counted in its window,
 * as at Slack: retrying early only earns another 429.
 */

export interface RateWindow {
  limit: number;
  windowMs: number;
}

export interface MethodLimit {
  /** Per workspace (the stand-in is one workspace). */
  workspace: RateWindow;
  /** Also per channel (`chat.postMessage`). */
  perChannel?: RateWindow;
}

const MINUTE = 60_000;
const TIER_2: RateWindow = { limit: 20, windowMs: MINUTE };
const TIER_3: RateWindow = { limit: 50, windowMs: MINUTE };
const TIER_4: RateWindow = { limit: 100, windowMs: MINUTE };

/** The real tiers of every method the bot calls (methods not named here are not limited). */
export const SLACK_RATE_LIMITS: Readonly<Record<string, MethodLimit>> = {
  'chat.postMessage': { workspace: { limit: 600, windowMs: MINUTE }, perChannel: { limit: 1, windowMs: 1_000 } },
  'chat.update': { workspace: TIER_3 },
  'chat.postEphemeral': { workspace: TIER_4 },
  'views.publish': { workspace: TIER_4 },
  'views.open': { workspace: TIER_4 },
  'users.info': { workspace: TIER_4 },
  'usergroups.users.list': { workspace: TIER_2 },
  'conversations.history': { workspace: TIER_3 },
  'conversations.replies': { workspace: TIER_3 },
};

export type RateDecision = { allowed: true } | { allowed: false; retryAfterS: number };

export interface StandInRateLimiter {
  /** Counts the call when its windows have room; otherwise says how long until they do. */
  admit(method: string, channel: string | undefined, now: number): RateDecision;
  /** Calls refused with a 429, by method. */
  readonly refused: Map<string, number>;
}

export function createStandInRateLimiter(limits: Readonly<Record<string, MethodLimit>> = SLACK_RATE_LIMITS): StandInRateLimiter {
  const hits = new Map<string, number[]>();
  const refused = new Map<string, number>();

  /** Milliseconds until `key`'s window has room (0: now), after dropping hits that left it. */
  function waitFor(key: string, w: RateWindow, now: number): number {
    const list = (hits.get(key) ?? []).filter((t) => t > now - w.windowMs);
    hits.set(key, list);
    return list.length < w.limit ? 0 : list[list.length - w.limit]! + w.windowMs - now;
  }

  return {
    refused,
    admit(method, channel, now) {
      const limit = limits[method];
      if (!limit) return { allowed: true };
      const windows: Array<[string, RateWindow]> = [[method, limit.workspace]];
      if (limit.perChannel && channel) windows.push([`${method}:${channel}`, limit.perChannel]);
      const wait = Math.max(...windows.map(([key, w]) => waitFor(key, w, now)));
      if (wait > 0) {
        refused.set(method, (refused.get(method) ?? 0) + 1);
        return { allowed: false, retryAfterS: Math.max(1, Math.ceil(wait / 1000)) };
      }
      for (const [key] of windows) hits.get(key)!.push(now);
      return { allowed: true };
    },
  };
}
