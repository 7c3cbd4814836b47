import { createCallBudget, slackBudgets } from '../../../src/slack/outbound/budgets';
import { PRIORITY, reserveFor } from '../../../src/slack/outbound/priority';
import { createOutboundQueue, type QueuedCall, type SendOutcome } from '../../../src/slack/outbound/queue';

/**
 * The outbound queue on a fake clock: it never sends more than the budget allows in a window,
 * sends the most urgent first, sends one card's newest state once for all its callers, never
 * overlaps two states of one card, and honours Retry-After for its method only.
 */
interface Sent {
  method: string;
  label: string;
  at: number;
}

function harness(updatesPerMinute = 3) {
  const sent: Sent[] = [];
  const queue = createOutboundQueue({ budget: createCallBudget(slackBudgets(updatesPerMinute)), reserveFor });
  const call = (label: string, over: Partial<QueuedCall<string>> = {}, outcome: () => SendOutcome<string> | Promise<SendOutcome<string>> = () => ({ kind: 'ok', value: label })) =>
    queue.enqueue<string>({
      method: 'chat.update',
      priority: PRIORITY.progress,
      ...over,
      send: async () => {
        sent.push({ method: over.method ?? 'chat.update', label, at: Date.now() });
        return outcome();
      },
    });
  return { sent, queue, call };
}

