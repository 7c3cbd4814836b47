import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { openPostgresStore } from '../../src/store/postgres';
import { openSqliteStore } from '../../src/store/sqlite';
import type { Approval, Attempt, AuditRecord, LockHolder, Watch } from '../../src/core';
import type { LockResult, SmnClaim, Store, VoteResult, WorkflowStepClaim } from '../../src/store/types';

/**
 * One contract, two stores: every test below runs against SQLite and PostgreSQL alike. Each test
 * gets a new, empty database (a SQLite file in the suite's temp dir, or a PostgreSQL schema named
 * after the suite's random prefix), so tests that look at the whole store (claims, counts, "next
 * due") see only their own rows. Concurrency tests spread calls over two handles on the same
 * database, as two replicas would. PostgreSQL never skips: when it cannot be reached the suite fails.
 */

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fixed clock: every store call takes `now` explicitly, so nothing here waits for real time. */
const T = 1_700_000_000_000;

interface TestDb {
  store: Store;
  /** A second handle on the same database, like another replica or a restarted process. */
  replica(): Promise<Store>;
}

interface Backend {
  readonly name: 'sqlite' | 'postgres';
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A new, empty database. */
  create(): Promise<TestDb>;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

function sqliteBackend(): Backend {
  let dir = '';
  let n = 0;
  return {
    name: 'sqlite',
    async setup() {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-contract-'));
    },
    async teardown() {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
    async create() {
      const file = path.join(dir, `t${++n}.db`);
      return { store: openSqliteStore(file), replica: async () => openSqliteStore(file) };
    },
  };
}

function postgresBackend(): Backend {
  const prefix = `contract_${randomBytes(5).toString('hex')}`;
  const schemas: string[] = [];
  let admin: Pool | undefined;
  let n = 0;
  return {
    name: 'postgres',
    async setup() {
      admin = new Pool({ connectionString: PG_URL, max: 2, connectionTimeoutMillis: 5_000 });
      admin.on('error', () => undefined);
      try {
        await admin.query('SELECT 1');
      } catch (err) {
        const pool = admin;
        admin = undefined;
        await pool.end().catch(() => undefined);
        throw new Error(
          `PostgreSQL store contract tests cannot reach ${redact(PG_URL)}: ${(err as Error).message}. ` +
            'These tests do not skip: start PostgreSQL or point TEST_DATABASE_URL at a reachable database.',
        );
      }
    },
    async teardown() {
      if (!admin) return;
      try {
        for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      } finally {
        await admin.end();
      }
    },
    async create() {
      const schema = `${prefix}_${++n}`;
      schemas.push(schema);
      return { store: await openPostgresStore(PG_URL, { schema }), replica: () => openPostgresStore(PG_URL, { schema }) };
    },
  };
}

// ---------- fixtures ----------

function watch(id: string, over: Partial<Watch> = {}): Watch {
  return {
    id,
    workspaceId: 'ws-1',
    instanceId: `inst-${id}`,
    channel: 'C0123',
    messageTs: `1700000000.${id.padStart(6, '0')}`,
    threadTs: '1700000000.000001',
    requester: 'U-REQ',
    lastStatus: 'RUNNING',
    intervalMs: 5_000,
    nextPollAt: T,
    startedAt: T - 60_000,
    deadline: T + 3_600_000,
    card: {
      kind: 'status',
      requester: 'U-REQ',
      operation: 'RETRY',
      reason: 'stuck on "enrich" — ünïcode ✓',
      approvers: ['U-A', 'U-B'],
      requestId: 'req-42',
      title: 'Brute force on ecs-prod-01',
      severity: 'high',
    },
    ...over,
  };
}

function approval(id: string, over: Partial<Approval> = {}): Approval {
  return {
    id,
    teamId: 'T0123ABCD',
    workspaceId: 'ws-1',
    instanceId: `inst-${id}`,
    operation: 'TERMINATE',
    requester: 'U-REQ',
    channel: 'C0123',
    rule: 'rules[4]',
    approverRoles: ['secops', 'soc-lead'],
    count: 2,
    createdAt: T,
    expiresAt: T + 600_000,
    state: 'pending',
    votes: [],
    ...over,
  };
}

function attempt(id: string, lockToken: string, over: Partial<Attempt> = {}): Attempt {
  return {
    id,
    workspaceId: 'ws-1',
    instanceId: 'inst-1',
    operation: 'RETRY',
    requester: 'U-REQ',
    actor: 'U-REQ',
    channel: 'C0123',
    before: { status: 'FAILED', startTime: '2024-05-01T09:00:00Z', name: 'Brute force — ünïcode ✓' },
    card: { placement: { kind: 'update', ts: '1700000000.000100', threadTs: '1700000000.000001' }, context: { kind: 'alert', title: 'Alert "x"', severity: 'high' } },
    lockToken,
    owner: 'replica-a',
    leaseUntil: T + 10_000,
    createdAt: T,
    ...over,
  };
}

function audit(over: Partial<AuditRecord> = {}): AuditRecord {
  return { event: 'operation', user: 'U-1', outcome: 'done', at: '2024-05-01T10:00:00.000Z', ...over };
}

function expectAcquired(r: LockResult): string {
  if (!r.acquired) throw new Error(`expected the lock, but it is held by ${JSON.stringify(r.holder)}`);
  expect(typeof r.token).toBe('string');
  expect(r.token.length).toBeGreaterThan(0);
  return r.token;
}

function expectRefused(r: LockResult): LockHolder {
  if (r.acquired) throw new Error('expected the lock to be refused, but it was acquired');
  return r.holder;
}

function expectCounted(r: VoteResult): { approval: Approval; reached: boolean } {
  if (r.result !== 'counted') throw new Error(`expected a counted vote, got ${r.result}`);
  return r;
}

const ids = (ws: Array<{ id: string }>): string[] => ws.map((w) => w.id);

// ---------- the contract ----------

describe.each<[string, () => Backend]>([
  ['sqlite', sqliteBackend],
  ['postgres', postgresBackend],
])('Store contract: %s', (_name, makeBackend) => {
  const backend = makeBackend();
  let db: TestDb;
  let store: Store;
  let opened: Store[] = [];

  /** Opens another handle on this test's database; closed after the test. */
  const replica = async (): Promise<Store> => {
    const s = await db.replica();
    opened.push(s);
    return s;
  };

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  beforeEach(async () => {
    db = await backend.create();
    store = db.store;
    opened = [store];
  });

  afterEach(async () => {
    // Cleanup only: a test may already have closed a handle itself.
    for (const s of opened) await s.close().catch(() => undefined);
  });

  it('reports its kind', () => {
    expect(store.kind).toBe(backend.name);
  });

  describe('SMN messages', () => {
    const info = { topicUrn: 'urn:smn:ap-southeast-1:0123abcd:alerts', type: 'Notification' };
    const lease = 60_000;

    const claimed = (c: SmnClaim): string => {
      if (c.result !== 'claimed') throw new Error(`expected a claim, got ${c.result}`);
      return c.token;
    };

    it('the first claim wins; while it is held others are busy; once finished every claim is done', async () => {
      const token = claimed(await store.claimSmnMessage('m-1', info, T, lease));
      expect(await store.claimSmnMessage('m-1', info, T + 1, lease)).toEqual({ result: 'busy' });
      expect(await store.finishSmnMessage('m-1', token, T + 2, 'posted')).toBe(true);
      expect(await store.claimSmnMessage('m-1', info, T + 3, lease)).toEqual({ result: 'done' });
      // Long after the lease, a handled message stays handled.
      expect(await store.claimSmnMessage('m-1', info, T + 10 * lease, lease)).toEqual({ result: 'done' });
    });

    it('a released claim can be claimed again (the handling failed; SMN delivers again)', async () => {
      const first = claimed(await store.claimSmnMessage('m-2', info, T, lease));
      await store.releaseSmnMessage('m-2', first);
      const second = claimed(await store.claimSmnMessage('m-2', info, T + 1, lease));
      expect(second).not.toBe(first);
    });

    it('a claim whose lease ran out is taken over, and the old token can neither finish nor release it', async () => {
      const old = claimed(await store.claimSmnMessage('m-3', info, T, lease));
      const taker = claimed(await store.claimSmnMessage('m-3', info, T + lease, lease));
      expect(await store.finishSmnMessage('m-3', old, T + lease + 1)).toBe(false);
      await store.releaseSmnMessage('m-3', old);
      expect(await store.claimSmnMessage('m-3', info, T + lease + 2, lease)).toEqual({ result: 'busy' });
      expect(await store.finishSmnMessage('m-3', taker, T + lease + 3)).toBe(true);
    });

    it('a finished message cannot be released', async () => {
      const token = claimed(await store.claimSmnMessage('m-4', info, T, lease));
      await store.finishSmnMessage('m-4', token, T + 1);
      await store.releaseSmnMessage('m-4', token);
      expect(await store.claimSmnMessage('m-4', info, T + 2, lease)).toEqual({ result: 'done' });
    });

    it('exactly one of 10 concurrent claims on two connections wins (replicas agree)', async () => {
      const other = await replica();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).claimSmnMessage('m-race', info, T + i, lease)));
      expect(results.filter((r) => r.result === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r.result === 'busy')).toHaveLength(9);
    });

    it('a claim survives a restart: another handle sees it handled', async () => {
      const token = claimed(await store.claimSmnMessage('m-5', info, T, lease));
      await store.finishSmnMessage('m-5', token, T + 1);
      const later = await replica();
      expect(await later.claimSmnMessage('m-5', info, T + 2, lease)).toEqual({ result: 'done' });
    });
  });

