import { createExpiryLoop } from '../../src/approvals/expiryLoop';
import { createLineCollector, createLogger } from '../../src/log';

/**
 * The expiry loop closes approvals nobody clicks: it runs `expireDue` at once, again when the next
 * expiry is due (never sleeping past `maxSleepMs`), survives a failing run, and stops cleanly.
 */
const until = async (ok: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

function logger() {
  const collector = createLineCollector();
  return { logger: createLogger({ level: 'info', secrets: [], stream: collector.stream }), lines: collector.lines };
}

it('runs at once on start, then again by maxSleepMs when nothing is due', async () => {
  let runs = 0;
  const loop = createExpiryLoop({ expireDue: async () => (runs++, 0), nextExpiry: async () => undefined, logger: logger().logger, maxSleepMs: 20 });
  loop.start();
  await until(() => runs >= 3);
  await loop.stop();
  const stoppedAt = runs;
  await new Promise((r) => setTimeout(r, 80));
  expect(runs).toBe(stoppedAt);
});

it('wakes for the next expiry sooner than maxSleepMs', async () => {
  const times: number[] = [];
  const loop = createExpiryLoop({ expireDue: async () => (times.push(Date.now()), 0), nextExpiry: async () => Date.now() + 30, logger: logger().logger, maxSleepMs: 60_000 });
  loop.start();
  // With maxSleepMs a minute, a second run within `until`'s few seconds can only be the expiry's wake-up.
  await until(() => times.length >= 2);
  await loop.stop();
  expect(times.length).toBeGreaterThanOrEqual(2);
});

it('a run that closed something looks again at once (more may be due)', async () => {
  const closed = [2, 1, 0];
  let runs = 0;
  const loop = createExpiryLoop({ expireDue: async () => (runs++, closed.shift() ?? 0), nextExpiry: async () => undefined, logger: logger().logger, maxSleepMs: 60_000 });
  loop.start();
  await until(() => runs >= 3);
  await loop.stop();
  expect(runs).toBe(3);
});

it('a failing run is logged and the loop carries on', async () => {
  const { logger: log, lines } = logger();
  let runs = 0;
  const loop = createExpiryLoop({
    expireDue: async () => {
      runs++;
      if (runs === 1) throw new Error('database away');
      return 0;
    },
    nextExpiry: async () => undefined,
    logger: log,
    maxSleepMs: 10,
  });
  loop.start();
  await until(() => runs >= 2);
  await loop.stop();
  expect(lines.map((l) => JSON.parse(l) as { level: string; message: string }).filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['approval expiry failed; retrying']);
});

it('stop waits for a run in flight', async () => {
  let finished = false;
  let started = false;
  const loop = createExpiryLoop({
    expireDue: async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
      return 0;
    },
    nextExpiry: async () => undefined,
    logger: logger().logger,
  });
  loop.start();
  await until(() => started);
  await loop.stop();
  expect(finished).toBe(true);
});
