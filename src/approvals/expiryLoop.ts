import type { Logger } from '../log';

/**
 * Closes approvals when they expire, even if nobody clicks: sleeps until the next expiry (at most
 * `maxSleepMs`, so approvals created on other replicas are seen) and runs `expireDue`, whose
 * compare-and-set makes each expiry happen once across replicas.
 */
export interface ExpiryLoop {
  start(): void;
  stop(): Promise<void>;
}

export function createExpiryLoop(opts: { expireDue: () => Promise<number>; nextExpiry: () => Promise<number | undefined>; logger: Logger; maxSleepMs?: number; now?: () => number }): ExpiryLoop {
  const now = opts.now ?? Date.now;
  const maxSleep = opts.maxSleepMs ?? 1_000;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let current: Promise<void> | undefined;

  const schedule = (ms: number) => {
    if (!running) return;
    timer = setTimeout(() => {
      current = run().finally(() => {
        current = undefined;
      });
    }, Math.max(0, ms));
    timer.unref();
  };

  async function run(): Promise<void> {
    let next: number | undefined;
    try {
      const closed = await opts.expireDue();
      next = closed > 0 ? now() : await opts.nextExpiry();
    } catch (err) {
      opts.logger.error('approval expiry failed; retrying', { err });
    }
    schedule(next === undefined ? maxSleep : Math.min(maxSleep, next - now()));
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await current?.catch(() => undefined);
    },
  };
}
