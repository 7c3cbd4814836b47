import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { SqlDatabase } from '../../src/store/dialect';
import { openSqliteDatabase } from '../../src/store/sqlite';
import { count, numberOf, rows, run, script, serialize, type Step } from '../../src/store/step';
import { postgresBackend, rejectionOf, sqliteBackend, type Backend, type FreshDatabase } from './databases';

/**
 * The dialect adapter itself, on both databases: what the contract suite does not reach (it only
 * sees the store's methods). Each test gets a new, empty database with one table of its own.
 */

const T = 1_700_000_000_000;

/** A table with a BIGINT-sized time column, as the store's tables have. */
const TABLE = 'CREATE TABLE items (id TEXT PRIMARY KEY, a BIGINT NOT NULL, b BIGINT NOT NULL)';

function* insertItem(id: string, a: number, b = 0): Step<number> {
  return yield* run('INSERT INTO items (id, a, b) VALUES (?, ?, ?)', [id, a, b]);
}

/** Each test of the calling suite gets a new database holding the `items` table (and `seed`'s rows). */
function useItemsDatabase(backend: Backend, use: (fresh: FreshDatabase, db: SqlDatabase) => void, seed?: string): void {
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    const fresh = await backend.create();
    const db = fresh.open();
    await db.run(script(TABLE));
    if (seed) await db.run(script(seed));
    use(fresh, db);
  });
  afterEach(() => backend.closeAll());
}

const itemIds = (db: SqlDatabase) => db.run(rows<{ id: string }>('SELECT id FROM items ORDER BY id')).then((r) => r.map((x) => x.id));

