import type { Instance, Watch } from '../../src/core';
import { createWatcher, type WatchSink, type Watcher } from '../../src/operations/watcher';
import { serverError } from '../fakes/secmaster';
import { createWorld, CHANNEL, USERS, WS, type World } from '../fakes/world';

/**
 * The watcher follows a card's instance until a final status (FINISHED, FAILED, TERMINATED per
 * interface.md §3), telling the sink of each change; watches live in the store. Real in-memory
 * SQLite store, fake SecMaster client, a recording sink, and short intervals (real timers).
 */
let w: World;
let watcher: Watcher | undefined;
let events: Array<[string, string, string?]>;
let sinkAnswers: { statusChanged: boolean; reachedFinal: boolean };

const sink: WatchSink = {
  statusChanged: async (watch: Watch, i: Instance) => (events.push(['changed', watch.id, i.status]), sinkAnswers.statusChanged),
  reachedFinal: async (watch: Watch, i: Instance) => (events.push(['final', watch.id, i.status]), sinkAnswers.reachedFinal),
  stopped: async (watch: Watch, reason: string) => void events.push(['stopped', watch.id, reason]),
};

const until = async (ok: () => boolean | Promise<boolean>, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting; events: ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

function start(opts: { timeoutMs?: number } = {}) {
  watcher = createWatcher({ store: w.store, secmaster: w.secmaster, sink, logger: w.logger, pollIntervalMs: 20, pollMaxIntervalMs: 40, timeoutMs: opts.timeoutMs ?? 60_000, readsPerSecond: 200, idleCheckMs: 20, owner: 'replica-unit' });
  watcher.start();
  return watcher;
}

const newWatch = (messageTs: string, instanceId = 'inst-1') => ({
  workspaceId: WS,
  instanceId,
  channel: CHANNEL,
  messageTs,
  threadTs: messageTs,
  requester: USERS.responder,
  lastStatus: 'RETRYING',
  card: { kind: 'status' as const, requester: USERS.responder },
});

beforeEach(() => {
  w = createWorld();
  events = [];
  sinkAnswers = { statusChanged: true, reachedFinal: true };
});
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await w.close();
});

it('tells the sink of a change, then of the final status, and forgets the watch', async () => {
  w.seed('inst-1', 'RETRYING');
  const wt = start();
  await wt.watch(newWatch('1.1'));
  await new Promise((r) => setTimeout(r, 60));
  expect(events).toEqual([]);
  w.seed('inst-1', 'RUNNING');
  await until(() => events.length >= 1);
  w.seed('inst-1', 'FINISHED');
  await until(async () => (await w.store.countWatches()) === 0);
  expect(events).toEqual([
    ['changed', `${CHANNEL}:1.1`, 'RUNNING'],
    ['final', `${CHANNEL}:1.1`, 'FINISHED'],
  ]);
});

it('a card Slack would not update keeps its watch, and the final status is told again', async () => {
  w.seed('inst-1', 'FAILED');
  sinkAnswers.reachedFinal = false;
  const wt = start();
  await wt.watch(newWatch('1.1'));
  await until(() => events.length >= 2);
  expect(await w.store.countWatches()).toBe(1);
  sinkAnswers.reachedFinal = true;
  await until(async () => (await w.store.countWatches()) === 0);
  expect(events.every(([kind, , status]) => kind === 'final' && status === 'FAILED')).toBe(true);
});

it('an instance SecMaster no longer knows stops the watch as not_found', async () => {
  const wt = start();
  await wt.watch(newWatch('1.1', 'gone'));
  await until(async () => (await w.store.countWatches()) === 0);
  expect(events).toEqual([['stopped', `${CHANNEL}:1.1`, 'not_found']]);
});

it('a watch past its timeout stops as timeout', async () => {
  w.seed('inst-1', 'RETRYING');
  const wt = start({ timeoutMs: 50 });
  await wt.watch(newWatch('1.1'));
  await until(async () => (await w.store.countWatches()) === 0);
  expect(events).toEqual([['stopped', `${CHANNEL}:1.1`, 'timeout']]);
});

it('a read SecMaster fails keeps the watch going (no change, no stop)', async () => {
  w.seed('inst-1', 'RETRYING');
  w.secmaster.failNext('getInstance', { error: serverError() });
  w.secmaster.failNext('getInstance', { error: serverError() });
  const wt = start();
  await wt.watch(newWatch('1.1'));
  await until(() => w.secmaster.count('getInstance') >= 3);
  expect(events).toEqual([]);
  expect(await w.store.countWatches()).toBe(1);
});

it('two cards on one instance are read once per poll', async () => {
  w.seed('inst-1', 'RETRYING');
  const wt = start();
  // Saved before the loop runs, so that the first poll finds both due together.
  await wt.stop();
  await wt.watch(newWatch('1.1'));
  await wt.watch(newWatch('2.2'));
  w.seed('inst-1', 'FINISHED');
  // Both due (20 ms after they were saved) before the loop looks.
  await new Promise((r) => setTimeout(r, 60));
  wt.start();
  await until(async () => (await w.store.countWatches()) === 0);
  expect(events.map(([kind, id]) => [kind, id]).sort()).toEqual([
    ['final', `${CHANNEL}:1.1`],
    ['final', `${CHANNEL}:2.2`],
  ]);
  expect(w.secmaster.count('getInstance')).toBe(1);
});
