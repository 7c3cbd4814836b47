/**
 * ListPlaybookAuditLogs (`POST …/soc/playbooks/instances/auditlogs`) as Huawei documents it, and
 * nothing more:
 * - the API page, https://support.huaweicloud.com/intl/en-us/api-secmaster/ListPlaybookAuditLogs.html
 *   (2024-07-25): `offset` and `limit` are mandatory; `offset` at least 0; `limit` from 10 to 50;
 *   `sort_dir` is `asc` or `desc`; the body's fields are all optional strings;
 * - the SDK model, huaweicloud-sdk-python-v3 `…/secmaster/v1/model/list_playbook_audit_logs_request.py`:
 *   "limit and offset added together must be less than 10000"; `sort_key` is `start_time` or `end_time`;
 *   `audit_log_info.py`: the body is an `AuditLogInfo`, the same fields as a row.
 * A body field is a filter on the row field of the same name, matched exactly (the model gives no
 * other reading: no wildcard, no prefix); fields outside the model are ignored. Huawei publishes no
 * list of SecMaster error codes (shared/reference/secmaster-api.md), so the code of a refused query
 * is the simulator's own: the bot must not depend on it.
 */
export const AUDIT_LOG_FIELDS = [
  'instance_type',
  'action_id',
  'action_name',
  'instance_id',
  'parent_instance_id',
  'log_level',
  'input',
  'output',
  'error_msg',
  'start_time',
  'end_time',
  'status',
  'trigger_type',
] as const;

export const AUDIT_LOG_LIMIT = { min: 10, max: 50 } as const;
const OFFSET_PLUS_LIMIT_BELOW = 10_000;
const SORT_KEYS = ['start_time', 'end_time'];
const SORT_DIRS = ['asc', 'desc'];

const INVALID_PARAMETER = 'SecMaster.20010003';

export type AuditLogRow = Record<string, unknown>;

export type AuditLogAnswer = { ok: true; body: { count: number; audit_logs: AuditLogRow[] } } | { ok: false; code: string; message: string };

function refuse(message: string): AuditLogAnswer {
  return { ok: false, code: INVALID_PARAMETER, message };
}

/** A whole number written as one, or undefined. */
function wholeNumber(text: string | null): number | undefined {
  return text !== null && /^\d{1,19}$/.test(text) ? Number(text) : undefined;
}

/** Answers one ListPlaybookAuditLogs call over `rows` (every row of the workspace). */
export function listAuditLogs(rows: AuditLogRow[], query: URLSearchParams, body: unknown): AuditLogAnswer {
  const offset = wholeNumber(query.get('offset'));
  const limit = wholeNumber(query.get('limit'));
  if (offset === undefined || limit === undefined) return refuse('offset and limit are mandatory whole numbers');
  if (limit < AUDIT_LOG_LIMIT.min || limit > AUDIT_LOG_LIMIT.max) return refuse(`limit must be between ${AUDIT_LOG_LIMIT.min} and ${AUDIT_LOG_LIMIT.max}`);
  if (offset + limit >= OFFSET_PLUS_LIMIT_BELOW) return refuse(`offset + limit must be less than ${OFFSET_PLUS_LIMIT_BELOW}`);
  const sortKey = query.get('sort_key');
  const sortDir = query.get('sort_dir');
  if (sortKey !== null && !SORT_KEYS.includes(sortKey)) return refuse(`sort_key must be one of ${SORT_KEYS.join(', ')}`);
  if (sortDir !== null && !SORT_DIRS.includes(sortDir)) return refuse(`sort_dir must be one of ${SORT_DIRS.join(', ')}`);

  // No body is no filter: the SDK sends the body only when one is set.
  const filter = body === undefined ? {} : body;
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return refuse('the request body must be an AuditLogInfo object');
  const wanted: Array<[string, string]> = [];
  for (const field of AUDIT_LOG_FIELDS) {
    const value = (filter as Record<string, unknown>)[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return refuse(`${field} must be a string`);
    wanted.push([field, value]);
  }

  const matching = rows.filter((row) => wanted.every(([field, value]) => row[field] === value));
  if (sortKey !== null) {
    const dir = sortDir === 'desc' ? -1 : 1;
    matching.sort((a, b) => dir * String(a[sortKey] ?? '').localeCompare(String(b[sortKey] ?? '')));
  }
  return { ok: true, body: { count: matching.length, audit_logs: matching.slice(offset, offset + limit) } };
}