  describe('Workflow Builder steps (one end per function execution)', () => {
    const lease = 10_000;
    const info = { executionId: 'Fx-1', workflowExecutionId: 'Wx-1', callbackId: 'retry_playbook_instance', teamId: 'T0TEAM', inputs: { instance_id: 'inst-1', requested_by: 'U0AAA' } };
    const success = { kind: 'success' as const, outputs: { status: 'RETRYING', request_id: 'req-1' } };

    const claimedStep = (c: WorkflowStepClaim) => {
      if (c.result !== 'claimed') throw new Error(`expected a claim, got ${c.result}`);
      return c.step;
    };

    it('the first delivery claims it and round-trips every field; a redelivery is busy, then done once it ended', async () => {
      const step = claimedStep(await store.claimWorkflowStep(info, T, lease));
      expect(step).toEqual({ ...info, state: 'running', token: expect.any(String), leaseUntil: T + lease, receivedAt: T });
      expect(await store.claimWorkflowStep(info, T + 1, lease)).toEqual({ result: 'busy' });
      expect(await store.storeWorkflowStepResult('Fx-1', step.token, success)).toBe(true);
      expect(await store.claimWorkflowStep(info, T + 2, lease)).toEqual({ result: 'busy' });
      expect(await store.finishWorkflowStep('Fx-1', step.token, T + 3)).toBe(true);
      expect(await store.claimWorkflowStep(info, T + 100 * lease, lease)).toEqual({ result: 'done' });
      expect(await store.claimStaleWorkflowSteps(T + 100 * lease, lease, 10)).toEqual([]);
    });

    it('a step whose lease ran out is taken over with its stored result; the old token can neither store nor finish', async () => {
      const old = claimedStep(await store.claimWorkflowStep(info, T, lease));
      expect(await store.storeWorkflowStepResult('Fx-1', old.token, success)).toBe(true);
      // Renewed, it is not stale yet.
      expect(await store.renewWorkflowStep('Fx-1', old.token, T + 2 * lease)).toBe(true);
      expect(await store.claimStaleWorkflowSteps(T + lease, lease, 10)).toEqual([]);
      const [taken] = await store.claimStaleWorkflowSteps(T + 2 * lease, lease, 10);
      expect(taken).toEqual({ ...info, state: 'completing', result: success, token: expect.any(String), leaseUntil: T + 3 * lease, receivedAt: T });
      expect(taken!.token).not.toBe(old.token);
      expect(await store.finishWorkflowStep('Fx-1', old.token, T + 2 * lease + 1)).toBe(false);
      expect(await store.renewWorkflowStep('Fx-1', old.token, T + 9 * lease)).toBe(false);
      expect(await store.finishWorkflowStep('Fx-1', taken!.token, T + 2 * lease + 2, 'sent again')).toBe(true);
    });

    it('a redelivery after the lease ran out takes a running step over (its process died before deciding)', async () => {
      const old = claimedStep(await store.claimWorkflowStep(info, T, lease));
      const taker = claimedStep(await store.claimWorkflowStep(info, T + lease, lease));
      expect(taker.token).not.toBe(old.token);
      expect(taker.receivedAt).toBe(T);
      expect(await store.storeWorkflowStepResult('Fx-1', old.token, success)).toBe(false);
    });

    it('exactly one of 10 concurrent deliveries on two connections claims it (replicas agree)', async () => {
      const other = await replica();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).claimWorkflowStep(info, T + i, lease)));
      expect(results.filter((r) => r.result === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r.result === 'busy')).toHaveLength(9);
    });

    it('finds the attempt made for a step, open then resolved, and its audit rows by execution ID', async () => {
      expect(await store.attemptOfWorkflowStep('Fx-1')).toBeUndefined();
      const key = { workspaceId: 'ws-1', instanceId: 'inst-1' };
      const lock = await store.acquireLock(key, { userId: 'U0AAA', operation: 'RETRY', acquiredAt: T }, 60_000);
      if (!lock.acquired) throw new Error('lock');
      const a: Attempt = { id: 'at-step', ...key, operation: 'RETRY', requester: 'U0AAA', actor: 'U0AAA', via: 'workflow', workflow: { functionExecutionId: 'Fx-1', workflowExecutionId: 'Wx-1' }, before: { status: 'FAILED' }, lockToken: lock.token, owner: 'replica-a', leaseUntil: T + 10_000, createdAt: T };
      expect(await store.beginAttempt(a, { now: T, lockTtlMs: 60_000 })).toEqual({ begun: true });
      expect(await store.attemptOfWorkflowStep('Fx-1')).toEqual({ attempt: a, resolved: false });
      const row: AuditRecord = { event: 'operation', operation: 'RETRY', instance_id: 'inst-1', workspace_id: 'ws-1', user: 'U0AAA', outcome: 'done', request_id: 'req-1', at: '2024-05-01T10:00:00.000Z', via: 'workflow', workflow_execution_id: 'Wx-1', function_execution_id: 'Fx-1' };
      expect(await store.resolveAttempt('at-step', { owner: 'replica-a', audit: row })).toBe(true);
      expect(await store.attemptOfWorkflowStep('Fx-1')).toEqual({ attempt: a, resolved: true });
      await store.appendAudit({ event: 'denied', user: 'U0BBB', outcome: 'via_not_allowed', at: '2024-05-01T10:00:01.000Z', function_execution_id: 'Fx-2' });
      expect(await store.listAudit({ functionExecutionId: 'Fx-1' })).toEqual([row]);
    });
  });

  describe('audit', () => {
    it('lists records in append order, optional fields round-tripping and absent ones staying absent', async () => {
      const full: AuditRecord = {
        event: 'approved',
        operation: 'TERMINATE',
        instance_id: 'inst-1',
        workspace_id: 'ws-1',
        user: 'U-1',
        channel: 'C0123',
        outcome: 'approved',
        request_id: 'req-1',
        at: '2024-05-01T10:00:00.000Z',
        approval_id: 'ap-1',
        detail: 'two approvers: U-2, U-3 — "quoted" ✓',
      };
      const minimal: AuditRecord = { event: 'denied', user: 'U-2', outcome: 'not_in_role', at: '2024-05-01T10:00:01.000Z' };
      const third = audit({ event: 'executed', user: 'U-3', at: '2024-05-01T10:00:02.000Z', instance_id: 'inst-2' });
      await store.appendAudit(full);
      await store.appendAudit(minimal);
      await store.appendAudit(third);

      const all = await store.listAudit({});
      expect(all).toEqual([full, minimal, third]);
      expect(Object.keys(all[1]!).sort()).toEqual(['at', 'event', 'outcome', 'user']);
      expect(Object.keys(all[2]!).sort()).toEqual(['at', 'event', 'instance_id', 'outcome', 'user']);
    });

    it('filters by time (inclusive), by instance, both, and honours the limit', async () => {
      const recs = [
        audit({ at: '2024-05-01T09:00:00.000Z', instance_id: 'inst-1', user: 'U-a' }),
        audit({ at: '2024-05-01T10:00:00.000Z', instance_id: 'inst-2', user: 'U-b' }),
        audit({ at: '2024-05-01T11:00:00.000Z', instance_id: 'inst-1', user: 'U-c' }),
        audit({ at: '2024-05-01T12:00:00.000Z', user: 'U-d' }),
      ];
      for (const r of recs) await store.appendAudit(r);

      expect(await store.listAudit({ sinceIso: '2024-05-01T10:00:00.000Z' })).toEqual([recs[1], recs[2], recs[3]]);
      expect(await store.listAudit({ sinceIso: '2024-05-01T12:00:00.001Z' })).toEqual([]);
      expect(await store.listAudit({ instanceId: 'inst-1' })).toEqual([recs[0], recs[2]]);
      expect(await store.listAudit({ instanceId: 'inst-1', sinceIso: '2024-05-01T10:00:00.000Z' })).toEqual([recs[2]]);
      expect(await store.listAudit({ instanceId: 'nope' })).toEqual([]);
      expect(await store.listAudit({ limit: 2 })).toEqual([recs[0], recs[1]]);
    });
  });

  describe('locks', () => {
    const key = { workspaceId: 'ws-1', instanceId: 'inst-1' };

    it('grants the first acquire and tells the second who holds the lock', async () => {
      expectAcquired(await store.acquireLock(key, { userId: 'U-1', operation: 'RETRY', acquiredAt: T }, 60_000));
      const holder = expectRefused(await store.acquireLock(key, { userId: 'U-2', operation: 'TERMINATE', acquiredAt: T + 10 }, 60_000));
      expect(holder).toEqual({ userId: 'U-1', operation: 'RETRY', acquiredAt: T });
      // Locks are per instance (and per workspace).
      expectAcquired(await store.acquireLock({ workspaceId: 'ws-1', instanceId: 'inst-2' }, { userId: 'U-2', operation: 'RETRY', acquiredAt: T }, 60_000));
      expectAcquired(await store.acquireLock({ workspaceId: 'ws-2', instanceId: 'inst-1' }, { userId: 'U-2', operation: 'RETRY', acquiredAt: T }, 60_000));
    });

    it('gives exactly one of 20 concurrent acquires the lock', async () => {
      const other = await replica();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).acquireLock(key, { userId: `U-${i}`, operation: 'RETRY', acquiredAt: T }, 60_000)),
      );
      const winners = results.map((r, i) => (r.acquired ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      const winner = `U-${winners[0]}`;
      for (const r of results) if (!r.acquired) expect(r.holder).toEqual({ userId: winner, operation: 'RETRY', acquiredAt: T });
    });

    it('ignores a release with the wrong token and frees the lock with the right one', async () => {
      const token = expectAcquired(await store.acquireLock(key, { userId: 'U-1', operation: 'RETRY', acquiredAt: T }, 60_000));
      await store.releaseLock(key, 'not-the-token');
      await store.releaseLock({ workspaceId: 'ws-1', instanceId: 'inst-other' }, token);
      expect(expectRefused(await store.acquireLock(key, { userId: 'U-2', operation: 'RETRY', acquiredAt: T + 1 }, 60_000)).userId).toBe('U-1');

      await store.releaseLock(key, token);
      expectAcquired(await store.acquireLock(key, { userId: 'U-2', operation: 'TERMINATE', acquiredAt: T + 2 }, 60_000));
    });

    it('lets an expired lock be taken over, after which the old token releases nothing', async () => {
      const old = expectAcquired(await store.acquireLock(key, { userId: 'U-1', operation: 'RETRY', acquiredAt: T }, 1_000));
      expect(expectRefused(await store.acquireLock(key, { userId: 'U-2', operation: 'RETRY', acquiredAt: T + 500 }, 1_000)).userId).toBe('U-1');

      const fresh = expectAcquired(await store.acquireLock(key, { userId: 'U-2', operation: 'TERMINATE', acquiredAt: T + 1_001 }, 1_000));
      expect(fresh).not.toBe(old);
      await store.releaseLock(key, old);
      expect(expectRefused(await store.acquireLock(key, { userId: 'U-3', operation: 'RETRY', acquiredAt: T + 1_002 }, 1_000))).toEqual({
        userId: 'U-2',
        operation: 'TERMINATE',
        acquiredAt: T + 1_001,
      });
      await store.releaseLock(key, fresh);
      expectAcquired(await store.acquireLock(key, { userId: 'U-3', operation: 'RETRY', acquiredAt: T + 1_003 }, 1_000));
    });
  });

  describe('watches', () => {
    it('round-trips every field, the card JSON included, through save and claim', async () => {
      const w = watch('1', { nextPollAt: T - 10 });
      const bare = watch('2', { nextPollAt: T - 5, requester: undefined, card: { kind: 'alert' } });
      await store.saveWatch(w);
      await store.saveWatch(bare);
      const claimed = await store.claimDueWatches('owner-a', T, 10, 30_000);
      // A claimed watch also carries the end of its claim's lease, which identifies the claim.
      expect(claimed).toEqual([
        { ...w, leaseUntil: T + 30_000 },
        { ...bare, leaseUntil: T + 30_000 },
      ]);
      expect(claimed[1]!.requester).toBeUndefined();
      expect(claimed[1]!.card).toEqual({ kind: 'alert' });
      expect(await store.countWatches()).toBe(2);
    });

    it('claims only due, unleased watches, earliest first, up to the limit, and leases them', async () => {
      await store.saveWatch(watch('late', { nextPollAt: T + 10 }));
      await store.saveWatch(watch('b', { nextPollAt: T - 5 }));
      await store.saveWatch(watch('a', { nextPollAt: T - 10 }));
      await store.saveWatch(watch('c', { nextPollAt: T - 1 }));

      expect(ids(await store.claimDueWatches('owner-a', T, 2, 30_000))).toEqual(['a', 'b']);
      // Leased ones are not handed out again, to anyone.
      expect(ids(await store.claimDueWatches('owner-b', T, 10, 30_000))).toEqual(['c']);
      expect(await store.claimDueWatches('owner-b', T, 10, 30_000)).toEqual([]);
      expect(await store.claimDueWatches('owner-a', T + 5, 10, 30_000)).toEqual([]);
      // The not-yet-due one becomes claimable when due.
      expect(ids(await store.claimDueWatches('owner-c', T + 10, 10, 30_000))).toEqual(['late']);
    });

    it('saveWatch with an existing id replaces it and clears its lease', async () => {
      await store.saveWatch(watch('1', { nextPollAt: T - 10 }));
      expect(ids(await store.claimDueWatches('owner-a', T, 10, 60_000))).toEqual(['1']);

      const replaced = watch('1', {
        threadTs: '1700000000.999999',
        requester: undefined,
        lastStatus: 'WAITING',
        intervalMs: 15_000,
        nextPollAt: T - 1,
        startedAt: T - 1_000,
        deadline: T + 7_200_000,
        card: { kind: 'alert', title: 'new title', approvers: ['U-Z'] },
      });
      await store.saveWatch(replaced);
      expect(await store.countWatches()).toBe(1);
      // The lease is gone: another owner gets it at once, with the new values.
      expect(await store.claimDueWatches('owner-b', T, 10, 60_000)).toEqual([{ ...replaced, leaseUntil: T + 60_000 }]);
      // And the old lease holder can no longer record a poll.
      expect(await store.updateWatch('owner-a', { id: '1', lastStatus: 'X', intervalMs: 1, nextPollAt: T })).toBe(false);
    });

    it('never gives two concurrent owners the same watch', async () => {
      const other = await replica();
      for (let i = 0; i < 12; i++) await store.saveWatch(watch(`w${i}`, { nextPollAt: T - 100 + i }));
      const claims = await Promise.all(
        ['a', 'b', 'c', 'd'].map((o, i) => (i % 2 ? other : store).claimDueWatches(`owner-${o}`, T, 4, 30_000)),
      );
      for (const c of claims) expect(c.length).toBeLessThanOrEqual(4);
      const all = claims.flatMap(ids);
      expect(new Set(all).size).toBe(all.length);
      // Nothing is lost either: whatever the racing claims left is still there to claim.
      const rest = ids(await store.claimDueWatches('owner-e', T, 100, 30_000));
      expect([...all, ...rest].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `w${i}`).sort());
    });

    it('lets another owner claim a watch whose lease expired, and the old owner loses it', async () => {
      await store.saveWatch(watch('1', { nextPollAt: T - 10 }));
      expect(ids(await store.claimDueWatches('owner-a', T, 10, 1_000))).toEqual(['1']);
      expect(await store.claimDueWatches('owner-b', T + 500, 10, 1_000)).toEqual([]);
      expect(ids(await store.claimDueWatches('owner-b', T + 1_001, 10, 1_000))).toEqual(['1']);
      expect(await store.updateWatch('owner-a', { id: '1', lastStatus: 'SUCCESS', intervalMs: 5_000, nextPollAt: T + 9_000 })).toBe(false);
      expect(await store.updateWatch('owner-b', { id: '1', lastStatus: 'SUCCESS', intervalMs: 5_000, nextPollAt: T + 9_000 })).toBe(true);
    });

    it('updateWatch by the lease owner records the poll and releases the lease; others get false', async () => {
      await store.saveWatch(watch('1', { nextPollAt: T - 10 }));
      // Not leased by anyone yet: nobody may update it.
      expect(await store.updateWatch('owner-a', { id: '1', lastStatus: 'X', intervalMs: 1, nextPollAt: T })).toBe(false);
      expect(ids(await store.claimDueWatches('owner-a', T, 10, 60_000))).toEqual(['1']);

      expect(await store.updateWatch('owner-b', { id: '1', lastStatus: 'HIJACKED', intervalMs: 1, nextPollAt: T })).toBe(false);
      expect(await store.updateWatch('owner-a', { id: '1', lastStatus: 'SUCCESS', intervalMs: 7_000, nextPollAt: T + 7_000 })).toBe(true);
      // Released: a second update by the same owner has no lease to use.
      expect(await store.updateWatch('owner-a', { id: '1', lastStatus: 'AGAIN', intervalMs: 1, nextPollAt: T })).toBe(false);
      expect(await store.updateWatch('owner-a', { id: 'missing', lastStatus: 'X', intervalMs: 1, nextPollAt: T })).toBe(false);

      expect(await store.claimDueWatches('owner-b', T + 6_999, 10, 60_000)).toEqual([]);
      // Well before the 60 s lease would have run out, another owner can claim it with the new values.
      expect(await store.claimDueWatches('owner-b', T + 7_000, 10, 60_000)).toEqual([
        { ...watch('1', { lastStatus: 'SUCCESS', intervalMs: 7_000, nextPollAt: T + 7_000 }), leaseUntil: T + 67_000 },
      ]);
    });

    it('holdsWatch is true only for the claim that is still current; releaseWatch ends it', async () => {
      await store.saveWatch(watch('1', { nextPollAt: T - 10 }));
      const [first] = await store.claimDueWatches('owner-a', T, 10, 1_000);
      expect(await store.holdsWatch(first!, 'owner-a')).toBe(true);
      expect(await store.holdsWatch(first!, 'owner-b')).toBe(false);
      expect(await store.holdsWatch({ id: '1' }, 'owner-a')).toBe(false);
      await store.releaseWatch('1');
      expect(await store.holdsWatch(first!, 'owner-a')).toBe(false);
      // The same owner claiming it again is a new claim: the old one does not hold it.
      const [second] = await store.claimDueWatches('owner-a', T + 1, 10, 1_000);
      expect(await store.holdsWatch(second!, 'owner-a')).toBe(true);
      expect(await store.holdsWatch(first!, 'owner-a')).toBe(false);
      // Replacing the watch (a click turned the card into a new status card) ends the claim too.
      await store.saveWatch(watch('1', { nextPollAt: T + 100 }));
      expect(await store.holdsWatch(second!, 'owner-a')).toBe(false);
    });

    it("releaseWatchLeases frees only that owner's leases", async () => {
      for (const id of ['1', '2', '3']) await store.saveWatch(watch(id, { nextPollAt: T - 10 + Number(id) }));
      expect(ids(await store.claimDueWatches('owner-a', T, 2, 60_000))).toEqual(['1', '2']);
      expect(ids(await store.claimDueWatches('owner-b', T, 2, 60_000))).toEqual(['3']);
      await store.releaseWatchLeases('owner-a');
      await store.releaseWatchLeases('owner-nobody');
      expect(ids(await store.claimDueWatches('owner-c', T + 1, 10, 60_000))).toEqual(['1', '2']);
      expect(await store.updateWatch('owner-a', { id: '1', lastStatus: 'X', intervalMs: 1, nextPollAt: T })).toBe(false);
      expect(await store.updateWatch('owner-b', { id: '3', lastStatus: 'X', intervalMs: 1, nextPollAt: T })).toBe(true);
    });

    it('counts and deletes watches', async () => {
      expect(await store.countWatches()).toBe(0);
      for (const id of ['1', '2', '3']) await store.saveWatch(watch(id, { nextPollAt: T - 10 }));
      await store.saveWatch(watch('2', { lastStatus: 'REPLACED', nextPollAt: T - 10 }));
      expect(await store.countWatches()).toBe(3);
      await store.deleteWatch('2');
      await store.deleteWatch('does-not-exist');
      expect(await store.countWatches()).toBe(2);
      expect(ids(await store.claimDueWatches('owner-a', T, 10, 60_000)).sort()).toEqual(['1', '3']);
    });

    it('nextWatchDue is the earliest nextPollAt among unleased watches', async () => {
      expect(await store.nextWatchDue()).toBeUndefined();
      await store.saveWatch(watch('1', { nextPollAt: T + 300 }));
      await store.saveWatch(watch('2', { nextPollAt: T + 100 }));
      await store.saveWatch(watch('3', { nextPollAt: T + 200 }));
      expect(await store.nextWatchDue()).toBe(T + 100);

      expect(ids(await store.claimDueWatches('owner-a', T + 100, 10, 5_000))).toEqual(['2']);
      expect(await store.nextWatchDue()).toBe(T + 200);

      await store.releaseWatchLeases('owner-a');
      expect(await store.nextWatchDue()).toBe(T + 100);

      await store.deleteWatch('1');
      await store.deleteWatch('3');
      expect(ids(await store.claimDueWatches('owner-a', T + 100, 10, 5_000))).toEqual(['2']);
      // Only a leased watch left: it is not due for anyone before its lease runs out.
      const next = await store.nextWatchDue();
      if (next !== undefined) expect(next).toBeGreaterThanOrEqual(T + 5_100);
      await store.deleteWatch('2');
      expect(await store.nextWatchDue()).toBeUndefined();
    });
  });

  describe('approvals', () => {
    it('round-trips an approval, approverRoles, count and optional fields included', async () => {
      const full = approval('ap-1', {
        instanceName: 'Brute force on ecs-prod-01 — ✓',
        reason: 'customer asked',
        messageTs: '1700000000.000100',
        approverRoles: ['secops', 'soc-lead', 'on-call'],
        count: 3,
      });
      const bare = approval('ap-2', { approverRoles: [], count: 1, operation: 'RETRY' });
      await store.createApproval(full);
      await store.createApproval(bare);

      expect(await store.getApproval('ap-1')).toEqual(full);
      const got = await store.getApproval('ap-2');
      expect(got).toEqual(bare);
      expect(got!.votes).toEqual([]);
      for (const k of ['instanceName', 'reason', 'messageTs', 'decidedBy', 'decidedAt', 'detail'] as const) expect(got![k]).toBeUndefined();
      expect(await store.getApproval('ap-missing')).toBeUndefined();
    });

    it('counts votes once per approver and approves on reaching the count', async () => {
      await store.createApproval(approval('ap-1', { count: 2 }));

      const first = expectCounted(await store.voteApproval('ap-1', 'U-1', T + 10));
      expect(first.reached).toBe(false);
      expect(first.approval.state).toBe('pending');
      expect(first.approval.votes).toEqual([{ userId: 'U-1', at: T + 10 }]);

      const dup = await store.voteApproval('ap-1', 'U-1', T + 20);
      expect(dup.result).toBe('duplicate');
      expect((await store.getApproval('ap-1'))!.votes).toEqual([{ userId: 'U-1', at: T + 10 }]);

      const second = expectCounted(await store.voteApproval('ap-1', 'U-2', T + 30));
      expect(second.reached).toBe(true);
      expect(second.approval).toMatchObject({ state: 'approved', decidedBy: 'U-2', decidedAt: T + 30 });
      expect(second.approval.votes).toEqual([
        { userId: 'U-1', at: T + 10 },
        { userId: 'U-2', at: T + 30 },
      ]);
      expect((await store.getApproval('ap-1'))!.state).toBe('approved');

      const late = await store.voteApproval('ap-1', 'U-3', T + 40);
      expect(late.result).toBe('closed');
      if (late.result === 'closed') expect(late.approval.state).toBe('approved');
      expect((await store.getApproval('ap-1'))!.votes).toHaveLength(2);
    });

    it('refuses votes after expiry and on unknown approvals', async () => {
      await store.createApproval(approval('ap-1', { count: 1, expiresAt: T + 1_000 }));
      const r = await store.voteApproval('ap-1', 'U-1', T + 1_001);
      expect(r.result).toBe('expired');
      const after = await store.getApproval('ap-1');
      expect(after!.votes).toEqual([]);
      expect(after!.state).toBe('pending');
      expect(await store.voteApproval('ap-missing', 'U-1', T)).toEqual({ result: 'not_found' });
    });

    it('gives exactly one of 10 concurrent votes on count 1 the "reached"', async () => {
      const other = await replica();
      await store.createApproval(approval('ap-1', { count: 1 }));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).voteApproval('ap-1', `U-${i}`, T + i)));
      const reached = results.filter((r) => r.result === 'counted' && r.reached);
      expect(reached).toHaveLength(1);
      expect(results.filter((r) => r.result === 'counted')).toHaveLength(1);
      expect(results.filter((r) => r.result === 'closed')).toHaveLength(9);
      const final = await store.getApproval('ap-1');
      expect(final!.state).toBe('approved');
      expect(final!.votes).toHaveLength(1);
      expect(final!.decidedBy).toBe(final!.votes[0]!.userId);
    });

    it('counts exactly `count` of many concurrent distinct votes', async () => {
      const other = await replica();
      await store.createApproval(approval('ap-1', { count: 3 }));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).voteApproval('ap-1', `U-${i}`, T + 1)));
      expect(results.filter((r) => r.result === 'counted')).toHaveLength(3);
      expect(results.filter((r) => r.result === 'counted' && r.reached)).toHaveLength(1);
      expect(results.filter((r) => r.result === 'closed')).toHaveLength(7);
      expect((await store.getApproval('ap-1'))!.votes).toHaveLength(3);
    });

    it('transitionApproval is a compare-and-set: one of two racing transitions wins, with its patch', async () => {
      const other = await replica();
      await store.createApproval(approval('ap-1'));
      const [rejected, approved] = await Promise.all([
        store.transitionApproval('ap-1', 'pending', 'rejected', { decidedBy: 'U-R', decidedAt: T + 1, detail: 'no' }),
        other.transitionApproval('ap-1', 'pending', 'approved', { decidedBy: 'U-A', decidedAt: T + 2, detail: 'yes' }),
      ]);
      expect([rejected, approved].filter(Boolean)).toHaveLength(1);
      const after = await store.getApproval('ap-1');
      if (rejected) expect(after).toMatchObject({ state: 'rejected', decidedBy: 'U-R', decidedAt: T + 1, detail: 'no' });
      else expect(after).toMatchObject({ state: 'approved', decidedBy: 'U-A', decidedAt: T + 2, detail: 'yes' });

      // A stale `from` changes nothing.
      expect(await store.transitionApproval('ap-1', 'pending', 'void', { detail: 'late' })).toBe(false);
      expect(await store.getApproval('ap-1')).toEqual(after);
      expect(await store.transitionApproval('ap-missing', 'pending', 'void')).toBe(false);
    });

    it('transitionApproval stores the patch and keeps fields the patch leaves out', async () => {
      await store.createApproval(approval('ap-1'));
      expect(await store.transitionApproval('ap-1', 'pending', 'approved', { decidedBy: 'U-A', decidedAt: T + 5, messageTs: '1700000000.000200' })).toBe(true);
      expect(await store.getApproval('ap-1')).toMatchObject({ state: 'approved', decidedBy: 'U-A', decidedAt: T + 5, messageTs: '1700000000.000200' });
      expect((await store.getApproval('ap-1'))!.detail).toBeUndefined();

      expect(await store.transitionApproval('ap-1', 'approved', 'executed', { detail: 'instance terminated' })).toBe(true);
      expect(await store.getApproval('ap-1')).toMatchObject({
        state: 'executed',
        decidedBy: 'U-A',
        decidedAt: T + 5,
        messageTs: '1700000000.000200',
        detail: 'instance terminated',
      });
      expect(await store.transitionApproval('ap-1', 'executed', 'failed')).toBe(true);
      expect((await store.getApproval('ap-1'))!.state).toBe('failed');
    });

    it('expireDueApprovals expires only due pending approvals, each once, up to the limit', async () => {
      await store.createApproval(approval('due-1', { expiresAt: T - 10 }));
      await store.createApproval(approval('due-2', { expiresAt: T - 5 }));
      await store.createApproval(approval('due-3', { expiresAt: T - 1 }));
      await store.createApproval(approval('future', { expiresAt: T + 100 }));
      await store.createApproval(approval('decided', { expiresAt: T - 20 }));
      expect(await store.transitionApproval('decided', 'pending', 'rejected', { decidedBy: 'U-R', decidedAt: T - 30 })).toBe(true);

      const first = await store.expireDueApprovals(T, 2);
      expect(ids(first).sort()).toEqual(['due-1', 'due-2']);
      for (const a of first) expect(a.state).toBe('expired');
      const second = await store.expireDueApprovals(T, 10);
      expect(ids(second)).toEqual(['due-3']);
      expect(second[0]).toMatchObject({ id: 'due-3', state: 'expired', requester: 'U-REQ', approverRoles: ['secops', 'soc-lead'] });
      expect(await store.expireDueApprovals(T, 10)).toEqual([]);

      expect((await store.getApproval('due-1'))!.state).toBe('expired');
      expect((await store.getApproval('future'))!.state).toBe('pending');
      expect((await store.getApproval('decided'))!.state).toBe('rejected');
      expect(ids(await store.expireDueApprovals(T + 100, 10))).toEqual(['future']);
    });

    it('concurrent expireDueApprovals never return the same approval twice', async () => {
      const other = await replica();
      for (let i = 0; i < 12; i++) await store.createApproval(approval(`ap-${i}`, { expiresAt: T - 100 + i }));
      const runs = await Promise.all([0, 1, 2, 3].map((i) => (i % 2 ? other : store).expireDueApprovals(T, 4)));
      const all = runs.flatMap(ids);
      expect(new Set(all).size).toBe(all.length);
      for (const r of runs) expect(r.length).toBeLessThanOrEqual(4);
      const rest = ids(await store.expireDueApprovals(T, 100));
      expect([...all, ...rest].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `ap-${i}`).sort());
    });

    it('lists approvals by state and requester, newest first, with their votes', async () => {
      await store.createApproval(approval('a1', { createdAt: T + 1, requester: 'U-X' }));
      await store.createApproval(approval('a2', { createdAt: T + 2, requester: 'U-Y', count: 1 }));
      await store.createApproval(approval('a3', { createdAt: T + 3, requester: 'U-X' }));
      await store.createApproval(approval('a4', { createdAt: T + 4, requester: 'U-Y' }));
      await store.createApproval(approval('a5', { createdAt: T + 5, requester: 'U-X' }));
      expectCounted(await store.voteApproval('a2', 'U-V', T + 10)); // a2 → approved
      expectCounted(await store.voteApproval('a3', 'U-V', T + 11)); // a3 stays pending with one vote
      expect(await store.transitionApproval('a4', 'pending', 'rejected')).toBe(true);

      expect(ids(await store.listApprovals({ limit: 100 }))).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
      const pending = await store.listApprovals({ states: ['pending'], limit: 100 });
      expect(ids(pending)).toEqual(['a5', 'a3', 'a1']);
      expect(pending[1]!.votes).toEqual([{ userId: 'U-V', at: T + 11 }]);
      expect(pending[0]!.votes).toEqual([]);
      expect(ids(await store.listApprovals({ states: ['approved', 'rejected'], limit: 100 }))).toEqual(['a4', 'a2']);
      const mine = await store.listApprovals({ requester: 'U-Y', limit: 100 });
      expect(ids(mine)).toEqual(['a4', 'a2']);
      expect(mine[1]).toMatchObject({ state: 'approved', votes: [{ userId: 'U-V', at: T + 10 }] });
      expect(ids(await store.listApprovals({ states: ['pending'], requester: 'U-X', limit: 100 }))).toEqual(['a5', 'a3', 'a1']);
      expect(ids(await store.listApprovals({ states: ['pending'], requester: 'U-X', limit: 2 }))).toEqual(['a5', 'a3']);
      expect(await store.listApprovals({ states: ['void'], limit: 100 })).toEqual([]);
      expect(await store.listApprovals({ requester: 'U-NOBODY', limit: 100 })).toEqual([]);
    });

    it('countApprovals counts by state', async () => {
      await store.createApproval(approval('c1', { expiresAt: T + 10 }));
      await store.createApproval(approval('c2', { expiresAt: T + 20 }));
      expect(await store.countApprovals('pending')).toBe(2);
      expect(await store.transitionApproval('c1', 'pending', 'rejected')).toBe(true);
      expect(await store.countApprovals('pending')).toBe(1);
      expect(await store.countApprovals('rejected')).toBe(1);
      expect(await store.countApprovals('expired')).toBe(0);
    });

    it('nextApprovalExpiry is the earliest expiry among pending approvals', async () => {
      expect(await store.nextApprovalExpiry()).toBeUndefined();
      await store.createApproval(approval('a1', { expiresAt: T + 300 }));
      await store.createApproval(approval('a2', { expiresAt: T + 100 }));
      await store.createApproval(approval('a3', { expiresAt: T + 200 }));
      expect(await store.nextApprovalExpiry()).toBe(T + 100);
      expect(await store.transitionApproval('a2', 'pending', 'rejected')).toBe(true);
      expect(await store.nextApprovalExpiry()).toBe(T + 200);
      expect(ids(await store.expireDueApprovals(T + 250, 10))).toEqual(['a3']);
      expect(await store.nextApprovalExpiry()).toBe(T + 300);
      expect(await store.transitionApproval('a1', 'pending', 'void')).toBe(true);
      expect(await store.nextApprovalExpiry()).toBeUndefined();
    });

    it('setApprovalMessage sets and replaces the message ts', async () => {
      await store.createApproval(approval('a1'));
      await store.createApproval(approval('a2'));
      await store.setApprovalMessage('a1', '1700000000.000300');
      expect((await store.getApproval('a1'))!.messageTs).toBe('1700000000.000300');
      await store.setApprovalMessage('a1', '1700000000.000400');
      expect((await store.getApproval('a1'))!.messageTs).toBe('1700000000.000400');
      expect((await store.getApproval('a2'))!.messageTs).toBeUndefined();
      await store.setApprovalMessage('a-missing', '1700000000.000500');
      expect(await store.getApproval('a-missing')).toBeUndefined();
    });
  });

  describe('attempts (the fence before an operation POST)', () => {
    const key = { workspaceId: 'ws-1', instanceId: 'inst-1' };
    const holder = (userId: string, at: number): LockHolder => ({ userId, operation: 'RETRY', acquiredAt: at });
    const resolution = (owner: string, over: Partial<AuditRecord> = {}) => ({ owner, audit: audit({ instance_id: 'inst-1', outcome: 'done', at: '2024-05-01T10:00:05.000Z', ...over }) });

    it('begins an attempt while the lock is held, extends the lock to cover the call, and round-trips every field', async () => {
      const token = expectAcquired(await store.acquireLock(key, holder('U-REQ', T), 1_000));
      const a = attempt('at-1', token);
      expect(await store.beginAttempt(a, { now: T + 900, lockTtlMs: 5_000 })).toEqual({ begun: true });
      expect(await store.countOpenAttempts()).toBe(1);
      // The lock now lasts until T + 900 + 5 000, not T + 1 000.
      expectRefused(await store.acquireLock(key, holder('U-2', T + 5_000), 1_000));
      expectAcquired(await store.acquireLock(key, holder('U-2', T + 5_900), 1_000));
      // Its lease over, another replica sees exactly what was stored.
      const [claimed] = await store.claimOrphanedAttempts('replica-b', T + 10_000, 30_000, 10);
      expect(claimed).toEqual({ ...a, owner: 'replica-b', leaseUntil: T + 40_000 });
      // Optional fields absent stay absent.
      const token2 = expectAcquired(await store.acquireLock({ workspaceId: 'ws-1', instanceId: 'inst-2' }, holder('U-REQ', T), 60_000));
      const bare: Attempt = { ...attempt('at-2', token2, { instanceId: 'inst-2' }), channel: undefined, card: undefined, before: { status: 'RUNNING' } };
      delete bare.channel;
      delete bare.card;
      expect(await store.beginAttempt(bare, { now: T, lockTtlMs: 60_000 })).toEqual({ begun: true });
      const [back] = await store.claimOrphanedAttempts('replica-b', T + 10_000, 30_000, 10);
      expect(back).toEqual({ ...bare, owner: 'replica-b', leaseUntil: T + 40_000 });
      expect(Object.keys(back!)).not.toContain('card');
    });

    it('refuses, storing nothing, when the lock expired, was taken over, or the token is wrong', async () => {
      const old = expectAcquired(await store.acquireLock(key, holder('U-1', T), 1_000));
      expect(await store.beginAttempt(attempt('at-x', 'not-the-token'), { now: T + 10, lockTtlMs: 60_000 })).toEqual({ begun: false, reason: 'lock_lost', holder: holder('U-1', T) });
      // Expired and nobody took it: still lost, with no holder to name.
      expect(await store.beginAttempt(attempt('at-1', old), { now: T + 1_000, lockTtlMs: 60_000 })).toEqual({ begun: false, reason: 'lock_lost' });
      // Taken over: the old token is fenced off, and the new holder is named.
      const fresh = expectAcquired(await store.acquireLock(key, holder('U-2', T + 1_500), 1_000));
      expect(await store.beginAttempt(attempt('at-2', old), { now: T + 1_600, lockTtlMs: 60_000 })).toEqual({ begun: false, reason: 'lock_lost', holder: holder('U-2', T + 1_500) });
      expect(await store.countOpenAttempts()).toBe(0);
      // A lost fence did not extend anyone's lock: the new holder's still ends at T + 2 500.
      expectAcquired(await store.acquireLock(key, holder('U-3', T + 2_500), 1_000));
      expect(await store.beginAttempt(attempt('at-3', fresh), { now: T + 2_600, lockTtlMs: 60_000 })).toMatchObject({ begun: false, reason: 'lock_lost' });
    });

    it('allows one open attempt per instance: a new lock holder must wait for the earlier outcome', async () => {
      const first = expectAcquired(await store.acquireLock(key, holder('U-1', T), 60_000));
      expect(await store.beginAttempt(attempt('at-1', first, { requester: 'U-1' }), { now: T + 5, lockTtlMs: 60_000 })).toEqual({ begun: true });
      await store.releaseLock(key, first);
      const second = expectAcquired(await store.acquireLock(key, holder('U-2', T + 10), 60_000));
      expect(await store.beginAttempt(attempt('at-2', second, { requester: 'U-2' }), { now: T + 20, lockTtlMs: 60_000 })).toEqual({
        begun: false,
        reason: 'attempt_open',
        holder: { userId: 'U-1', operation: 'RETRY', acquiredAt: T },
      });
      expect(await store.resolveAttempt('at-1', resolution('replica-a'))).toBe(true);
      expect(await store.beginAttempt(attempt('at-2', second, { requester: 'U-2' }), { now: T + 30, lockTtlMs: 60_000 })).toEqual({ begun: true });
      // Other instances are not held up.
      const elsewhere = expectAcquired(await store.acquireLock({ workspaceId: 'ws-1', instanceId: 'inst-9' }, holder('U-3', T), 60_000));
      expect(await store.beginAttempt(attempt('at-9', elsewhere, { instanceId: 'inst-9' }), { now: T + 30, lockTtlMs: 60_000 })).toEqual({ begun: true });
    });

    it('of 10 concurrent fences on two connections, one begins', async () => {
      const other = await replica();
      const token = expectAcquired(await store.acquireLock(key, holder('U-1', T), 60_000));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).beginAttempt(attempt(`at-${i}`, token), { now: T + 1, lockTtlMs: 60_000 })));
      expect(results.filter((r) => r.begun)).toHaveLength(1);
      expect(results.filter((r) => !r.begun && r.reason === 'attempt_open')).toHaveLength(9);
      expect(await store.countOpenAttempts()).toBe(1);
    });

    it('resolves once, with its audit row in the same step; a wrong owner resolves nothing', async () => {
      const token = expectAcquired(await store.acquireLock(key, holder('U-1', T), 60_000));
      await store.beginAttempt(attempt('at-1', token), { now: T, lockTtlMs: 60_000 });
      expect(await store.resolveAttempt('at-1', resolution('replica-b'))).toBe(false);
      expect(await store.listAudit({})).toEqual([]);
      expect(await store.resolveAttempt('at-1', resolution('replica-a', { detail: 'first' }))).toBe(true);
      expect(await store.resolveAttempt('at-1', resolution('replica-a', { detail: 'second' }))).toBe(false);
      expect((await store.listAudit({})).map((r) => r.detail)).toEqual(['first']);
      expect(await store.countOpenAttempts()).toBe(0);
      expect(await store.claimOrphanedAttempts('replica-b', T + 1_000_000, 1_000, 10)).toEqual([]);
      expect(await store.resolveAttempt('missing', resolution('replica-a'))).toBe(false);
    });

    it("settles an approved request's approval with its resolution, and only an approved one", async () => {
      await store.createApproval(approval('ap-1', { instanceId: 'inst-1', state: 'approved' }));
      await store.createApproval(approval('ap-2', { instanceId: 'inst-2' }));
      const t1 = expectAcquired(await store.acquireLock(key, holder('U-1', T), 60_000));
      const t2 = expectAcquired(await store.acquireLock({ workspaceId: 'ws-1', instanceId: 'inst-2' }, holder('U-1', T), 60_000));
      await store.beginAttempt(attempt('at-1', t1, { approvalId: 'ap-1' }), { now: T, lockTtlMs: 60_000 });
      await store.beginAttempt(attempt('at-2', t2, { instanceId: 'inst-2', approvalId: 'ap-2' }), { now: T, lockTtlMs: 60_000 });
      expect(await store.resolveAttempt('at-1', { ...resolution('replica-a'), approvalState: 'executed', approvalDetail: 'done_unconfirmed' })).toBe(true);
      expect(await store.getApproval('ap-1')).toMatchObject({ state: 'executed', detail: 'done_unconfirmed' });
      // A pending approval is not moved by an attempt's resolution.
      expect(await store.resolveAttempt('at-2', { ...resolution('replica-a'), approvalState: 'failed' })).toBe(true);
      expect((await store.getApproval('ap-2'))!.state).toBe('pending');
    });

    it('claims only open attempts whose lease ran out, each once across replicas; the old owner then can neither renew nor resolve', async () => {
      for (const [i, inst] of ['inst-1', 'inst-2', 'inst-3'].entries()) {
        const token = expectAcquired(await store.acquireLock({ workspaceId: 'ws-1', instanceId: inst }, holder('U-1', T), 60_000));
        await store.beginAttempt(attempt(`at-${i + 1}`, token, { instanceId: inst, createdAt: T + i, leaseUntil: T + 1_000 }), { now: T + i, lockTtlMs: 60_000 });
      }
      // The owner of at-3 is alive and renews it.
      expect(await store.renewAttempt('at-3', 'replica-a', T + 5_000)).toBe(true);
      expect(await store.renewAttempt('at-3', 'replica-x', T + 9_000)).toBe(false);
      expect(await store.claimOrphanedAttempts('replica-b', T + 999, 10_000, 10)).toEqual([]);

      const other = await replica();
      const [mine, theirs] = await Promise.all([store.claimOrphanedAttempts('replica-b', T + 1_000, 10_000, 10), other.claimOrphanedAttempts('replica-c', T + 1_000, 10_000, 10)]);
      expect([...ids(mine), ...ids(theirs)].sort()).toEqual(['at-1', 'at-2']);
      // Oldest first.
      const all = [...mine, ...theirs];
      if (mine.length === 2) expect(ids(mine)).toEqual(['at-1', 'at-2']);
      const claimedBy = (id: string) => all.find((a) => a.id === id)!.owner;
      expect(await store.renewAttempt('at-1', 'replica-a', T + 20_000)).toBe(false);
      expect(await store.resolveAttempt('at-1', resolution('replica-a'))).toBe(false);
      expect(await store.resolveAttempt('at-1', resolution(claimedBy('at-1')))).toBe(true);
      // A claimed attempt is not claimed again while its new lease runs.
      expect(await store.claimOrphanedAttempts('replica-d', T + 2_000, 10_000, 10)).toEqual([]);
      // Past every lease (at-3's renewal ran to T + 5 000): the rest, oldest first.
      expect(ids(await store.claimOrphanedAttempts('replica-d', T + 11_000, 10_000, 10))).toEqual(['at-2', 'at-3']);
      expect(await store.countOpenAttempts()).toBe(2);
    });
  });

  describe('seen events and rate slots', () => {
    it('markSeen is true the first time a key is seen, then false', async () => {
      expect(await store.markSeen('evt-1', T)).toBe(true);
      expect(await store.markSeen('evt-1', T + 1)).toBe(false);
      expect(await store.markSeen('evt-1', T + 2)).toBe(false);
      expect(await store.markSeen('evt-2', T + 3)).toBe(true);
    });

    it('gives exactly one of 10 concurrent markSeen calls true', async () => {
      const other = await replica();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).markSeen('evt-race', T + i)));
      expect(results.filter((r) => r)).toHaveLength(1);
    });

    it('takeRateSlot grants up to the limit in any sliding window, per key, and says when a slot frees', async () => {
      const minute = 60_000;
      expect(await store.takeRateSlot('U-1', T, minute, 2)).toEqual({ granted: true });
      expect(await store.takeRateSlot('U-1', T + 10_000, minute, 2)).toEqual({ granted: true });
      expect(await store.takeRateSlot('U-2', T + 10_000, minute, 2)).toEqual({ granted: true });
      // Full for U-1 until the first slot (taken at T) leaves the window at T + 60 s.
      expect(await store.takeRateSlot('U-1', T + 20_000, minute, 2)).toEqual({ granted: false, freeAt: T + minute });
      // A refused attempt is not recorded: the answer does not move later.
      expect(await store.takeRateSlot('U-1', T + 59_999, minute, 2)).toEqual({ granted: false, freeAt: T + minute });
      expect(await store.takeRateSlot('U-1', T + minute, minute, 2)).toEqual({ granted: true });
      // Now the slots of T + 10 s and T + 60 s are in the window.
      expect(await store.takeRateSlot('U-1', T + minute + 1, minute, 2)).toEqual({ granted: false, freeAt: T + 10_000 + minute });
    });

    it('takeRateSlot has no clock-aligned boundary: a burst across a minute boundary is still limited', async () => {
      const minute = 60_000;
      const boundary = Math.ceil(T / minute) * minute + minute;
      expect(await store.takeRateSlot('U-edge', boundary - 50, minute, 2)).toEqual({ granted: true });
      expect(await store.takeRateSlot('U-edge', boundary - 20, minute, 2)).toEqual({ granted: true });
      expect(await store.takeRateSlot('U-edge', boundary + 1_000, minute, 2)).toEqual({ granted: false, freeAt: boundary - 50 + minute });
    });

    it('grants exactly the limit to concurrent callers on two connections', async () => {
      const other = await replica();
      const n = 12;
      const slots = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 ? other : store).takeRateSlot('U-race', T + i, 60_000, 5)));
      expect(slots.filter((s) => s.granted)).toHaveLength(5);
      expect(slots.filter((s) => !s.granted)).toHaveLength(n - 5);
    });
  });

  describe('lifecycle', () => {
    it('ping resolves while open and rejects after close', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    });
  });
});
