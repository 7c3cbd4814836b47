import type { Approval, ApprovalState, Attempt, AuditRecord, CardContext, CardRecord, InstanceRef, LockHolder, Watch, WorkflowStep, WorkflowStepResult } from '../core';

/**
 * What the bot keeps: the audit trail, click locks, watched instances, approvals, seen Slack events
 * and rate-limit windows. Two implementations (SQLite for one process, PostgreSQL for several
 * replicas) pass one contract test suite; every check-then-act step is atomic in the database,
 * never in process memory.
 */

export type LockResult = { acquired: true; token: string } | { acquired: false; holder: LockHolder };

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
  /** The rows of one Workflow Builder step. */
  functionExecutionId?: string;
  /** Newest rows first (the Home tab); oldest first otherwise (exports). */
  newestFirst?: boolean;
  limit?: number;
}

export type BeginAttemptResult =
  | { begun: true }
  /** The lock is no longer this caller's (it expired, or another request took it over): nothing may be sent. */
  | { begun: false; reason: 'lock_lost'; holder?: LockHolder }
  /** An earlier attempt on the instance is still unresolved: its outcome must be known first. */
  | { begun: false; reason: 'attempt_open'; holder: LockHolder };

/** How an attempt ended, stored with its audit row in one transaction. */
export interface AttemptResolution {
  /** Only while this owner holds the attempt (a recovering replica); the live caller passes its own. */
  owner: string;
  audit: AuditRecord;
  /** For an approved request: the approval's final state, set in the same transaction. */
  approvalState?: 'executed' | 'failed';
  approvalDetail?: string;
}

export type RateSlot = { granted: true } | { granted: false; freeAt: number };

/**
 * Who handles one SMN message (SMN delivers at least once, and replicas share deliveries):
 * `claimed` with a token that fences finishing or releasing it; `done` when it was handled before;
 * `busy` while another claim on it is still within its lease.
 */
export type SmnClaim = { result: 'claimed'; token: string } | { result: 'done' } | { result: 'busy' };



/** The audit trail: one row per decision, append-only. */
export interface AuditStore {
  appendAudit(record: AuditRecord): Promise<void>;
  listAudit(query: AuditQuery): Promise<AuditRecord[]>;
}

/** The per-instance operation lock (one click at a time per instance, across replicas). */
export interface LockStore {
  /** Takes the per-instance operation lock, or says who holds it. Expired locks are taken over. */
  acquireLock(key: InstanceRef, holder: LockHolder, ttlMs: number): Promise<LockResult>;
  releaseLock(key: InstanceRef, token: string): Promise<void>;
}

/** Watched instances: one row per status card kept current, leased to one replica per poll. */
export interface WatchStore {
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
}

/** Approval requests and their votes; every state change is a compare-and-set. */
export interface ApprovalStore {
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
}

/** The cards the bot posted, so a click on one re-renders what it showed. */
export interface CardStore {
  saveCard(card: CardRecord): Promise<void>;
  getCard(channel: string, messageTs: string): Promise<CardRecord | undefined>;
}

/**
 * A card to post, stored before `chat.postMessage` (the message as rendered, and what its watch
 * needs: the status it showed). Deleted once the card's ts and watch are stored.
 */
export interface CardIntent extends InstanceRef {
  id: string;
  channel: string;
  /** Set when the card is a reply in a thread. */
  threadTs?: string;
  /** The rendered message (`{ text, blocks }`), as JSON. */
  message: unknown;
  context: CardContext;
  status: string;
  /** The outbound queue's priority (lower goes first). */
  priority: number;
  owner: string;
  leaseUntil: number;
  createdAt: number;
}

/** The newest state one card still has to show, and the final-status reply that follows it. */
export interface PendingUpdate {
  channel: string;
  messageTs: string;
  /** Grows with every new state of this card. */
  version: number;
  message: unknown;
  priority: number;
  /** A thread reply to post once this card shows its state (the final-status reply), as `{ threadTs, message }`. */
  reply?: unknown;
  owner: string;
  leaseUntil: number;
  updatedAt: number;
}

