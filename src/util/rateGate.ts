/**
 * A token bucket bounds a rate across everything that shares it (the watcher's status reads).
 * Slack calls are paced by the outbound queue instead (slack/outbound/), which knows each method's
 * window and channel.
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
