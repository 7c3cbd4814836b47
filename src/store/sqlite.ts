import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDatabase } from './dialect';
import { migrate } from './migrate';
import { SQLITE_MIGRATIONS } from './migrations';
import { createSqlStore } from './sqlStore';
import { driveSync, type Request, type Step } from './step';
import type { Store } from './types';

/**
 * The embedded store: one SQLite file in WAL mode. Check-then-act steps run in `BEGIN IMMEDIATE`
 * transactions, which also makes them safe when a second process (a restarted bot, the audit
 * export) opens the same file. Opening is synchronous and migrates the file before it returns.
 */
export function openSqliteStore(file: string): Store {
  const db = openSqliteDatabase(file);
  db.transactionSync(migrate(SQLITE_MIGRATIONS));
  return createSqlStore(db);
}

/** A SQLite database, which can also run a transaction synchronously (better-sqlite3 is synchronous). */
export interface SqliteDatabase extends SqlDatabase {
  transactionSync<T>(step: Step<T>): T;
}

/** Prepared statements kept per connection; dynamic listings (IN lists, optional filters) are bounded by this. */
const PREPARED_CACHE_SIZE = 256;

/** Opens (creating when missing) a SQLite file, or `:memory:`; does not migrate it. */
export function openSqliteDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');

  const prepared = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = prepared.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      if (prepared.size >= PREPARED_CACHE_SIZE) prepared.delete(prepared.keys().next().value!);
      prepared.set(sql, statement);
    }
    return statement;
  };

  const answer = (r: Request): unknown => {
    switch (r.kind) {
      case 'rows':
        return prepare(r.sql).all(...r.args);
      case 'run':
        return prepare(r.sql).run(...r.args).changes;
      case 'script':
        db.exec(r.sql);
        return undefined;
      case 'serialize':
        // Inside BEGIN IMMEDIATE this connection already holds the database's only write lock.
        if (!db.inTransaction) throw new Error('serialize() outside a transaction would serialise nothing');
        return undefined;
    }
  };

  const transactionSync = <T>(step: Step<T>): T => db.transaction(() => driveSync(step, answer, { transaction: true })).immediate();

  return {
    kind: 'sqlite',
    greatest: (a, b) => `MAX(${a}, ${b})`,
    forUpdate: '',
    skipLocked: '',
    transactionSync,
    run: async (step) => driveSync(step, answer),
    transaction: async (step) => transactionSync(step),
    async close() {
      if (db.open) db.close();
    },
  };
}
