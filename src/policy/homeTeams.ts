/**
 * Which Slack team each user belongs to, for requests that do not say it (a slash command names
 * only the workspace it was typed in). Read with `users.info` (`user.team_id`, Tier 4) and cached:
 * a person's own team does not change from one request to the next. Concurrent readers share one
 * call; a failed read is not cached and answers "unknown", which the policy treats as not ours.
 */
export interface HomeTeamDirectoryOptions {
  fetchTeam: (userId: string) => Promise<string | undefined>;
  ttlMs?: number;
  /** Bounds the cache; the oldest entries go first. */
  maxEntries?: number;
  now?: () => number;
  onError?: (userId: string, err: unknown) => void;
}

export interface HomeTeamDirectory {
  homeTeamOf(userId: string): Promise<string | undefined>;
  fetches(): number;
}

export function createHomeTeamDirectory(opts: HomeTeamDirectoryOptions): HomeTeamDirectory {
  const ttl = opts.ttlMs ?? 5 * 60_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { team: string; fetchedAt: number }>();
  const inflight = new Map<string, Promise<string | undefined>>();
  let fetches = 0;

  function read(userId: string): Promise<string | undefined> {
    let p = inflight.get(userId);
    if (!p) {
      fetches++;
      p = opts
        .fetchTeam(userId)
        .then((team) => {
          if (team) {
            cache.delete(userId);
            cache.set(userId, { team, fetchedAt: now() });
            if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
          }
          return team;
        })
        .catch((err) => {
          opts.onError?.(userId, err);
          return undefined;
        })
        .finally(() => inflight.delete(userId));
      inflight.set(userId, p);
    }
    return p;
  }

  return {
    async homeTeamOf(userId) {
      const entry = cache.get(userId);
      if (entry && now() - entry.fetchedAt < ttl) return entry.team;
      return read(userId);
    },
    fetches: () => fetches,
  };
}
