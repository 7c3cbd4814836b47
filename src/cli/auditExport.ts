import type { Writable } from 'node:stream';
import { parseDuration } from '../policy/duration';
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

/** `databaseUrl`: DATABASE_URL as the configuration resolves it (its default included). */
export async function runAuditExport(argv: string[], io: { databaseUrl: string; out: Writable; err: Writable; now?: () => number }): Promise<number> {
  const args = parseAuditArgs(argv);
  if (typeof args === 'string') {
    io.err.write(`${args}\n`);
    return 2;
  }
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
