import type { CallBudget } from './budgets';

/**
 * The one queue every outbound Slack Web API call waits in. It sends a call only when the budget
 * says Slack will take it, most urgent first (lower priority number), first come first served
 * within a priority; a call whose budget is spent never holds back a call of another method or
 * channel. A call with a `key` (one card's update) replaces a pending call with the same key, so
 * the newest state wins and its callers all get the one answer; calls with one key never overlap,
 * so an older state cannot arrive after a newer one. A 429 pauses that method (and channel) for
 * `Retry-After` and puts the call back in its place.
 */
export type SendOutcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'rate_limited'; retryAfterS: number }
  /** `transient`: a 5xx or a network error (the call may or may not have been carried out). */
  | { kind: 'error'; error: string; transient: boolean };

export type QueueResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface QueuedCall<T> {
  method: string;
  channel?: string;
  priority: number;
  key?: string;
  /** Repeat after a transient error (only calls Slack can safely receive twice). */
  repeatTransient?: boolean;
  /**
   * Never give up on a 429, nor (with `repeatTransient`) on a transient error: stored work (a final
   * status is never dropped, a stored card waits for its turn). A post is still never repeated after
   * a transient error: it may have been carried out.
   */
  persistent?: boolean;
  send: () => Promise<SendOutcome<T>>;
}

interface Job {
  seq: number;
  call: QueuedCall<unknown>;
  attempts: number;
  notBefore: number;
  waiters: Array<(r: QueueResult<unknown>) => void>;
}

export interface OutboundQueue {
  enqueue<T>(call: QueuedCall<T>): Promise<QueueResult<T>>;
  /** Resolves when nothing is waiting or in flight, or after `ms`; true when idle. */
  idle(ms: number): Promise<boolean>;
}

const MAX_RATE_LIMITED_ATTEMPTS = 5;
const MAX_TRANSIENT_ATTEMPTS = 3;
const MAX_BACKOFF_MS = 30_000;

export function createOutboundQueue(opts: {
  budget: CallBudget;
  /** The share of each budget window a call of this priority leaves free for more urgent ones. */
  reserveFor?: (priority: number) => number;
  now?: () => number;
  observe?: (method: string, outcome: 'ok' | 'error' | 'rate_limited', error?: string) => void;
}): OutboundQueue {
  const now = opts.now ?? Date.now;
  const waiting: Job[] = [];
  const byKey = new Map<string, Job>();
  const busyKeys = new Set<string>();
  let inFlight = 0;
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  const idleWaiters = new Set<() => void>();

  function add(job: Job): void {
    const key = job.call.key;
    const twin = key === undefined ? undefined : byKey.get(key);
    if (twin) {
      // The later state wins; the earlier callers hear how it went.
      if (job.seq > twin.seq) twin.call = job.call;
      twin.call = { ...twin.call, priority: Math.min(twin.call.priority, job.call.priority) };
      twin.waiters.push(...job.waiters);
      twin.notBefore = Math.min(twin.notBefore, job.notBefore);
      return;
    }
    waiting.push(job);
    if (key !== undefined) byKey.set(key, job);
  }

  function pump(): void {
    const t = now();
    waiting.sort((a, b) => a.call.priority - b.call.priority || a.seq - b.seq);
    let nextAt = Infinity;
    for (let i = 0; i < waiting.length; ) {
      const job = waiting[i]!;
      const { call } = job;
      if (call.key !== undefined && busyKeys.has(call.key)) {
        i++;
        continue;
      }
      const at = Math.max(job.notBefore, opts.budget.readyAt(call.method, call.channel, t, opts.reserveFor?.(call.priority) ?? 0));
      if (at > t) {
        nextAt = Math.min(nextAt, at);
        i++;
        continue;
      }
      waiting.splice(i, 1);
      if (call.key !== undefined) {
        byKey.delete(call.key);
        busyKeys.add(call.key);
      }
      opts.budget.record(call.method, call.channel, t);
      inFlight++;
      void dispatch(job);
    }
    wakeAt(nextAt);
    if (waiting.length === 0 && inFlight === 0) for (const w of [...idleWaiters]) w();
  }

  function wakeAt(at: number): void {
    if (at === Infinity || (timer && timerAt <= at)) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = Infinity;
      pump();
    }, Math.max(1, at - now()));
    timer.unref();
  }

  function settle(job: Job, result: QueueResult<unknown>): void {
    for (const w of job.waiters) w(result);
  }

  async function dispatch(job: Job): Promise<void> {
    const { call } = job;
    let outcome: SendOutcome<unknown>;
    try {
      outcome = await call.send();
    } catch (err) {
      // A throw is the bot's side failing (the store behind a card update), not Slack's answer: transient, so
      // only calls that may be repeated (stored updates, reads) are, and a post never is.
      outcome = { kind: 'error', error: err instanceof Error ? err.message : 'unknown_error', transient: true };
    }
    inFlight--;
    if (call.key !== undefined) busyKeys.delete(call.key);
    job.attempts++;
    opts.observe?.(call.method, outcome.kind, outcome.kind === 'error' ? outcome.error : undefined);
    if (outcome.kind === 'ok') settle(job, { ok: true, value: outcome.value });
    else if (outcome.kind === 'rate_limited') {
      opts.budget.block(call.method, call.channel, now() + Math.max(1, outcome.retryAfterS) * 1000);
      if (call.persistent || job.attempts < MAX_RATE_LIMITED_ATTEMPTS) add(job);
      else settle(job, { ok: false, error: 'ratelimited' });
    } else if (outcome.transient && call.repeatTransient && (call.persistent || job.attempts < MAX_TRANSIENT_ATTEMPTS)) {
      job.notBefore = now() + Math.min(MAX_BACKOFF_MS, 250 * 2 ** (job.attempts - 1));
      add(job);
    } else settle(job, { ok: false, error: outcome.error });
    pump();
  }

  return {
    enqueue<T>(call: QueuedCall<T>) {
      return new Promise<QueueResult<T>>((resolve) => {
        add({ seq: ++seq, call: call as QueuedCall<unknown>, attempts: 0, notBefore: 0, waiters: [resolve as (r: QueueResult<unknown>) => void] });
        pump();
      });
    },
    idle(ms) {
      if (waiting.length === 0 && inFlight === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (v: boolean) => {
          idleWaiters.delete(onIdle);
          clearTimeout(t);
          resolve(v);
        };
        const onIdle = () => done(true);
        const t = setTimeout(() => done(false), ms);
        t.unref();
        idleWaiters.add(onIdle);
      });
    },
  };
}
