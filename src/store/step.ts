/**
 * The store's algorithms are written once, as generator functions ("steps") that yield the
 * statements they need and receive each answer back. A backend decides how to answer: SQLite runs
 * a step synchronously to its end (a `BEGIN IMMEDIATE` transaction never gives the event loop away,
 * so no other call on the same connection can slip into it), PostgreSQL awaits each statement on
 * one pooled connection. An `async` function could not serve both: an `await` inside a SQLite
 * transaction would let a second connection in the same process block on the write lock that the
 * first can then never release.
 */

/** What a step asks of the database. SQL uses `?` placeholders, bound in order from `args`. */
export type Request =
  /** A statement whose rows the step reads (a SELECT, or a write with RETURNING). */
  | { kind: 'rows'; sql: string; args: readonly unknown[] }
  /** A write whose number of changed rows the step reads. */
  | { kind: 'run'; sql: string; args: readonly unknown[] }
  /** Several statements without parameters (migrations). */
  | { kind: 'script'; sql: string }
  /**
   * Serialises the rest of this transaction with every other transaction that serialises on the
   * same key, across processes, until it ends. A string key is hashed; a number is used as it is.
   */
  | { kind: 'serialize'; key: string | number };

/** A piece of store logic: yields requests, receives their answers, returns `T`. */
export type Step<T> = Generator<Request, T, unknown>;

/** The rows a statement returns (a SELECT, or a write with RETURNING). */
export function* rows<R>(sql: string, args: readonly unknown[] = []): Step<R[]> {
  return (yield { kind: 'rows', sql, args }) as R[];
}

/** The first row a statement returns, if any. */
export function* row<R>(sql: string, args: readonly unknown[] = []): Step<R | undefined> {
  return (yield* rows<R>(sql, args))[0];
}

/**
 * The value of a one-row, one-column aggregate (`MIN(…)`, `MAX(…)`) as a number; undefined for SQL
 * NULL (no rows to aggregate). PostgreSQL returns BIGINT as a string, SQLite as a number.
 */
export function* numberOf(sql: string, args: readonly unknown[] = []): Step<number | undefined> {
  const first = yield* row<Record<string, unknown>>(sql, args);
  const value = first === undefined ? null : Object.values(first)[0];
  return value === null || value === undefined ? undefined : Number(value);
}

/** The number a `SELECT COUNT(*) …` returns. */
export function* count(sql: string, args: readonly unknown[] = []): Step<number> {
  return (yield* numberOf(sql, args)) ?? 0;
}

/** Runs a write; returns how many rows it changed. */
export function* run(sql: string, args: readonly unknown[] = []): Step<number> {
  return (yield { kind: 'run', sql, args }) as number;
}

/** Runs several parameterless statements in order. */
export function* script(sql: string): Step<void> {
  yield { kind: 'script', sql };
}

/** Serialises the rest of the enclosing transaction on `key` (see {@link Request}). */
export function* serialize(key: string | number): Step<void> {
  yield { kind: 'serialize', key };
}

/** How a step is driven. */
export interface DriveOptions {
  /**
   * The step is a transaction: a statement that failed fails it even when the step caught the
   * error. PostgreSQL has aborted the transaction by then (every later statement fails, and COMMIT
   * quietly rolls back), so SQLite, which would go on, is held to the same rule.
   */
  transaction?: boolean;
}

/**
 * Runs a step to its end, answering each request synchronously. A request that throws is thrown
 * into the step at its `yield`, as an `await` would, so the step's own `try`/`finally` run.
 */
export function driveSync<T>(step: Step<T>, answer: (r: Request) => unknown, opts: DriveOptions = {}): T {
  let failed: { error: unknown } | undefined;
  let next = step.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = answer(next.value);
    } catch (error) {
      failed ??= { error };
      next = step.throw(error);
      continue;
    }
    next = step.next(value);
  }
  if (opts.transaction && failed) throw failed.error;
  return next.value;
}

/**
 * {@link driveSync} for a database that answers asynchronously. (They cannot be one function: an
 * `await` in the synchronous driver would hand the event loop away in the middle of a transaction.)
 */
export async function driveAsync<T>(step: Step<T>, answer: (r: Request) => Promise<unknown>, opts: DriveOptions = {}): Promise<T> {
  let failed: { error: unknown } | undefined;
  let next = step.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = await answer(next.value);
    } catch (error) {
      failed ??= { error };
      next = step.throw(error);
      continue;
    }
    next = step.next(value);
  }
  if (opts.transaction && failed) throw failed.error;
  return next.value;
}
