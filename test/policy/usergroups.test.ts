import { createUserGroupDirectory } from '../../src/policy/usergroups';

const TTL = 60_000;
const GRACE = 5 * 60_000;

interface Pending {
  groupId: string;
  resolve: (members: string[]) => void;
  reject: (err: unknown) => void;
}

/** A directory over a fake `usergroups.users.list` whose calls the test answers one by one. */
function setup(opts: { ttlMs?: number; staleGraceMs?: number } = { ttlMs: TTL, staleGraceMs: GRACE }) {
  let clock = 1_000_000;
  const pending: Pending[] = [];
  const errors: Array<[string, unknown]> = [];
  const dir = createUserGroupDirectory({
    ...opts,
    now: () => clock,
    fetchMembers: (groupId) => new Promise<string[]>((resolve, reject) => pending.push({ groupId, resolve, reject })),
    onError: (groupId, err) => errors.push([groupId, err]),
  });
  return {
    dir,
    pending,
    errors,
    advance: (ms: number) => {
      clock += ms;
    },
    /** Answers the oldest unanswered fetch. */
    answer(members: string[] | Error) {
      const p = pending.shift();
      if (!p) throw new Error('no fetch is waiting');
      if (members instanceof Error) p.reject(members);
      else p.resolve(members);
    },
  };
}

/** Lets promise callbacks run (the directory's `.then` chain) without any timer. */
const settle = () => new Promise<void>((r) => setImmediate(r));

/** isMember whose fetch (if it makes one) is answered with `members`. */
async function ask(s: ReturnType<typeof setup>, group: string, user: string, members?: string[] | Error): Promise<boolean> {
  const result = s.dir.isMember(group, user);
  await settle();
  if (members !== undefined) s.answer(members);
  // No answer given means no fetch was expected: fail here rather than wait for one forever.
  else expect(s.pending.map((p) => p.groupId)).toEqual([]);
  return result;
}

describe('createUserGroupDirectory: caching', () => {
  it('reads a group once per TTL', async () => {
    const s = setup();
    expect(await ask(s, 'S0SOC', 'U1', ['U1', 'U2'])).toBe(true);
    expect(s.dir.fetches()).toBe(1);

    s.advance(TTL - 1);
    expect(await ask(s, 'S0SOC', 'U2')).toBe(true);
    expect(await ask(s, 'S0SOC', 'U3')).toBe(false);
    expect(s.dir.fetches()).toBe(1);
    expect(s.pending).toEqual([]);

    s.advance(1);
    expect(await ask(s, 'S0SOC', 'U3', ['U3'])).toBe(true);
    expect(s.dir.fetches()).toBe(2);
    // The refreshed list replaces the old one.
    expect(await ask(s, 'S0SOC', 'U1')).toBe(false);
    expect(s.dir.fetches()).toBe(2);
  });

  it('caches each group separately', async () => {
    const s = setup();
    expect(await ask(s, 'S0A', 'U1', ['U1'])).toBe(true);
    expect(await ask(s, 'S0B', 'U1', ['U2'])).toBe(false);
    expect(s.dir.fetches()).toBe(2);
    expect(await ask(s, 'S0A', 'U1')).toBe(true);
    expect(await ask(s, 'S0B', 'U2')).toBe(true);
    expect(s.dir.fetches()).toBe(2);
  });

  it('the TTL counts from when the answer arrived, not from when it was asked', async () => {
    const s = setup();
    const first = s.dir.isMember('S0SOC', 'U1');
    await settle();
    s.advance(TTL / 2);
    s.answer(['U1']);
    expect(await first).toBe(true);
    s.advance(TTL / 2 + 10); // TTL + 10 after the ask, TTL/2 + 10 after the answer
    expect(await ask(s, 'S0SOC', 'U1')).toBe(true);
    expect(s.dir.fetches()).toBe(1);
  });

  it('clear() forgets every group', async () => {
    const s = setup();
    await ask(s, 'S0SOC', 'U1', ['U1']);
    s.dir.clear();
    expect(await ask(s, 'S0SOC', 'U1', [])).toBe(false);
    expect(s.dir.fetches()).toBe(2);
  });

  it('uses a 5-minute TTL by default', async () => {
    const s = setup({});
    await ask(s, 'S0SOC', 'U1', ['U1']);
    s.advance(5 * 60_000 - 1);
    await ask(s, 'S0SOC', 'U1');
    expect(s.dir.fetches()).toBe(1);
    s.advance(1);
    await ask(s, 'S0SOC', 'U1', ['U1']);
    expect(s.dir.fetches()).toBe(2);
  });
});

