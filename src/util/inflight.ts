/** Counts work in progress so shutdown can wait for it (with a bound). */
export interface InFlight {
  track<T>(work: Promise<T>): Promise<T>;
  count(): number;
  /** Resolves when nothing is in flight or `timeoutMs` passed; true when everything finished. */
  idle(timeoutMs: number): Promise<boolean>;
}

export function createInFlight(): InFlight {
  let n = 0;
  let waiters: Array<() => void> = [];
  return {
    async track(work) {
      n++;
      try {
        return await work;
      } finally {
        n--;
        if (n === 0) {
          for (const w of waiters) w();
          waiters = [];
        }
      }
    },
    count: () => n,
    idle(timeoutMs) {
      if (n === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(t);
          resolve(true);
        });
      });
    },
  };
}
