import { spawnedBots, unhandledRejectionLines } from '../e2e/processes';

/**
 * Unhandled rejections fail the test they happen in, wherever they happen. In the test process
 * itself Jest 30 already does that (a rejection nobody handles fails the running test, or the suite
 * from a hook); a bot started as its own process only logs them (main.ts), so after every test the
 * logs of the processes this file started are read, and any new report fails that test.
 */
const seen = new WeakMap<object, number>();

afterEach(() => {
  const reports: string[] = [];
  for (const bot of spawnedBots) {
    const lines = unhandledRejectionLines(bot);
    reports.push(...lines.slice(seen.get(bot) ?? 0));
    seen.set(bot, lines.length);
  }
  if (reports.length > 0) throw new Error(`a bot process logged an unhandled rejection:\n${reports.join('\n')}`);
});
