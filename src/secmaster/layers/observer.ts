import type { CallName, Layer } from './types';

/** Told of every HTTP attempt (retries and the repeat after a renewal each count), for metrics. */
export interface CallObserver {
  (event: { call: CallName; status: number | 'error'; durationMs: number }): void;
}

/** Reports each attempt's status (or `error`: nothing came back) and how long it took. */
export function withObserver(observe: CallObserver, now: () => number = Date.now): Layer {
  return (inner) => async (req) => {
    const t0 = now();
    try {
      const exchange = await inner(req);
      observe({ call: req.name, status: exchange.response.status, durationMs: now() - t0 });
      return exchange;
    } catch (err) {
      observe({ call: req.name, status: 'error', durationMs: now() - t0 });
      throw err;
    }
  };
}
