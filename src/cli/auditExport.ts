import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { loadDatabaseUrl, runsSandbox } from '../config';
import type { Env } from '../config/env';
import { parseDuration } from '../policy/duration';
import { SANDBOX_DATA_DIR, SANDBOX_DATABASE_FILE } from '../sandbox/demo';
import { openStore } from '../store';
import type { AuditRecord } from '../core';

/**
 * `npm run audit -- --since 7d --format jsonl|csv [--instance ID]`: prints stored audit rows for
 * compliance reviews, from SQLite or PostgreSQL (whatever DATABASE_URL names).
 */
export const AUDIT_COLUMNS = ['at', 'event', 'operation', 'instance_id', 'workspace_id', 'user', 'channel', 'outcome', 'request_id', 'approval_id', 'detail'] as const;

export interface AuditExportArgs {
  since?: number;
  format: 'jsonl' | 'csv';
  instanceId?: string;
}

export function parseAuditArgs(argv: string[]): AuditExportArgs | string {
  const out: AuditExportArgs = { format: 'jsonl' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--since' && value) {
      const ms = /^\d+d$/.test(value) ? Number(value.slice(0, -1)) * 86_400_000 : parseDuration(value);
      if (!ms) return `--since: expected a duration like 7d, 12h or 30m, got "${value}"`;
      out.since = ms;
    } else if (flag === '--format' && value) {
      if (value !== 'jsonl' && value !== 'csv') return `--format: expected jsonl or csv, got "${value}"`;
      out.format = value;
    } else if (flag === '--instance' && value) {
      out.instanceId = value;
    } else {
      return `unknown argument "${flag}"; usage: npm run audit -- [--since 7d] [--format jsonl|csv] [--instance ID]`;
    }
    i++;
  }
  return out;
}

/** A CSV cell: quoted when needed, and never a formula when opened in a spreadsheet. */
export function csvCell(value: unknown): string {
  let s = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatAudit(rows: AuditRecord[], format: 'jsonl' | 'csv'): string {
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(Object.fromEntries(AUDIT_COLUMNS.map((c) => [c, r[c] ?? null])))).join('\n') + (rows.length ? '\n' : '');
  const lines = [AUDIT_COLUMNS.join(',')];
  for (const r of rows) lines.push(AUDIT_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return lines.join('\n') + '\n';
}

/** The database the export reads; `note` says why when it is not DATABASE_URL's. */
export interface AuditSource {
  databaseUrl: string;
  note?: string;
  /** A file that must already be there: the export never creates an empty database in its stead. */
  mustExist?: string;
}

/**
 * With nothing configured, `npm start` is the sandbox and writes its audit trail to
 * `data/sandbox.sqlite`: that is the file worth exporting then, not the bot's default
 * `data/playbook-bot.sqlite`, which nothing wrote. Any configuration reads DATABASE_URL (or its
 * default), exactly as the bot would.
 */
export function auditSource(env: Env): AuditSource {
  if (!runsSandbox(env)) return { databaseUrl: loadDatabaseUrl(env) };
  const file = path.posix.join(SANDBOX_DATA_DIR, SANDBOX_DATABASE_FILE);
  return {
    databaseUrl: `sqlite:${file}`,
    mustExist: file,
    note: `Nothing is configured, so this is the sandbox's audit trail (${file}); set DATABASE_URL to export another database.`,
  };
}

/** `io.databaseUrl`: DATABASE_URL as the configuration resolves it (its default included), or {@link auditSource}'s. */
export async function runAuditExport(argv: string[], io: AuditSource & { out: Writable; err: Writable; now?: () => number }): Promise<number> {
  const args = parseAuditArgs(argv);
  if (typeof args === 'string') {
    io.err.write(`${args}\n`);
    return 2;
  }
  if (io.mustExist !== undefined && !existsSync(io.mustExist)) {
    io.err.write(`${io.mustExist} does not exist yet: start the sandbox (npm start) and use it first, or set DATABASE_URL to the database to export.\n`);
    return 1;
  }
  // On stderr, so that `npm run -s audit > audit.csv` keeps the file clean.
  if (io.note) io.err.write(`${io.note}\n`);
  const store = await openStore(io.databaseUrl);
  try {
    const sinceIso = args.since ? new Date((io.now ?? Date.now)() - args.since).toISOString() : undefined;
    const rows = await store.listAudit({ sinceIso, instanceId: args.instanceId });
    io.out.write(formatAudit(rows, args.format));
    return 0;
  } finally {
    await store.close();
  }
}
