/** Builds the WHERE clause of a filtered listing from the filters that are set, with their arguments. */
export class Where {
  private readonly conditions: string[] = [];
  /** The `?` arguments of the conditions, in order. */
  readonly args: unknown[] = [];

  /** Adds a condition with one `?` per argument. */
  and(condition: string, ...args: unknown[]): this {
    this.conditions.push(condition);
    this.args.push(...args);
    return this;
  }

  /** Adds `column IN (?, ?, …)`; nothing when `values` is empty (no filter, not "matches nothing"). */
  in(column: string, values: readonly unknown[] | undefined): this {
    if (values?.length) this.and(`${column} IN (${placeholders(values.length)})`, ...values);
    return this;
  }

  /** `WHERE a AND b …`, or nothing without conditions. */
  toString(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

/** `?, ?, …` for `n` values. */
export function placeholders(n: number): string {
  return Array(n).fill('?').join(', ');
}
