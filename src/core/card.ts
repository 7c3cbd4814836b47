import type { InstanceRef } from './instance';
import type { Operation } from './operation';

/**
 * Status cards and their watches: where a card goes, what re-rendering it needs, and the watch that
 * keeps it current until its instance reaches a final status.
 */

/**
 * Where a status card goes: a new message, the clicked card updated (`threadTs`: the thread the card
 * itself sits in, if any), or a reply in another app's thread.
 */
export type CardPlacement =
  | { kind: 'new' }
  | { kind: 'update'; ts: string; threadTs?: string }
  | { kind: 'thread'; threadTs: string };

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

/** A card the bot posted, so a click on it later can re-render it with what it showed (and is checked against the instance it is about). */
export interface CardRecord extends InstanceRef {
  channel: string;
  messageTs: string;
  context: CardContext;
  createdAt: number;
}

/** One card followed until its instance reaches a final status. */
export interface Watch extends InstanceRef {
  id: string;
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