describe.each<[string, () => Backend]>([
  ['sqlite', sqliteBackend],
  ['postgres', postgresBackend],
])('SQL dialect adapter: %s', (_name, makeBackend) => {
  const backend = makeBackend();
  let fresh: FreshDatabase;
  let db: SqlDatabase;
  useItemsDatabase(backend, (f, d) => ((fresh = f), (db = d)));

  it('says which database it is', () => {
    expect(db.kind).toBe(backend.name);
  });

  it('binds ? placeholders in order and reports rows changed, RETURNING rows and aggregates as numbers', async () => {
    expect(await db.run(insertItem('x', T + 1, 7))).toBe(1);
    expect(await db.run(insertItem('y', T + 2, 8))).toBe(1);
    expect(await db.run(rows('SELECT id, a, b FROM items WHERE a > ? AND b < ? ORDER BY id', [T, 8]))).toEqual([{ id: 'x', a: expect.anything(), b: expect.anything() }]);
    expect(await db.run(run('UPDATE items SET b = b + 1 WHERE a >= ?', [T]))).toBe(2);
    expect(await db.run(run('UPDATE items SET b = 0 WHERE id = ?', ['nope']))).toBe(0);
    expect(await db.run(rows<{ id: string }>('UPDATE items SET b = ? WHERE id = ? RETURNING id', [3, 'y']))).toEqual([{ id: 'y' }]);
    // PostgreSQL returns BIGINT (and COUNT) as strings; the store reads numbers either way.
    expect(await db.run(numberOf('SELECT MAX(a) FROM items'))).toBe(T + 2);
    expect(await db.run(count('SELECT COUNT(*) FROM items'))).toBe(2);
    expect(await db.run(numberOf('SELECT MIN(a) FROM items WHERE id = ?', ['nope']))).toBeUndefined();
  });

  it('refuses a statement whose placeholders and arguments disagree, running nothing', async () => {
    expect((await rejectionOf(db.run(run('INSERT INTO items (id, a, b) VALUES (?, ?, ?)', ['x', 1])))).message).toMatch(/few|placeholders/i);
    expect((await rejectionOf(db.run(run('INSERT INTO items (id, a, b) VALUES (?, ?, 0)', ['x', 1, 2])))).message).toMatch(/many|placeholders/i);
    expect(await itemIds(db)).toEqual([]);
  });

  it('leaves a ? inside a string literal alone', async () => {
    expect(await db.run(rows<{ q: string; v: string }>("SELECT 'why?' AS q, ? AS v", ['value']))).toEqual([{ q: 'why?', v: 'value' }]);
  });

  it('runs a script of several statements', async () => {
    await db.run(script("INSERT INTO items (id, a, b) VALUES ('s1', 1, 1); INSERT INTO items (id, a, b) VALUES ('s2', 2, 2);"));
    expect(await itemIds(db)).toEqual(['s1', 's2']);
  });

  it('greatest() is the larger of two values, row by row', async () => {
    await db.run(insertItem('p', 1, 2));
    await db.run(insertItem('q', 5, 3));
    await db.run(insertItem('r', T + 9, T));
    const larger = await db.run(rows<{ id: string; g: number | string }>(`SELECT id, ${db.greatest('a', 'b')} AS g FROM items ORDER BY id`));
    expect(larger.map((r) => [r.id, Number(r.g)])).toEqual([
      ['p', 2],
      ['q', 5],
      ['r', T + 9],
    ]);
  });

  it('accepts its row-lock clauses in a transaction', async () => {
    await db.run(insertItem('a', 1));
    await db.run(insertItem('b', 2));
    const step = function* (): Step<string[]> {
      const locked = yield* rows<{ id: string }>(`SELECT id FROM items WHERE id = ?${db.forUpdate}`, ['a']);
      const leased = yield* rows<{ id: string }>(`WITH due AS MATERIALIZED (SELECT id FROM items ORDER BY id LIMIT ?${db.skipLocked}) SELECT id FROM due`, [5]);
      return [...locked, ...leased].map((r) => r.id);
    };
    expect(await db.transaction(step())).toEqual(['a', 'a', 'b']);
  });

  it('commits every statement of a transaction together and returns what the step returns', async () => {
    const step = function* (): Step<string> {
      yield* insertItem('t1', 1);
      yield* insertItem('t2', 2);
      return 'done';
    };
    expect(await db.transaction(step())).toBe('done');
    expect(await itemIds(db)).toEqual(['t1', 't2']);
  });

  it('rolls back every statement when the step throws after writing', async () => {
    await db.run(insertItem('before', 0));
    const step = function* (): Step<void> {
      yield* insertItem('t1', 1);
      yield* run('UPDATE items SET a = 99');
      throw new Error('changed my mind');
    };
    await expect(db.transaction(step())).rejects.toThrow('changed my mind');
    expect(await itemIds(db)).toEqual(['before']);
    expect(await db.run(numberOf('SELECT a FROM items'))).toBe(0);
  });

  it('rolls back when a statement fails midway, with the database error', async () => {
    const step = function* (): Step<void> {
      yield* insertItem('t1', 1);
      yield* insertItem('t1', 2); // primary key violation
      yield* insertItem('t3', 3);
    };
    expect((await rejectionOf(db.transaction(step()))).message).toMatch(/unique|duplicate/i);
    expect(await itemIds(db)).toEqual([]);
  });

  it('rolls back a transaction whose step caught a failed statement (PostgreSQL aborts it; SQLite is held to the same rule)', async () => {
    let caught: unknown;
    const step = function* (): Step<string> {
      yield* insertItem('t1', 1);
      try {
        yield* insertItem('t1', 2);
      } catch (err) {
        caught = err;
      }
      return 'carried on';
    };
    expect((await rejectionOf(db.transaction(step()))).message).toMatch(/unique|duplicate/i);
    expect(caught).toBeDefined();
    expect(await itemIds(db)).toEqual([]);
  });

  it('outside a transaction, a step may catch a failed statement and go on', async () => {
    const step = function* (): Step<string> {
      yield* insertItem('t1', 1);
      try {
        yield* insertItem('t1', 2);
      } catch {
        yield* insertItem('t2', 2);
      }
      return 'recovered';
    };
    expect(await db.run(step())).toBe('recovered');
    expect(await itemIds(db)).toEqual(['t1', 't2']);
  });

  it('stays usable after many failed transactions (no connection is left in a failed transaction or checked out)', async () => {
    const small = fresh.open({ poolSize: 2 });
    const failing = function* (i: number): Step<void> {
      yield* insertItem(`f${i}`, i);
      throw new Error(`failure ${i}`);
    };
    for (let i = 0; i < 6; i++) await expect(small.transaction(failing(i))).rejects.toThrow(`failure ${i}`);
    const dup = function* (): Step<void> {
      yield* insertItem('d', 1);
      yield* insertItem('d', 1);
    };
    for (let i = 0; i < 3; i++) expect((await rejectionOf(small.transaction(dup()))).message).toMatch(/unique|duplicate/i);
    expect(await small.transaction(insertItem('ok', 1))).toBe(1);
    expect(await itemIds(small)).toEqual(['ok']);
  });

  it('refuses serialize() outside a transaction, where it would serialise nothing', async () => {
    const step = function* (): Step<void> {
      yield* serialize('k');
      yield* insertItem('never', 1);
    };
    await expect(db.run(step())).rejects.toThrow(/outside a transaction/);
    expect(await itemIds(db)).toEqual([]);
  });

  it('runs a transaction that serialises on a key, by string or number', async () => {
    const step = function* (): Step<number> {
      yield* serialize('rate:U-1');
      yield* serialize(0x5ec3a57e);
      return yield* insertItem('s', 1);
    };
    expect(await db.transaction(step())).toBe(1);
    expect(await itemIds(db)).toEqual(['s']);
  });

  it('closes: a closed database refuses statements', async () => {
    await db.close();
    expect((await rejectionOf(db.run(count('SELECT COUNT(*) FROM items')))).message).toMatch(/not open|after calling end/i);
  });
});

