import type { Migration } from './migrations';
import { rows, run, script, serialize, type Step } from './step';

/**
 * An arbitrary constant: the advisory-lock key that serialises migrations across PostgreSQL
 * replicas (the same key earlier versions took as a session lock, so old and new replicas starting
 * together still exclude each other). SQLite's IMMEDIATE transaction serialises them by itself.
 */
export const MIGRATION_LOCK_KEY = 0x5ec3a57e;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in list order, recording each.
 * Run as one transaction: replicas starting together on an empty database migrate it once, and a
 * migration that fails leaves the schema as it was.
 */
export function* migrate(migrations: readonly Migration[]): Step<void> {
  yield* serialize(MIGRATION_LOCK_KEY);
  yield* run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set((yield* rows<{ version: number | string }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    yield* script(m.sql);
    yield* run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [m.version, new Date().toISOString()]);
  }
}
