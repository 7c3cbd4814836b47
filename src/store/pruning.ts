import { run, type Step } from './step';

/**
 * Housekeeping of the tables that grow with traffic. Rather than a timer, each handle deletes old
 * rows every so many writes of that kind, so a busy store is trimmed often and an idle one costs
 * nothing. Any replica may prune; the deletes only remove rows no check can still need.
 */

/** `seen_events` is pruned every this many inserts… */
export const SEEN_EVENTS_PRUNE_EVERY = 500;
/** …dropping events older than this (a day). */
export const SEEN_EVENTS_KEEP_MS = 24 * 3_600_000;
/** Every this many SMN claims, handled messages older than {@link SMN_MESSAGES_KEEP_MS} are deleted. */
export const SMN_MESSAGES_PRUNE_EVERY = 200;
/** Twice the oldest delivery the SMN verifier accepts (7 days), so a replay is always recognised. */
export const SMN_MESSAGES_KEEP_MS = 14 * 24 * 3_600_000;
/** Every this many granted rate slots, slots of every key that have left their window are deleted. */
export const RATE_HITS_PRUNE_EVERY = 500;

/** A counter that says yes on every `n`th call. */
export function everyNth(n: number): () => boolean {
  let calls = 0;
  return () => ++calls % n === 0;
}

export function pruneSeenEvents(now: number): Step<number> {
  return run('DELETE FROM seen_events WHERE at < ?', [now - SEEN_EVENTS_KEEP_MS]);
}

/** Slots that have left the window (the window is the caller's; every key uses the same one). */
export function pruneRateHits(now: number, windowMs: number): Step<number> {
  return run('DELETE FROM rate_hits WHERE at <= ?', [now - windowMs]);
}

export function pruneSmnMessages(now: number): Step<number> {
  return run('DELETE FROM smn_messages WHERE received_at < ?', [now - SMN_MESSAGES_KEEP_MS]);
}
