import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import type { SqlDatabase } from '../../src/store/dialect';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, type Migration } from '../../src/store/migrations';
import { openPostgresDatabase, openPostgresStore } from '../../src/store/postgres';
import { openSqliteDatabase, openSqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';

/**
 * Fresh, empty databases of either kind for the store's unit tests (the contract suite has its
 * own): a SQLite file in a temp dir, or a PostgreSQL schema of a random name, dropped afterwards.
 * PostgreSQL never skips: when it cannot be reached, setup fails.
 */
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface FreshDatabase {
  /** A raw handle (not migrated); closed by `closeAll`. */
  open(opts?: { poolSize?: number }): SqlDatabase;
  /** The store on this database (migrating it); closed by `closeAll`. */
  store(): Promise<Store>;
  /** Where the PostgreSQL schema lives (for raw clients of the test). */
  readonly schema?: string;
}

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  readonly migrations: Migration[];
  setup(): Promise<void>;
  teardown(): Promise<void>;
  create(): Promise<FreshDatabase>;
  /** Closes every handle `create`'s databases opened. */
  closeAll(): Promise<void>;
  /** A raw pg pool on the schema (PostgreSQL only), for a second session the test drives itself. */
  admin(): Pool;
}

export function sqliteBackend(): Backend {
  let dir = '';
  let n = 0;
  const opened: Array<{ close(): Promise<void> }> = [];
  return {
    name: 'sqlite',
    migrations: SQLITE_MIGRATIONS,
    async setup() {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-unit-'));
    },
    async teardown() {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
    async create() {
      const file = path.join(dir, `t${++n}.db`);
      return {
        open: () => remember(opened, openSqliteDatabase(file)),
        store: async () => remember(opened, openSqliteStore(file)),
      };
    },
    closeAll: () => closeEach(opened),
    admin() {
      throw new Error('admin() is for PostgreSQL');
    },
  };
}

export function postgresBackend(): Backend {
  const prefix = `store_unit_${randomBytes(5).toString('hex')}`;
  const schemas: string[] = [];
  const opened: Array<{ close(): Promise<void> }> = [];
  let admin: Pool | undefined;
  let n = 0;
  return {
    name: 'postgres',
    migrations: POSTGRES_MIGRATIONS,
    async setup() {
      admin = new Pool({ connectionString: PG_URL, max: 4, connectionTimeoutMillis: 5_000 });
      admin.on('error', () => undefined);
      try {
        await admin.query('SELECT 1');
      } catch (err) {
        await admin.end().catch(() => undefined);
        admin = undefined;
        throw new Error(`the store's PostgreSQL tests cannot reach ${PG_URL.replace(/:[^:@/]*@/, ':***@')}: ${(err as Error).message}; they do not skip`);
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
      await admin!.query(`CREATE SCHEMA ${schema}`);
      return {
        schema,
        open: (opts = {}) => remember(opened, openPostgresDatabase(PG_URL, { schema, ...opts })),
        store: async () => remember(opened, await openPostgresStore(PG_URL, { schema })),
      };
    },
    closeAll: () => closeEach(opened),
    admin: () => admin!,
  };
}

function remember<T extends { close(): Promise<void> }>(list: Array<{ close(): Promise<void> }>, handle: T): T {
  list.push(handle);
  return handle;
}

async function closeEach(list: Array<{ close(): Promise<void> }>): Promise<void> {
  // Cleanup only: a test may already have closed a handle itself.
  for (const h of list.splice(0)) await h.close().catch(() => undefined);
}

/**
 * The error a promise rejects with, to check its message. Jest's `rejects.toThrow` cannot be used on
 * better-sqlite3's errors: its native addon is loaded once per worker process and keeps the
 * `SqliteError` class of the first test file that loaded it, so in later files that error is not an
 * `instanceof Error` of their realm and `toThrow` reports "did not throw".
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { message: string };
  }
  throw new Error('expected a rejection, but the promise resolved');
}