describe('SQL dialect adapter: SQLite only', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-sqlite-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes the write lock at BEGIN (IMMEDIATE): another connection cannot write even before the step writes', async () => {
    const file = path.join(dir, 'immediate.db');
    const db = openSqliteDatabase(file);
    await db.run(script(TABLE));
    const other = new Database(file);
    other.pragma('busy_timeout = 0');
    let otherWrite: unknown;
    const step = function* (): Step<number> {
      // Only a read so far: a deferred transaction would not hold the write lock yet.
      const n = yield* count('SELECT COUNT(*) FROM items');
      try {
        other.prepare('INSERT INTO items (id, a, b) VALUES (?, 1, 1)').run('from-other');
      } catch (err) {
        otherWrite = err;
      }
      return n;
    };
    expect(await db.transaction(step())).toBe(0);
    expect((otherWrite as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
    // Once it ended, the other connection writes.
    other.prepare('INSERT INTO items (id, a, b) VALUES (?, 1, 1)').run('from-other');
    expect(await itemIds(db)).toEqual(['from-other']);
    other.close();
    await db.close();
  });

  it('runs a transaction synchronously to its end: no other callback runs between its statements', async () => {
    const db = openSqliteDatabase(':memory:');
    await db.run(script(TABLE));
    let otherRan = false;
    void Promise.resolve().then(() => (otherRan = true));
    const seen: boolean[] = [];
    const step = function* (): Step<void> {
      seen.push(otherRan);
      yield* insertItem('a', 1);
      seen.push(otherRan);
      yield* insertItem('b', 2);
      seen.push(otherRan);
    };
    const done = db.transaction(step());
    expect(seen).toEqual([false, false, false]);
    await done;
    expect(otherRan).toBe(true);
    await db.close();
  });
});

