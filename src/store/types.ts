import type { Operation } from '../secmaster/schemas';

/**
 * What the bot keeps: the audit trail, click locks, watched instances, approvals, seen Slack events
 * and rate-limit windows. Two implementations (SQLite for one process, PostgreSQL for several
 * replicas) pass one contract test suite; every check-then-act step is atomic in the database,
 * never in process memory.
 */

export type AuditEventName =
  | 'denied'
  | 'operation'
  | 'approval_asked'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'void'
  | 'executed'
  /** An SMN subscription confirmation (outcome `confirmed` or `confirm_failed`). */
  | 'smn_subscription'
  /** SMN said a subscription was cancelled (outcome `unsubscribed`). */
  | 'smn_unsubscribe';

export interface AuditRecord {
  event: AuditEventName;
  operation?: string;
  instance_id?: string;
  workspace_id?: string;
  user: string;
  channel?: string;
  /** A reason code from a closed list (see `domain/outcome.ts`). */
  outcome: string;
  request_id?: string;
  /** ISO 8601 time of the decision. */
  at: string;
  approval_id?: string;
  detail?: string;
}

export interface InstanceKey {
  workspaceId: string;
  instanceId: string;
}

export interface LockHolder {
  userId: string;
  operation: string;
  acquiredAt: number;
}

export type LockResult = { acquired: true; token: string } | { acquired: false; holder: LockHolder };

/** What re-rendering a status card needs besides the instance itself. */
export interface CardContext {
  kind: 'status' | 'alert';
  requester?: string;
  operation?: Operation;
  reason?: string;
  approvers?: string[];
  requestId?: string;
  title?: string;
  severity?: string;
}

export interface Watch {
  id: string;
  workspaceId: string;
  instanceId: string;
  channel: string;
  messageTs: string;
  /** Where the final-status reply goes (the card's own thread unless the card is itself a reply). */
  threadTs: string;
  requester?: string;
  lastStatus: string;
  intervalMs: number;
  nextPollAt: number;
  startedAt: number;
  deadline: number;
  card: CardContext;
  /** Set on a claimed watch: the end of this claim's lease (identifies the claim). */
  leaseUntil?: number;
}

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'expired' | 'void' | 'executed' | 'failed';

export interface Approval {
  id: string;
  teamId: string;
  workspaceId: string;
  instanceId: string;
  instanceName?: string;
  /** The instance's status when the request was made (shown on the card). */
  instanceStatus?: string;
  operation: Operation;
  requester: string;
  channel: string;
  reason?: string;
  /** Label of the rule that asked for approval, e.g. `rules[4]`. */
  rule: string;
  approverRoles: string[];
  count: number;
  createdAt: number;
  expiresAt: number;
  state: ApprovalState;
  votes: Array<{ userId: string; at: number }>;
  decidedBy?: string;
  decidedAt?: number;
  messageTs?: string;
  detail?: string;
}

export type VoteResult =
  | { result: 'counted'; approval: Approval; reached: boolean }
  | { result: 'duplicate'; approval: Approval }
  | { result: 'closed'; approval: Approval }
  | { result: 'expired'; approval: Approval }
  | { result: 'not_found' };

export interface AuditQuery {
  sinceIso?: string;
  instanceId?: string;
  userId?: string;
  /** Newest rows first (the Home tab); oldest first otherwise (exports). */
  newestFirst?: boolean;
  limit?: number;
}

/** A card the bot posted, so a click on it later can re-render it with what it showed. */
export interface CardRecord {
  channel: string;
  messageTs: string;
  workspaceId: string;
  instanceId: string;
  context: CardContext;
  createdAt: number;
}

export type RateSlot = { granted: true } | { granted: false; freeAt: number };

/**
 * Who handles one SMN message (SMN delivers at least once, and replicas share deliveries):
 * `claimed` with a token that fences finishing or releasing it; `done` when it was handled before;
 * `busy` while another claim on it is still within its lease.
 */
export type SmnClaim = { result: 'claimed'; token: string } | { result: 'done' } | { result: 'busy' };