describe('createUserGroupDirectory: concurrent callers', () => {
  it('share one fetch and all get its answer', async () => {
    const s = setup();
    const answers = Promise.all([
      s.dir.isMember('S0SOC', 'U1'),
      s.dir.isMember('S0SOC', 'U2'),
      s.dir.isMember('S0SOC', 'U3'),
      s.dir.isMember('S0SOC', 'U1'),
    ]);
    await settle();
    expect(s.pending.map((p) => p.groupId)).toEqual(['S0SOC']);
    s.answer(['U1', 'U3']);
    expect(await answers).toEqual([true, false, true, true]);
    expect(s.dir.fetches()).toBe(1);
  });

  it('share one refresh after the TTL too, and a later caller after it finished starts none', async () => {
    const s = setup();
    await ask(s, 'S0SOC', 'U1', ['U1']);
    s.advance(TTL);
    const answers = Promise.all([s.dir.isMember('S0SOC', 'U1'), s.dir.isMember('S0SOC', 'U2')]);
    await settle();
    expect(s.pending).toHaveLength(1);
    s.answer(['U2']);
    expect(await answers).toEqual([false, true]);
    expect(await ask(s, 'S0SOC', 'U2')).toBe(true);
    expect(s.dir.fetches()).toBe(2);
  });

  it('share one failed fetch as well', async () => {
    const s = setup();
    const answers = Promise.all([s.dir.isMember('S0SOC', 'U1'), s.dir.isMember('S0SOC', 'U2')]);
    await settle();
    expect(s.pending).toHaveLength(1);
    s.answer(new Error('ratelimited'));
    expect(await answers).toEqual([false, false]);
    expect(s.errors).toHaveLength(1);
  });
});

describe('createUserGroupDirectory: when Slack cannot be read', () => {
  it('serves the last known members within the grace period, and reports the error', async () => {
    const s = setup();
    await ask(s, 'S0SOC', 'U1', ['U1']);
    s.advance(TTL + GRACE - 1);
    const boom = new Error('slack down');
    expect(await ask(s, 'S0SOC', 'U1', boom)).toBe(true);
    expect(await ask(s, 'S0SOC', 'U2', boom)).toBe(false);
    expect(s.errors).toEqual([
      ['S0SOC', boom],
      ['S0SOC', boom],
    ]);
  });

  it('serves nobody once the grace period is over', async () => {
    const s = setup();
    await ask(s, 'S0SOC', 'U1', ['U1']);
    s.advance(TTL + GRACE);
    expect(await ask(s, 'S0SOC', 'U1', new Error('slack down'))).toBe(false);
    s.advance(60 * 60_000);
    expect(await ask(s, 'S0SOC', 'U1', new Error('slack down'))).toBe(false);
  });

  it('a group never read and not readable has no members', async () => {
    const s = setup();
    expect(await ask(s, 'S0NEW', 'U1', new Error('missing_scope'))).toBe(false);
    expect(s.errors.map(([g]) => g)).toEqual(['S0NEW']);
  });

  it('recovers: the next successful read replaces the stale members', async () => {
    const s = setup();
    await ask(s, 'S0SOC', 'U1', ['U1']);
    s.advance(TTL);
    expect(await ask(s, 'S0SOC', 'U1', new Error('slack down'))).toBe(true);
    expect(await ask(s, 'S0SOC', 'U1', ['U2'])).toBe(false);
    s.advance(TTL - 1);
    expect(await ask(s, 'S0SOC', 'U2')).toBe(true);
  });

  it('uses a 15-minute grace by default', async () => {
    const s = setup({ ttlMs: TTL });
    await ask(s, 'S0SOC', 'U1', ['U1']);
    s.advance(TTL + 15 * 60_000 - 1);
    expect(await ask(s, 'S0SOC', 'U1', new Error('down'))).toBe(true);
    s.advance(1);
    expect(await ask(s, 'S0SOC', 'U1', new Error('down'))).toBe(false);
  });

  it('a failure without onError is still survived', async () => {
    let calls = 0;
    const dir = createUserGroupDirectory({
      fetchMembers: async () => {
        calls++;
        throw new Error('down');
      },
    });
    expect(await dir.isMember('S0SOC', 'U1')).toBe(false);
    expect(calls).toBe(1);
  });
});
