/**
 * Slack user-group members, cached: `usergroups.users.list` is Tier 2 (about 20 calls a minute), so
 * each group is read at most once per TTL, concurrent readers share one call, and a failed refresh
 * keeps serving the last known members for a short grace period rather than locking a SOC out.
 */
import type { GroupMembership } from './evaluate';

export interface UserGroupDirectoryOptions {
  fetchMembers: (groupId: string) => Promise<string[]>;
  ttlMs?: number;
  /** How long stale members may be used when Slack cannot be reached. */
  staleGraceMs?: number;
  now?: () => number;
  onError?: (groupId: string, err: unknown) => void;
}

interface Entry {
  members: Set<string>;
  fetchedAt: number;
}

export function createUserGroupDirectory(opts: UserGroupDirectoryOptions): GroupMembership & { fetches(): number; clear(): void } {
  const ttl = opts.ttlMs ?? 5 * 60_000;
  const grace = opts.staleGraceMs ?? 15 * 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<Entry | undefined>>();
  let fetches = 0;

  function refresh(groupId: string): Promise<Entry | undefined> {
    let p = inflight.get(groupId);
    if (!p) {
      fetches++;
      p = opts
        .fetchMembers(groupId)
        .then((members) => {
          const entry = { members: new Set(members), fetchedAt: now() };
          cache.set(groupId, entry);
          return entry;
        })
        .catch((err) => {
          opts.onError?.(groupId, err);
          const stale = cache.get(groupId);
          return stale && now() - stale.fetchedAt < ttl + grace ? stale : undefined;
        })
        .finally(() => inflight.delete(groupId));
      inflight.set(groupId, p);
    }
    return p;
  }

  return {
    async isMember(groupId, userId) {
      const entry = cache.get(groupId);
      const fresh = entry && now() - entry.fetchedAt < ttl ? entry : await refresh(groupId);
      return fresh?.members.has(userId) ?? false;
    },
    fetches: () => fetches,
    clear: () => cache.clear(),
  };
}
