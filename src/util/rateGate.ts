/**
 * Two pacing tools. A token bucket bounds a rate across everything that shares it (status reads,
 * `chat.update`s); a keyed pacer spaces calls per key (Slack allows about one post per second per
 * channel) without one busy channel slowing the others.
 */

export interface TokenBucket {
  /** Resolves when a token is available (and takes it). */
  take(): Promise<void>;
  /** Whole tokens available now. */
  available(): number;
}

export function createTokenBucket(opts: { ratePerSec: number; burst: number; now?: () => number }): TokenBucket {
  const now = opts.now ?? Date.now;
  let tokens = opts.burst;
  let last = now();
  const waiters: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;

  const refill = () => {
    const t = now();
    tokens = Math.min(opts.burst, tokens + ((t - last) / 1000) * opts.ratePerSec);
    last = t;
  };

  const drain = () => {
    timer = undefined;
    refill();
    while (waiters.length > 0 && tokens >= 1) {
      tokens -= 1;
      waiters.shift()!();
    }
    if (waiters.length > 0) {
      timer = setTimeout(drain, Math.max(1, Math.ceil(((1 - tokens) / opts.ratePerSec) * 1000)));
      timer.unref();
    }
  };

  return {
    take() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        if (!timer) drain();
      });
    },
    available() {
      refill();
      return waiters.length > 0 ? 0 : Math.floor(tokens);
    },
  };
}

export interface KeyedPacer {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Runs calls for the same key one after another, at least `minIntervalMs` apart. */
export function createKeyedPacer(minIntervalMs: number, now: () => number = Date.now): KeyedPacer {
  const tails = new Map<string, { done: Promise<unknown>; lastStart: number }>();
  return {
    run(key, fn) {
      const prev = tails.get(key);
      const start = async () => {
        if (prev) {
          await prev.done.catch(() => undefined);
          const wait = prev.lastStart + minIntervalMs - now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        entry.lastStart = now();
        return fn();
      };
      const entry = { done: Promise.resolve() as Promise<unknown>, lastStart: now() };
      const result = start();
      entry.done = result;
      tails.set(key, entry);
      // Forget idle keys so a long-running bot does not keep one entry per channel ever seen.
      result
        .catch(() => undefined)
        .finally(() => {
          setTimeout(() => {
            if (tails.get(key) === entry) tails.delete(key);
          }, minIntervalMs).unref();
        });
      return result;
    },
  };
}
