import { migrate } from '../../src/store/migrate';
import { openPostgresStore } from '../../src/store/postgres';
import { count, rows, run, script } from '../../src/store/step';
import { postgresBackend, rejectionOf, sqliteBackend, PG_URL, type Backend, type FreshDatabase } from './databases';

/**
 * Migrations on both databases: an existing database migrates forward from any recorded version,
 * each version is applied once, and a failed run leaves the database as it was.
 */

const T = 1_700_000_000_000;

type MigrationRow = { version: number | string; applied_at: string };
const recorded = (rs: MigrationRow[]) => rs.map((r) => Number(r.version));

describe.each<[string, () => Backend]>([
  ['sqlite', sqliteBackend],
  ['postgres', postgresBackend],
])('migrations: %s', (_name, makeBackend) => {
  const backend = makeBackend();
  const latest = backend.migrations.map((m) => m.version);
  let fresh: FreshDatabase;

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    fresh = await backend.create();
  });
  afterEach(() => backend.closeAll());

  it('versions are 1, 2, 3, … in order, as recorded by every earlier release', () => {
    expect(latest).toEqual(latest.map((_, i) => i + 1));
  });

  it.each([0, 1, 2, 3, 4, 5])('a database at version %i migrates forward to the latest, keeping its rows', async (at) => {
    const old = fresh.open();
    await old.transaction(migrate(backend.migrations.slice(0, at)));
    if (at >= 1) {
      await old.run(run(`INSERT INTO audit (at, event, user_id, outcome) VALUES (?, 'denied', 'U-OLD', 'not_allowed')`, ['2024-05-01T10:00:00.000Z']));
      await old.run(run('INSERT INTO seen_events (event_key, at) VALUES (?, ?)', ['evt-old', T]));
    }
    await old.close();

    const store = await fresh.store();
    const db = fresh.open();
    expect(recorded(await db.run(rows<MigrationRow>('SELECT version, applied_at FROM schema_migrations ORDER BY version')))).toEqual(latest);
    if (at >= 1) {
      expect(await store.listAudit({})).toEqual([{ event: 'denied', user: 'U-OLD', outcome: 'not_allowed', at: '2024-05-01T10:00:00.000Z' }]);
      expect(await store.markSeen('evt-old', T + 1)).toBe(false);
    }
    // What the later versions created works: the sliding rate window (2), SMN messages (3), attempts (4).
    expect(await store.takeRateSlot('U-1', T, 60_000, 1)).toEqual({ granted: true });
    expect(await store.claimSmnMessage('m-1', { topicUrn: 'urn:smn:x', type: 'Notification' }, T, 1_000)).toMatchObject({ result: 'claimed' });
    expect(await store.countOpenAttempts()).toBe(0);
  });

  it('opening a migrated database again applies nothing', async () => {
    await (await fresh.store()).close();
    const db = fresh.open();
    const before = await db.run(rows<MigrationRow>('SELECT version, applied_at FROM schema_migrations ORDER BY version'));
    await (await fresh.store()).close();
    expect(await db.run(rows<MigrationRow>('SELECT version, applied_at FROM schema_migrations ORDER BY version'))).toEqual(before);
  });

  it('a failing migration rolls the whole run back: no table, no recorded version', async () => {
    const db = fresh.open();
    const broken = [...backend.migrations, { version: latest.length + 1, sql: 'CREATE TABLE extra (a INTEGER); CREATE TABLE extra (a INTEGER);' }];
    expect((await rejectionOf(db.transaction(migrate(broken)))).message).toMatch(/extra/);
    for (const table of ['audit', 'extra', 'schema_migrations']) expect((await rejectionOf(db.run(count(`SELECT COUNT(*) FROM ${table}`)))).message).toMatch(new RegExp(`no such table|${table}.*does not exist`));
    // The database is still usable, and the real migrations then apply.
    await db.transaction(migrate(backend.migrations));
    expect(await db.run(count('SELECT COUNT(*) FROM schema_migrations'))).toBe(latest.length);
  });

  it('a recorded version is not applied again, even if its tables were changed since', async () => {
    const db = fresh.open();
    await db.transaction(migrate(backend.migrations));
    await db.run(script('DROP TABLE seen_events'));
    await db.transaction(migrate(backend.migrations));
    expect((await rejectionOf(db.run(count('SELECT COUNT(*) FROM seen_events')))).message).toMatch(/no such table|seen_events.*does not exist/);
  });
});

describe('migrations: PostgreSQL replicas', () => {
  const backend = postgresBackend();
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  afterEach(() => backend.closeAll());

  it('replicas opening one empty schema together migrate it once', async () => {
    const fresh = await backend.create();
    const stores = await Promise.all([fresh.store(), fresh.store(), fresh.store()]);
    expect(stores).toHaveLength(3);
    const versions = await fresh.open().run(rows<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'));
    expect(versions.map((v) => v.version)).toEqual(backend.migrations.map((m) => m.version));
  });

  it("waits for a replica of the previous release holding its session migration lock (pg_advisory_lock(0x5ec3a57e))", async () => {
    const fresh = await backend.create();
    const older = await backend.admin().connect();
    try {
      await older.query('SELECT pg_advisory_lock($1)', [0x5ec3a57e]);
      let opened = false;
      const opening = openPostgresStore(PG_URL, { schema: fresh.schema! }).then((s) => {
        opened = true;
        return s;
      });
      await new Promise((r) => setTimeout(r, 400));
      expect(opened).toBe(false);
      expect((await older.query(`SELECT to_regclass('${fresh.schema}.audit') AS t`)).rows[0].t).toBeNull();
      await older.query('SELECT pg_advisory_unlock($1)', [0x5ec3a57e]);
      await (await opening).close();
      expect(opened).toBe(true);
    } finally {
      older.release();
    }
  });
});
