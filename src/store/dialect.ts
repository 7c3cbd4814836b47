import type { Step } from './step';

/**
 * Where SQLite and PostgreSQL must say a thing differently. Everything else in the store (every
 * statement, every algorithm) is written once over this and {@link SqlDatabase}.
 */
export interface SqlDialect {
  readonly kind: 'sqlite' | 'postgres';
  /** The larger of two values: `GREATEST(a, b)`, or SQLite's two-argument (scalar) `MAX(a, b)`. */
  greatest(a: string, b: string): string;
  /**
   * Appended to a SELECT in a transaction that then writes what it read: PostgreSQL locks the rows
   * (` FOR UPDATE`); SQLite needs nothing, its `BEGIN IMMEDIATE` already holds the one write lock.
   */
  readonly forUpdate: string;
  /**
   * Appended to the SELECT that picks rows to lease: concurrent claimers on PostgreSQL skip each
   * other's rows (` FOR UPDATE SKIP LOCKED`); SQLite serialises writers, so it needs nothing.
   */
  readonly skipLocked: string;
}

/** One open database, SQLite or PostgreSQL, that runs {@link Step}s. */
export interface SqlDatabase extends SqlDialect {
  /** Runs a step outside any transaction: each statement commits on its own. */
  run<T>(step: Step<T>): Promise<T>;
  /**
   * Runs a step as one transaction, rolled back when the step or one of its statements throws.
   * SQLite: `BEGIN IMMEDIATE`, run synchronously to the end. PostgreSQL: `BEGIN` … `COMMIT` on one
   * pooled connection (READ COMMITTED; the step takes row or advisory locks where it must).
   */
  transaction<T>(step: Step<T>): Promise<T>;
  close(): Promise<void>;
}