describe('SQL dialect adapter: PostgreSQL only', () => {
  const backend = postgresBackend();
  let fresh: FreshDatabase;
  let db: SqlDatabase;
  useItemsDatabase(backend, (f, d) => ((fresh = f), (db = d)), "INSERT INTO items (id, a, b) VALUES ('r1', 1, 0), ('r2', 2, 0), ('r3', 3, 0)");

  /** A second session, as another replica, with a transaction open that holds row `id` locked. */
  async function lockRowElsewhere(id: string) {
    const client = await backend.admin().connect();
    await client.query('BEGIN');
    await client.query(`SELECT id FROM ${fresh.schema}.items WHERE id = $1 FOR UPDATE`, [id]);
    return {
      async commit() {
        await client.query('COMMIT');
        client.release();
      },
    };
  }

  it('skipLocked: a claimer skips the rows another transaction holds, instead of waiting or taking them', async () => {
    const other = await lockRowElsewhere('r1');
    try {
      const claim = function* (): Step<string[]> {
        return (yield* rows<{ id: string }>(`SELECT id FROM items ORDER BY id LIMIT ?${db.skipLocked}`, [2])).map((r) => r.id);
      };
      expect(await db.transaction(claim())).toEqual(['r2', 'r3']);
    } finally {
      await other.commit();
    }
    const claim = function* (): Step<string[]> {
      return (yield* rows<{ id: string }>(`SELECT id FROM items ORDER BY id LIMIT ?${db.skipLocked}`, [2])).map((r) => r.id);
    };
    expect(await db.transaction(claim())).toEqual(['r1', 'r2']);
  });

  it('forUpdate: a transaction that locks a row waits for the transaction that holds it', async () => {
    const other = await lockRowElsewhere('r1');
    let finished = false;
    const step = function* (): Step<void> {
      yield* rows(`SELECT id FROM items WHERE id = ?${db.forUpdate}`, ['r1']);
      yield* run('UPDATE items SET b = 1 WHERE id = ?', ['r1']);
    };
    const waiting = db.transaction(step()).then(() => (finished = true));
    // Give it every chance to run ahead; it must still be waiting for the other session's lock.
    await new Promise((r) => setTimeout(r, 300));
    expect(finished).toBe(false);
    await other.commit();
    await waiting;
    expect(await db.run(numberOf("SELECT b FROM items WHERE id = 'r1'"))).toBe(1);
  });

  it('serialize() holds a transaction-level advisory lock until the transaction ends, on the number given or the hash of the string', async () => {
    const advisoryLocks = `SELECT classid, objid, objsubid FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted ORDER BY objid`;
    const step = function* (): Step<Array<{ classid: number; objid: number; objsubid: number }>> {
      yield* serialize(0x5ec3a57e);
      yield* serialize('rate:U-1');
      return yield* rows(advisoryLocks);
    };
    const held = await db.transaction(step());
    expect(held).toHaveLength(2);
    // A bigint key k is (classid, objid) = (high, low 32 bits), objsubid 1: the number itself.
    expect(held).toContainEqual({ classid: 0, objid: 0x5ec3a57e, objsubid: 1 });
    // Released with the transaction: another session takes both at once.
    const other = await backend.admin().connect();
    try {
      const free = await other.query(`SELECT pg_try_advisory_lock($1::bigint) AS a, pg_try_advisory_lock(hashtextextended($2, 0)) AS b`, [0x5ec3a57e, 'rate:U-1']);
      expect(free.rows[0]).toEqual({ a: true, b: true });
      await other.query('SELECT pg_advisory_unlock_all()');
    } finally {
      other.release();
    }
  });

  it('serialize() makes a second transaction on the same key wait for the first', async () => {
    const other = await backend.admin().connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', ['rate:U-1']);
      let finished = false;
      const step = function* (): Step<number> {
        yield* serialize('rate:U-1');
        return yield* insertItem('after', 1);
      };
      const waiting = db.transaction(step()).then(() => (finished = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(finished).toBe(false);
      // Another key is not held up.
      const unrelated = function* (): Step<number> {
        yield* serialize('rate:U-2');
        return yield* insertItem('unrelated', 1);
      };
      expect(await db.transaction(unrelated())).toBe(1);
      await other.query('COMMIT');
      await waiting;
      expect(await itemIds(db)).toEqual(['after', 'r1', 'r2', 'r3', 'unrelated']);
    } finally {
      other.release();
    }
  });
});