beforeEach(() => {
  jest.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

test('never more calls of a method in a minute than its budget; the rest go as the window frees', async () => {
  const { sent, call } = harness(3);
  const results = Array.from({ length: 7 }, (_, i) => call(`u${i}`, { key: `card-${i}` }));
  await jest.advanceTimersByTimeAsync(10);
  expect(sent.map((s) => s.label)).toEqual(['u0', 'u1', 'u2']);
  await jest.advanceTimersByTimeAsync(59_000);
  expect(sent).toHaveLength(3);
  await jest.advanceTimersByTimeAsync(3_000);
  expect(sent).toHaveLength(6);
  await jest.advanceTimersByTimeAsync(62_000);
  expect((await Promise.all(results)).every((r) => r.ok)).toBe(true);
  // Any 61 s window holds at most 3 of them.
  for (const s of sent) expect(sent.filter((o) => o.at >= s.at && o.at < s.at + 61_000).length).toBeLessThanOrEqual(3);
});

test('while calls wait, a person’s call goes first, then an alert card, then an intermediate status', async () => {
  const { sent, call } = harness(1);
  void call('first', { key: 'a' });
  await jest.advanceTimersByTimeAsync(10);
  void call('progress', { key: 'b', priority: PRIORITY.progress });
  void call('alert', { key: 'c', priority: PRIORITY.alert });
  void call('person', { key: 'd', priority: PRIORITY.person });
  await jest.advanceTimersByTimeAsync(3 * 61_000 + 100);
  expect(sent.map((s) => s.label)).toEqual(['first', 'person', 'alert', 'progress']);
});

test('pending states of one card become one call with the newest state; every caller gets its answer; a final raises the priority', async () => {
  const { sent, call } = harness(1);
  void call('other', { key: 'other' });
  await jest.advanceTimersByTimeAsync(10);
  const waiting = [call('RETRYING', { key: 'card' }), call('RUNNING', { key: 'card' }), call('FINISHED', { key: 'card', priority: PRIORITY.person })];
  void call('someone else', { key: 'x', priority: PRIORITY.alert });
  await jest.advanceTimersByTimeAsync(2 * 61_000 + 100);
  expect(sent.map((s) => s.label)).toEqual(['other', 'FINISHED', 'someone else']);
  expect(await Promise.all(waiting)).toEqual([
    { ok: true, value: 'FINISHED' },
    { ok: true, value: 'FINISHED' },
    { ok: true, value: 'FINISHED' },
  ]);
});

test('a newer state of a card whose update is on the wire waits for it to answer', async () => {
  const { sent, call } = harness(100);
  let answer: (v: SendOutcome<string>) => void = () => undefined;
  const slow = call('v1', { key: 'card' }, () => new Promise((r) => (answer = r)));
  await jest.advanceTimersByTimeAsync(10);
  const next = call('v2', { key: 'card' });
  await jest.advanceTimersByTimeAsync(1_000);
  expect(sent.map((s) => s.label)).toEqual(['v1']);
  answer({ kind: 'ok', value: 'v1' });
  await jest.advanceTimersByTimeAsync(10);
  expect(sent.map((s) => s.label)).toEqual(['v1', 'v2']);
  expect(await slow).toEqual({ ok: true, value: 'v1' });
  expect(await next).toEqual({ ok: true, value: 'v2' });
});

test('a 429 pauses its method for Retry-After (other methods go on) and the call is sent again after it', async () => {
  const { sent, call } = harness(100);
  let first = true;
  const limited = call('limited', { key: 'card' }, () => {
    if (!first) return { kind: 'ok', value: 'limited' };
    first = false;
    return { kind: 'rate_limited', retryAfterS: 5 };
  });
  await jest.advanceTimersByTimeAsync(10);
  const t0 = Date.now();
  void call('same method', { key: 'card-2' });
  void call('ephemeral', { method: 'chat.postEphemeral' });
  await jest.advanceTimersByTimeAsync(4_900);
  expect(sent.map((s) => s.label)).toEqual(['limited', 'ephemeral']);
  await jest.advanceTimersByTimeAsync(200);
  expect(await limited).toEqual({ ok: true, value: 'limited' });
  const resent = sent.filter((s) => s.label === 'limited' || s.label === 'same method').slice(1);
  expect(resent.map((s) => s.label).sort()).toEqual(['limited', 'same method']);
  for (const s of resent) expect(s.at).toBeGreaterThanOrEqual(t0 + 4_990);
});

test('posts: one a second per channel, another channel is not held back', async () => {
  const { sent, call } = harness();
  for (let i = 0; i < 3; i++) void call(`C1-${i}`, { method: 'chat.postMessage', channel: 'C1', priority: PRIORITY.person });
  void call('C2-0', { method: 'chat.postMessage', channel: 'C2', priority: PRIORITY.person });
  await jest.advanceTimersByTimeAsync(10);
  expect(sent.map((s) => s.label)).toEqual(['C1-0', 'C2-0']);
  await jest.advanceTimersByTimeAsync(3_000);
  expect(sent.map((s) => s.label)).toEqual(['C1-0', 'C2-0', 'C1-1', 'C1-2']);
  const c1 = sent.filter((s) => s.label.startsWith('C1')).map((s) => s.at);
  expect(c1[1]! - c1[0]!).toBeGreaterThanOrEqual(1_000);
  expect(c1[2]! - c1[1]!).toBeGreaterThanOrEqual(1_000);
});

test('a call that keeps being refused gives up after a few tries unless it is stored work, which is never dropped', async () => {
  const { call } = harness(100);
  const limitedOnce = { kind: 'rate_limited', retryAfterS: 1 } as const;
  const giveUp = call('ephemeral', { method: 'chat.postEphemeral' }, () => limitedOnce);
  let tries = 0;
  const stored = call('final', { key: 'card', persistent: true }, () => (++tries < 12 ? limitedOnce : { kind: 'ok', value: 'final' }));
  await jest.advanceTimersByTimeAsync(20_000);
  expect(await giveUp).toEqual({ ok: false, error: 'ratelimited' });
  expect(await stored).toEqual({ ok: true, value: 'final' });
  expect(tries).toBe(12);
});

test('a post that failed on the wire is never sent again, even as stored work; an update is, until it goes through', async () => {
  const { sent, call } = harness(100);
  const lost = { kind: 'error', error: 'http_500', transient: true } as const;
  const post = call('post', { method: 'chat.postMessage', channel: 'C1', persistent: true }, () => lost);
  let tries = 0;
  const updated = call('update', { key: 'card', persistent: true, repeatTransient: true }, () => (++tries < 6 ? lost : { kind: 'ok', value: 'update' }));
  await jest.advanceTimersByTimeAsync(60_000);
  expect(await post).toEqual({ ok: false, error: 'http_500' });
  expect(sent.filter((s) => s.label === 'post')).toHaveLength(1);
  expect(await updated).toEqual({ ok: true, value: 'update' });
  expect(tries).toBe(6);
});

test('intermediate statuses leave 30 % of the window free: a final status arriving after them goes at once', async () => {
  const { sent, call } = harness(10);
  for (let i = 0; i < 10; i++) void call(`progress-${i}`, { key: `p${i}`, priority: PRIORITY.progress });
  await jest.advanceTimersByTimeAsync(10);
  expect(sent).toHaveLength(7);
  void call('final', { key: 'f', priority: PRIORITY.person });
  await jest.advanceTimersByTimeAsync(10);
  expect(sent.map((s) => s.label).slice(7)).toEqual(['final']);
});