export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  appendAudit(record: AuditRecord): Promise<void>;
  listAudit(query: AuditQuery): Promise<AuditRecord[]>;

  /** Takes the per-instance operation lock, or says who holds it. Expired locks are taken over. */
  acquireLock(key: InstanceKey, holder: LockHolder, ttlMs: number): Promise<LockResult>;
  releaseLock(key: InstanceKey, token: string): Promise<void>;

  /** Adds or replaces the watch of one card. */
  saveWatch(watch: Watch): Promise<void>;
  /** Leases due watches to `owner` so one replica polls each instance at a time. */
  claimDueWatches(owner: string, now: number, limit: number, leaseMs: number): Promise<Watch[]>;
  /** Records a poll's result and releases the lease; false when the lease was lost. */
  updateWatch(owner: string, watch: Pick<Watch, 'id' | 'lastStatus' | 'intervalMs' | 'nextPollAt'>): Promise<boolean>;
  /**
   * Deletes the watch of one card. With `owner`, only while `owner` still holds its lease: a watch
   * that was replaced meanwhile (a click turned the card into a new status card) is kept.
   */
  deleteWatch(id: string, owner?: string): Promise<void>;
  /** True while the claim that returned `watch` still holds it (not replaced, released or re-claimed). */
  holdsWatch(watch: Pick<Watch, 'id' | 'leaseUntil'>, owner: string): Promise<boolean>;
  /** Ends any claim on a watch: a poll in flight will not act on what it read (a click took the card over). */
  releaseWatch(id: string): Promise<void>;
  /** Releases every lease `owner` holds (clean shutdown), so another replica takes over at once. */
  releaseWatchLeases(owner: string): Promise<void>;
  countWatches(): Promise<number>;
  /** Earliest time any watch may next be polled (its next poll, or the end of its lease), to sleep until then. */
  nextWatchDue(): Promise<number | undefined>;

  createApproval(approval: Approval): Promise<void>;
  getApproval(id: string): Promise<Approval | undefined>;
  /** Counts one approver once; the vote that reaches the count moves the approval to `approved`. */
  voteApproval(id: string, userId: string, now: number): Promise<VoteResult>;
  /** Compare-and-set of the state; true when this caller made the change. */
  transitionApproval(id: string, from: ApprovalState, to: ApprovalState, patch?: Partial<Pick<Approval, 'decidedBy' | 'decidedAt' | 'detail' | 'messageTs'>>): Promise<boolean>;
  setApprovalMessage(id: string, messageTs: string): Promise<void>;
  /** Moves pending approvals past their expiry to `expired`, returning those this caller expired. */
  expireDueApprovals(now: number, limit: number): Promise<Approval[]>;
  listApprovals(query: { states?: ApprovalState[]; requester?: string; instanceId?: string; limit: number }): Promise<Approval[]>;
  nextApprovalExpiry(): Promise<number | undefined>;
  countApprovals(state: ApprovalState): Promise<number>;

  saveCard(card: CardRecord): Promise<void>;
  getCard(channel: string, messageTs: string): Promise<CardRecord | undefined>;

  /** True the first time a key is seen (Slack event redeliveries, retried clicks). */
  markSeen(key: string, now: number): Promise<boolean>;
  /**
   * Sliding-window limiter, atomic across replicas: when fewer than `limit` slots were granted for
   * `key` in (now − windowMs, now], grants one (recording it at `now`); otherwise grants nothing and
   * says when the oldest of those slots leaves the window. Refused attempts are not recorded, so
   * "try again in N s" is true however often someone tries in between.
   */
  takeRateSlot(key: string, now: number, windowMs: number, limit: number): Promise<RateSlot>;

  /**
   * Claims an SMN message by its ID for `leaseMs`: the first delivery gets it, a redelivery of a
   * handled message is told `done`, one that arrives while another claim is in its lease `busy`; a
   * claim whose lease ran out (its replica died) is taken over.
   */
  claimSmnMessage(messageId: string, info: { topicUrn: string; type: string }, now: number, leaseMs: number): Promise<SmnClaim>;
  /** Marks a claimed message handled; false when `token` no longer holds the claim. */
  finishSmnMessage(messageId: string, token: string, now: number, detail?: string): Promise<boolean>;
  /** Gives a claim up (handling failed), so SMN's next delivery of the message is handled afresh. */
  releaseSmnMessage(messageId: string, token: string): Promise<void>;

  /** Throws when the database cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
