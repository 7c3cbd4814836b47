import { Pool, type PoolClient } from 'pg';
import type { SqlDatabase } from './dialect';
import { MIGRATION_LOCK_KEY, migrate } from './migrate';
import { POSTGRES_MIGRATIONS } from './migrations';
import { toNumberedPlaceholders } from './placeholders';
import { createSqlStore } from './sqlStore';
import { driveAsync, script, serialize, type Request, type Step } from './step';
import type { Store } from './types';

/**
 * The shared store for several replicas. Atomicity comes from PostgreSQL itself: upserts with
 * `ON CONFLICT`, row locks (`FOR UPDATE`, `SKIP LOCKED` for leasing work), advisory locks and
 * transactions. Migrations run under an advisory lock so replicas starting together do not collide.
 */
export interface PostgresStoreOptions {
  /** A schema of its own (tests); created when missing. */
  schema?: string;
  poolSize?: number;
}

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const db = openPostgresDatabase(url, opts);
  try {
    if (opts.schema) await db.transaction(createSchema(opts.schema));
    await db.transaction(migrate(POSTGRES_MIGRATIONS));
  } catch (err) {
    await db.close();
    throw err;
  }
  return createSqlStore(db);
}

/** Opens a pool on `url` (its connections' search path set to `opts.schema`, if any); does not migrate. */
export function openPostgresDatabase(url: string, opts: PostgresStoreOptions = {}): SqlDatabase {
  const schema = opts.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('invalid schema name');
  const pool = new Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A store call should never hang a person's request: bound every statement.
    statement_timeout: 10_000,
    // A schema of its own is set per connection by the server itself, before any query runs.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);

  return {
    kind: 'postgres',
    greatest: (a, b) => `GREATEST(${a}, ${b})`,
    forUpdate: ' FOR UPDATE',
    skipLocked: ' FOR UPDATE SKIP LOCKED',
    // Outside a transaction any pooled connection may answer each statement.
    run: (step) => driveAsync(step, (r) => answer(pool, r, false)),
    async transaction(step) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const out = await driveAsync(step, (r) => answer(client, r, true), { transaction: true });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw err;
      } finally {
        // A connection that could not even roll back is not handed to the next caller.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

async function answer(on: Pool | PoolClient, r: Request, inTransaction: boolean): Promise<unknown> {
  switch (r.kind) {
    case 'rows':
      return (await on.query(numbered(r.sql, r.args), [...r.args])).rows;
    case 'run':
      return (await on.query(numbered(r.sql, r.args), [...r.args])).rowCount ?? 0;
    case 'script':
      // No parameters: the simple query protocol, which runs several statements in one call.
      await on.query(r.sql);
      return undefined;
    case 'serialize':
      if (!inTransaction) throw new Error('serialize() outside a transaction would serialise nothing');
      // A transaction-level advisory lock: released by COMMIT or ROLLBACK, never left behind.
      if (typeof r.key === 'number') await on.query('SELECT pg_advisory_xact_lock($1::bigint)', [r.key]);
      else await on.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [r.key]);
      return undefined;
  }
}

/** The statement with `$n` placeholders, refusing one whose placeholders and arguments disagree. */
function numbered(sql: string, args: readonly unknown[]): string {
  const { text, count } = toNumberedPlaceholders(sql);
  if (count !== args.length) throw new Error(`SQL has ${count} placeholders but ${args.length} arguments were given`);
  return text;
}

/** Creates the handle's own schema, serialised with migrations so handles opening together do not collide. */
function* createSchema(schema: string): Step<void> {
  yield* serialize(MIGRATION_LOCK_KEY);
  yield* script(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
}
