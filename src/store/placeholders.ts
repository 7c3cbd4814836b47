/**
 * The store writes `?` placeholders (SQLite's); PostgreSQL wants `$1`, `$2`, … This rewrites one
 * to the other, leaving a `?` inside a quoted string, a quoted identifier or a comment alone.
 * (The store uses no PostgreSQL `?` operator and no dollar-quoted or `E'…'` strings; a `$n` in the
 * text is refused rather than silently renumbered.)
 */
export interface NumberedSql {
  text: string;
  /** How many placeholders the text has, to check against the arguments. */
  count: number;
}

export function toNumberedPlaceholders(sql: string): NumberedSql {
  let text = '';
  let count = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const skipTo = endOfQuotedOrComment(sql, i);
    if (skipTo > i) {
      text += sql.slice(i, skipTo);
      i = skipTo;
    } else if (c === '?') {
      text += `$${++count}`;
      i++;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      throw new Error(`SQL must use ? placeholders, found "$${sql[i + 1]}" at offset ${i}`);
    } else {
      text += c;
      i++;
    }
  }
  return { text, count };
}

/** Where the quoted string, quoted identifier or comment that starts at `i` ends; `i` when none does. */
function endOfQuotedOrComment(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') return endOfQuoted(sql, i, c);
  if (c === '-' && sql[i + 1] === '-') {
    const nl = sql.indexOf('\n', i);
    return nl === -1 ? sql.length : nl;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    if (end === -1) throw new Error(`unterminated comment at offset ${i}`);
    return end + 2;
  }
  return i;
}

/** The end of a quoted run starting at `i`; a doubled quote is an escaped one. */
function endOfQuoted(sql: string, i: number, quote: string): number {
  let j = i + 1;
  for (;;) {
    const k = sql.indexOf(quote, j);
    if (k === -1) throw new Error(`unterminated ${quote === "'" ? 'string' : 'quoted identifier'} at offset ${i}`);
    if (sql[k + 1] === quote) j = k + 2;
    else return k + 1;
  }
}
