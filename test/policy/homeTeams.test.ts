import { createHomeTeamDirectory } from '../../src/policy/homeTeams';

/** The cache in front of `users.info` for the user's own team (commands do not carry it). */
test('reads a user once per TTL; concurrent readers share the call', async () => {
  let t = 0;
  const asked: string[] = [];
  const dir = createHomeTeamDirectory({ now: () => t, ttlMs: 1000, fetchTeam: async (u) => (asked.push(u), u === 'U0GUEST' ? 'T0PARTNER' : 'T0OURS') });
  expect(await Promise.all([dir.homeTeamOf('U0GUEST'), dir.homeTeamOf('U0GUEST'), dir.homeTeamOf('U0AAA')])).toEqual(['T0PARTNER', 'T0PARTNER', 'T0OURS']);
  expect(asked).toEqual(['U0GUEST', 'U0AAA']);
  t = 999;
  await dir.homeTeamOf('U0GUEST');
  expect(asked).toHaveLength(2);
  t = 1000;
  await dir.homeTeamOf('U0GUEST');
  expect(asked).toEqual(['U0GUEST', 'U0AAA', 'U0GUEST']);
});

test('a failed read answers unknown, is reported, and is not remembered', async () => {
  let fail = true;
  const errors: string[] = [];
  const dir = createHomeTeamDirectory({ fetchTeam: async () => { if (fail) throw new Error('users.info failed: ratelimited'); return 'T0OURS'; }, onError: (u) => errors.push(u) });
  expect(await dir.homeTeamOf('U0AAA')).toBeUndefined();
  expect(errors).toEqual(['U0AAA']);
  fail = false;
  expect(await dir.homeTeamOf('U0AAA')).toBe('T0OURS');
  expect(dir.fetches()).toBe(2);
});

test('the cache is bounded: the oldest entry goes first', async () => {
  const asked: string[] = [];
  const dir = createHomeTeamDirectory({ maxEntries: 2, fetchTeam: async (u) => (asked.push(u), 'T0OURS') });
  for (const u of ['U1', 'U2', 'U3', 'U2', 'U1']) await dir.homeTeamOf(u);
  expect(asked).toEqual(['U1', 'U2', 'U3', 'U1']);
});
