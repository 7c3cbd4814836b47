import fc from 'fast-check';
import { Pool } from 'pg';
import { toNumberedPlaceholders } from '../../src/store/placeholders';
import { PG_URL } from './databases';

/**
 * `?` → `$n` for PostgreSQL. The rules come from PostgreSQL's lexical structure (string constants
 * with doubled quotes, quoted identifiers, `--` and C-style comments: "SQL Syntax › Lexical
 * Structure" in its manual), and the property test below lets PostgreSQL itself judge the result.
 */

describe('toNumberedPlaceholders', () => {
  it('numbers the placeholders in order', () => {
    expect(toNumberedPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?) LIMIT ?')).toEqual({ text: 'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3) LIMIT $4', count: 4 });
    expect(toNumberedPlaceholders('SELECT 1')).toEqual({ text: 'SELECT 1', count: 0 });
  });

  it('leaves a ? in a string, a quoted identifier or a comment alone', () => {
    const sql = `SELECT ?, 'why?', 'it''s ? here', "col?" FROM t -- is it?\nWHERE x = ? /* or ? */ AND y = ?`;
    expect(toNumberedPlaceholders(sql)).toEqual({
      text: `SELECT $1, 'why?', 'it''s ? here', "col?" FROM t -- is it?\nWHERE x = $2 /* or ? */ AND y = $3`,
      count: 3,
    });
  });

  it('refuses $n placeholders (mixing the two styles would bind the wrong values)', () => {
    expect(() => toNumberedPlaceholders('SELECT * FROM t WHERE a = $1 AND b = ?')).toThrow(/\? placeholders/);
    expect(toNumberedPlaceholders("SELECT '$1', ?")).toEqual({ text: "SELECT '$1', $1", count: 1 });
  });

  it('refuses unterminated strings, identifiers and comments instead of guessing', () => {
    expect(() => toNumberedPlaceholders("SELECT 'open ?")).toThrow(/unterminated string/);
    expect(() => toNumberedPlaceholders('SELECT "open ?')).toThrow(/unterminated quoted identifier/);
    expect(() => toNumberedPlaceholders('SELECT ? /* open')).toThrow(/unterminated comment/);
  });
});

describe('toNumberedPlaceholders, judged by PostgreSQL', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ connectionString: PG_URL, max: 1, connectionTimeoutMillis: 5_000 });
  });
  afterAll(() => pool.end());

  /** One selected column: a bound value, or a string literal that may contain `?` and quotes. */
  type Column = { bound: string } | { literal: string };
  const text = fc.string({ unit: fc.constantFrom('?', "'", '"', 'a', ' ', '-', '*', '/', '$', 'é'), maxLength: 8 });
  const column = fc.oneof(
    text.map((s) => ({ bound: s })),
    text.map((s) => ({ literal: s })),
  );

  it('binds every ? to its own value, in order, whatever the literals around them hold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(column, { minLength: 1, maxLength: 6 }), fc.string({ unit: fc.constantFrom('?', 'x', ' ', "'"), maxLength: 6 }), async (columns: Column[], note) => {
        const select = columns.map((c, i) => ('bound' in c ? `?::text AS c${i}` : `'${c.literal.replace(/'/g, "''")}' AS c${i}`)).join(', ');
        // A comment holding ? (and a quote) must not take a placeholder either.
        const sql = `SELECT ${select} /* ${note.replace(/\*\//g, '')} */`;
        const args = columns.flatMap((c) => ('bound' in c ? [c.bound] : []));
        const { text: numbered, count } = toNumberedPlaceholders(sql);
        expect(count).toBe(args.length);
        const got = (await pool.query(numbered, args)).rows[0] as Record<string, string>;
        expect(columns.map((_, i) => got[`c${i}`])).toEqual(columns.map((c) => ('bound' in c ? c.bound : c.literal)));
      }),
      { numRuns: 60 },
    );
  });
});