/** Slack work that must outlive the process: cards to post, card updates to send (leased per replica). */
export interface OutboxStore {
  saveCardIntent(intent: CardIntent): Promise<void>;
  deleteCardIntent(id: string): Promise<void>;
  /** Ends this intent's lease now: whether its post reached Slack is unknown, so the recovery loop checks and finishes it. */
  releaseCardIntent(id: string): Promise<void>;
  /** Leases intents whose lease ran out (their replica died) to `owner`, oldest first. */
  claimOrphanedCardIntents(owner: string, now: number, leaseMs: number, limit: number): Promise<CardIntent[]>;
  /**
   * Stores a card's newest state (replacing an older one still pending; a pending reply is kept
   * unless a new one is given; the more urgent priority wins) and returns its version.
   */
  savePendingUpdate(update: Omit<PendingUpdate, 'version'>): Promise<number>;
  getPendingUpdate(channel: string, messageTs: string): Promise<PendingUpdate | undefined>;
  /**
   * The card shows `version`: deletes the row unless a newer state arrived meanwhile, and hands its
   * reply to this caller alone (at most once, whatever the replicas do).
   */
  finishPendingUpdate(channel: string, messageTs: string, version: number): Promise<{ finished: boolean; reply?: unknown }>;
  /** Drops a card's pending state (Slack says the card is gone). */
  dropPendingUpdate(channel: string, messageTs: string): Promise<void>;
  claimOrphanedPendingUpdates(owner: string, now: number, leaseMs: number, limit: number): Promise<PendingUpdate[]>;
  /** Extends every lease `owner` still holds at `now` on intents and pending updates (its heartbeat). */
  renewOutboxLeases(owner: string, now: number, leaseUntil: number): Promise<void>;
  /** Gives every lease `owner` holds back (clean shutdown): the next replica takes them at once. */
  releaseOutboxLeases(owner: string): Promise<void>;
  countOutbox(): Promise<{ intents: number; updates: number }>;
}

/** Once-only keys and rate windows, shared by every replica. */
export interface LimitStore {
  /** True the first time a key is seen (Slack event redeliveries, retried clicks). */
  markSeen(key: string, now: number): Promise<boolean>;
  /**
   * Sliding-window limiter, atomic across replicas: when fewer than `limit` slots were granted for
   * `key` in (now − windowMs, now], grants one (recording it at `now`); otherwise grants nothing and
   * says when the oldest of those slots leaves the window. Refused attempts are not recorded, so
   * "try again in N s" is true however often someone tries in between.
   */
  takeRateSlot(key: string, now: number, windowMs: number, limit: number): Promise<RateSlot>;
}

/** Operation attempts: the fence before every operation POST, and their recovery by any replica. */
export interface AttemptStore {
  /**
   * The fence before an operation POST, atomic: while `lockToken` still holds the instance's lock
   * (unexpired at `now`) and no other attempt on the instance is open, extends the lock to
   * `now + lockTtlMs` and stores the attempt. Anything else stores nothing.
   */
  beginAttempt(attempt: Attempt, fence: { now: number; lockTtlMs: number }): Promise<BeginAttemptResult>;
  /** Extends an open attempt's lease while its owner still works on it; false when it is not (any more) the owner's. */
  renewAttempt(id: string, owner: string, leaseUntil: number): Promise<boolean>;
  /**
   * Closes an open attempt held by `owner` and appends its audit row (and settles its approval) in
   * one transaction; false, changing nothing, when the attempt is not open or not `owner`'s.
   */
  resolveAttempt(id: string, resolution: AttemptResolution): Promise<boolean>;
  /** Leases open attempts whose lease ran out (their process died) to `owner`, oldest first. */
  claimOrphanedAttempts(owner: string, now: number, leaseMs: number, limit: number): Promise<Attempt[]>;
  countOpenAttempts(): Promise<number>;
}

/** SMN messages by ID, so each delivery is handled once across replicas. */
export interface SmnStore {
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
}

/**
 * Who handles one Workflow Builder step: `claimed` (the step as stored, with this claim's token;
 * after a take-over it may already be `completing` with its result), `done` when it ended before,
 * `busy` while another claim on it is within its lease.
 */
export type WorkflowStepClaim = { result: 'claimed'; step: WorkflowStep } | { result: 'done' } | { result: 'busy' };

/** Workflow Builder steps by function execution ID, so each ends exactly once across replicas and restarts. */
export interface WorkflowStepStore {
  claimWorkflowStep(step: Pick<WorkflowStep, 'executionId' | 'workflowExecutionId' | 'callbackId' | 'teamId' | 'inputs'>, now: number, leaseMs: number): Promise<WorkflowStepClaim>;
  /** Extends the lease while `token` holds the step; false when it does not. */
  renewWorkflowStep(executionId: string, token: string, leaseUntil: number): Promise<boolean>;
  /** Stores how the step ends (`running` → `completing`) before it is sent to Slack; false when `token` lost it. */
  storeWorkflowStepResult(executionId: string, token: string, result: WorkflowStepResult): Promise<boolean>;
  /** Slack has the result (`completing` → `done`); false when `token` lost it. */
  finishWorkflowStep(executionId: string, token: string, now: number, detail?: string): Promise<boolean>;
  /** Claims unfinished steps whose lease ran out (their process died), oldest first. */
  claimStaleWorkflowSteps(now: number, leaseMs: number, limit: number): Promise<WorkflowStep[]>;
  /** The latest operation attempt made for the step, and whether it is resolved. */
  attemptOfWorkflowStep(executionId: string): Promise<{ attempt: Attempt; resolved: boolean } | undefined>;
}

/** Everything the bot keeps, in one database (see the top of this file). */
export interface Store extends AuditStore, LockStore, WatchStore, ApprovalStore, CardStore, LimitStore, AttemptStore, SmnStore, WorkflowStepStore, OutboxStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Throws when the database cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
