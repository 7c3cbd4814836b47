import { instanceKey, isVia, type Approval, type ApprovalState, type Attempt, type AuditEventName, type AuditOutcome, type AuditRecord, type CardContext, type CardRecord, type Operation, type Watch } from '../core';

/**
 * Database rows ↔ store records. Times are BIGINT in PostgreSQL, which node-postgres returns as
 * strings, so every number read is converted here, whichever database it came from.
 */

export interface AuditRow {
  at: string;
  event: string;
  operation: string | null;
  instance_id: string | null;
  workspace_id: string | null;
  user_id: string;
  channel: string | null;
  outcome: string;
  request_id: string | null;
  approval_id: string | null;
  detail: string | null;
  via?: string | null;
  workflow_execution_id?: string | null;
  function_execution_id?: string | null;
}

export interface WatchRow {
  id: string;
  workspace_id: string;
  instance_id: string;
  channel: string;
  message_ts: string;
  thread_ts: string;
  requester: string | null;
  last_status: string;
  interval_ms: number | string;
  next_poll_at: number | string;
  started_at: number | string;
  deadline: number | string;
  card: string;
  lease_until?: number | string | null;
}

export interface ApprovalRow {
  id: string;
  team_id: string;
  workspace_id: string;
  instance_id: string;
  instance_name: string | null;
  instance_status: string | null;
  operation: string;
  requester: string;
  channel: string;
  reason: string | null;
  rule: string;
  approver_roles: string;
  needed: number | string;
  created_at: number | string;
  expires_at: number | string;
  state: string;
  decided_by: string | null;
  decided_at: number | string | null;
  message_ts: string | null;
  detail: string | null;
}


const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function rowToAudit(r: AuditRow): AuditRecord {
  const out: AuditRecord = { event: r.event as AuditEventName, user: r.user_id, outcome: r.outcome as AuditOutcome, at: r.at };
  if (r.operation !== null) out.operation = r.operation;
  if (r.instance_id !== null) out.instance_id = r.instance_id;
  if (r.workspace_id !== null) out.workspace_id = r.workspace_id;
  if (r.channel !== null) out.channel = r.channel;
  if (r.request_id !== null) out.request_id = r.request_id;
  if (r.approval_id !== null) out.approval_id = r.approval_id;
  if (r.detail !== null) out.detail = r.detail;
  if (r.via && isVia(r.via)) out.via = r.via;
  if (r.workflow_execution_id) out.workflow_execution_id = r.workflow_execution_id;
  if (r.function_execution_id) out.function_execution_id = r.function_execution_id;
  return out;
}

export function rowToWatch(r: WatchRow): Watch {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    instanceId: r.instance_id,
    channel: r.channel,
    messageTs: r.message_ts,
    threadTs: r.thread_ts,
    requester: opt(r.requester),
    lastStatus: r.last_status,
    intervalMs: Number(r.interval_ms),
    nextPollAt: Number(r.next_poll_at),
    startedAt: Number(r.started_at),
    deadline: Number(r.deadline),
    card: JSON.parse(r.card) as CardContext,
    ...(r.lease_until ? { leaseUntil: Number(r.lease_until) } : {}),
  };
}

export function rowToApproval(r: ApprovalRow, votes: Array<{ user_id: string; at: number | string }>): Approval {
  return {
    id: r.id,
    teamId: r.team_id,
    workspaceId: r.workspace_id,
    instanceId: r.instance_id,
    instanceName: opt(r.instance_name),
    instanceStatus: opt(r.instance_status),
    operation: r.operation as Operation,
    requester: r.requester,
    channel: r.channel,
    reason: opt(r.reason),
    rule: r.rule,
    approverRoles: JSON.parse(r.approver_roles) as string[],
    count: Number(r.needed),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    state: r.state as ApprovalState,
    votes: votes.map((v) => ({ userId: v.user_id, at: Number(v.at) })),
    decidedBy: opt(r.decided_by),
    decidedAt: r.decided_at === null ? undefined : Number(r.decided_at),
    messageTs: opt(r.message_ts),
    detail: opt(r.detail),
  };
}

export interface CardRow {
  channel: string;
  message_ts: string;
  workspace_id: string;
  instance_id: string;
  context: string;
  created_at: number | string;
}

export function rowToCard(r: CardRow): CardRecord {
  return {
    channel: r.channel,
    messageTs: r.message_ts,
    workspaceId: r.workspace_id,
    instanceId: r.instance_id,
    context: JSON.parse(r.context) as CardContext,
    createdAt: Number(r.created_at),
  };
}

export interface AttemptRow {
  id: string;
  lock_key: string;
  workspace_id: string;
  instance_id: string;
  operation: string;
  requester: string;
  actor: string;
  channel: string | null;
  approval_id: string | null;
  before_state: string;
  card: string | null;
  lock_token: string;
  owner: string;
  lease_until: number | string;
  created_at: number | string;
  via?: string | null;
  workflow?: string | null;
}

/** An attempt's columns in insert order (both stores bind them the same way). */
export function attemptColumns(a: Attempt): unknown[] {
  return [
    a.id,
    instanceKey(a),
    a.workspaceId,
    a.instanceId,
    a.operation,
    a.requester,
    a.actor,
    a.channel ?? null,
    a.approvalId ?? null,
    JSON.stringify(a.before),
    a.card ? JSON.stringify(a.card) : null,
    a.lockToken,
    a.owner,
    a.leaseUntil,
    a.createdAt,
    a.via ?? null,
    a.workflow ? JSON.stringify(a.workflow) : null,
    a.workflow?.functionExecutionId ?? null,
  ];
}

export const ATTEMPT_INSERT_COLUMNS =
  'id, lock_key, workspace_id, instance_id, operation, requester, actor, channel, approval_id, before_state, card, lock_token, owner, lease_until, created_at, via, workflow, function_execution_id';

export function rowToAttempt(r: AttemptRow): Attempt {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    instanceId: r.instance_id,
    operation: r.operation as Operation,
    requester: r.requester,
    actor: r.actor,
    ...(r.channel !== null ? { channel: r.channel } : {}),
    ...(r.approval_id !== null ? { approvalId: r.approval_id } : {}),
    before: JSON.parse(r.before_state) as Attempt['before'],
    ...(r.card !== null ? { card: JSON.parse(r.card) as NonNullable<Attempt['card']> } : {}),
    lockToken: r.lock_token,
    owner: r.owner,
    leaseUntil: Number(r.lease_until),
    createdAt: Number(r.created_at),
    ...(r.via && isVia(r.via) ? { via: r.via } : {}),
    ...(r.workflow ? { workflow: JSON.parse(r.workflow) as NonNullable<Attempt['workflow']> } : {}),
  };
}
