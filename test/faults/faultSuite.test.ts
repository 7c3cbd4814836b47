import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultRule } from '../../src/sandbox/simulator';
import type { InjectedSlackFault } from '../../src/sandbox/slack/standIn';
import { CHANNELS, SECRETS, startHarness, USERS, waitFor, type Harness } from '../e2e/harness';

/**
 * The fault suite: every fault the simulator and the Slack stand-in can inject, each driven by real
 * signed requests through the running bot. For each it checks that the person hears back, that no
 * operation was sent twice, and at the end that no secret reached a log line, a message or a call.
 * It prints a table (faults injected, requests sent, operations run, duplicates, secrets in logs).
 */
interface Row {
  fault: string;
  requests: number;
  operations: number;
  duplicates: number;
  answer: string;
  secondsToAnswer: number;
}

const rows: Row[] = [];
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { OPERATIONS_PER_USER_PER_MINUTE: '1000' } });
});

afterAll(async () => {
  const secrets = Object.values(SECRETS);
  const haystacks = [
    ...h.logs,
    ...h.slack.messages.map((m) => JSON.stringify(m)),
    ...h.slack.ephemerals.map((e) => JSON.stringify(e)),
    ...h.slack.calls.map((c) => JSON.stringify(c.args)),
    ...h.sim.calls.map((c) => JSON.stringify(c)),
  ];
  const leaks = haystacks.filter((text) => secrets.some((s) => text.includes(s))).length;
  await h?.stop();
  const table = [
    '| fault | requests sent | operations run | duplicates | answer to the person | s to answer |',
    '|---|---:|---:|---:|---|---:|',
    ...rows.map((r) => `| ${r.fault} | ${r.requests} | ${r.operations} | ${r.duplicates} | ${r.answer} | ${r.secondsToAnswer.toFixed(1)} |`),
    `| **total** | ${rows.reduce((a, r) => a + r.requests, 0)} | ${rows.reduce((a, r) => a + r.operations, 0)} | ${rows.reduce((a, r) => a + r.duplicates, 0)} | secrets found in logs and messages: **${leaks}** | |`,
  ].join('\n');
  console.log(`Fault suite\n${table}`);
  expect(leaks).toBe(0);
  expect(rows.reduce((a, r) => a + r.duplicates, 0)).toBe(0);
});

function operationPosts(id: string) {
  return h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${id}/operation`));
}

/** Runs one retry under a fault and records the row. */
async function retryUnder(
  fault: string,
  setup: { secmaster?: FaultRule[]; slack?: InjectedSlackFault[]; status?: string; user?: string },
  expectAnswer: RegExp,
): Promise<{ id: string; answer: string }> {
  const id = h.addInstance(setup.status ?? 'FAILED', { name: `Fault case ${rows.length + 1}` });
  // Faults aimed at this request alone: other cards keep being followed meanwhile.
  for (const f of setup.secmaster ?? []) h.sim.faults.add({ ...f, pathIncludes: f.pathIncludes ?? id });
  for (const f of setup.slack ?? []) h.slack.fault({ ...f, match: f.match ?? id });
  const user = setup.user ?? USERS.responder;
  const seen = h.slack.ephemerals.filter((e) => e.user === user).length;
  const newPrivateLines = () => h.slack.ephemerals.filter((e) => e.user === user).slice(seen);
  const started = Date.now();
  const res = await h.command(user, CHANNELS.incident, `retry ${id}`);
  expect(res.status).toBe(200);
  const answer = await waitFor(
    () => newPrivateLines().find((e) => expectAnswer.test(e.text)),
    20_000,
    `an answer matching ${expectAnswer} for ${fault}`,
  );
  const seconds = (Date.now() - started) / 1000;
  if (/operation itself was carried out/.test(answer.text)) {
    // The bot sends a second private line (the outcome, naming the instance) after "cannot post".
    // Waiting for it keeps it from arriving during the next case and being taken for that case's answer.
    await waitFor(
      () => newPrivateLines().find((e) => e.text.includes(id) && /sent for/.test(e.text)),
      10_000,
      `the outcome line after "cannot post" for ${fault}`,
    );
  }
  h.sim.faults.clear();
  h.slack.clearFaults();
  const ops = operationPosts(id).length;
  rows.push({ fault, requests: 1, operations: ops, duplicates: Math.max(0, ops - 1), answer: answer.text.replace(/[*`|]/g, '').slice(0, 70), secondsToAnswer: seconds });
  expect(seconds).toBeLessThan(16);
  return { id, answer: answer.text };
}

describe('SecMaster faults', () => {
  test('503 twice on the read: retried, then done', async () => {
    const { id } = await retryUnder('read 503 ×2', { secmaster: [{ fault: { kind: 'status', status: 503 }, when: 'before', method: 'GET', times: 2 }] }, /sent for/);
    expect(operationPosts(id)).toHaveLength(1);
  });

  test('429 with Retry-After on the read: waited out, then done', async () => {
    const { id } = await retryUnder('read 429 Retry-After 1', { secmaster: [{ fault: { kind: 'status', status: 429, retryAfterS: 1 }, when: 'before', method: 'GET', times: 1 }] }, /sent for/);
    expect(operationPosts(id)).toHaveLength(1);
  });

  test('dropped connection on the read: retried, then done', async () => {
    await retryUnder('read dropped', { secmaster: [{ fault: { kind: 'drop' }, when: 'before', method: 'GET', times: 1 }] }, /sent for/);
  });

  test('502 after the operation took effect: not repeated, a read reports it took effect', async () => {
    const { id } = await retryUnder('operation 502 (applied)', { secmaster: [{ fault: { kind: 'status', status: 502 }, when: 'after', method: 'POST', times: 1 }] }, /took effect/);
    expect(operationPosts(id)).toHaveLength(1);
  });

  test('answer lost after the operation took effect: not repeated, reported as taken effect', async () => {
    const { id } = await retryUnder('operation answer dropped (applied)', { secmaster: [{ fault: { kind: 'drop' }, when: 'after', method: 'POST', times: 1 }] }, /took effect/);
    expect(operationPosts(id)).toHaveLength(1);
  });

  test('500 before the operation ran: not repeated, reported as not taken effect, with code and request ID', async () => {
    const { id, answer } = await retryUnder(
      'operation 500 (not applied)',
      { secmaster: [{ fault: { kind: 'status', status: 500, code: 'SecMaster.00000500', message: 'backend busy' }, when: 'before', method: 'POST', times: 1 }] },
      /did not take effect/,
    );
    expect(operationPosts(id)).toHaveLength(1);
    expect(answer).toContain('SecMaster.00000500');
    expect(answer).toContain('request ID');
  });

  test('a slow operation (no answer within the timeout): not repeated, the person hears back', async () => {
    const { id } = await retryUnder('operation times out (7 s)', { secmaster: [{ fault: { kind: 'latency', ms: 7000 }, when: 'before', method: 'POST', times: 1 }] }, /did not confirm|No clear answer/);
    expect(operationPosts(id)).toHaveLength(1);
  }, 30_000);

  test('429 on the operation: not repeated, the person is told when to try again', async () => {
    const { id, answer } = await retryUnder('operation 429', { secmaster: [{ fault: { kind: 'status', status: 429, retryAfterS: 3 }, when: 'before', method: 'POST', times: 1 }] }, /refused|did not/);
    expect(operationPosts(id)).toHaveLength(1);
    expect(answer).toContain('APIGW.0308');
  });
});

describe('SecMaster unreachable', () => {
  test('a closed port: the person hears back quickly, and the circuit breaker then answers at once', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const down = await startHarness({ env: { SECMASTER_ENDPOINT: `http://127.0.0.1:${port}` }, slack: h.slack, simulator: h.sim });
    try {
      const answers: number[] = [];
      for (let n = 0; n < 7; n++) {
        const seen = h.slack.ephemerals.length;
        const started = Date.now();
        await down.command(USERS.responder, CHANNELS.incident, `retry unreachable-${n}`);
        const e = await waitFor(() => h.slack.ephemerals.slice(seen).find((x) => x.user === USERS.responder), 16_000, 'answer while SecMaster is down');
        answers.push((Date.now() - started) / 1000);
        expect(e.text).toMatch(/could not (be read|reach)|not calling it/);
      }
      rows.push({ fault: 'SecMaster unreachable ×7', requests: 7, operations: 0, duplicates: 0, answer: 'could not reach SecMaster → circuit open', secondsToAnswer: Math.max(...answers) });
      expect(Math.max(...answers)).toBeLessThan(15);
      const health = await fetch(`${down.url}/healthz`);
      expect(health.status).toBe(200);
      expect(down.logs.some((l) => l.includes('circuit breaker') && l.includes('open'))).toBe(true);
    } finally {
      await down.bot.stop();
    }
  }, 60_000);
});

describe('Slack faults', () => {
  test('chat.postMessage 500: the card is not posted twice: the bot looks for it in the channel, then posts it once; the person is told it follows', async () => {
    const { id } = await retryUnder('Slack chat.postMessage 500', { slack: [{ method: 'chat.postMessage', status: 500, times: 1 }] }, /sent for/);
    const card = await waitFor(() => h.channelMessages(CHANNELS.incident).find((m) => m.text.includes(id) && !m.threadTs), 15_000, 'the card, posted after the check');
    const posts = h.slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(id) && !JSON.stringify(c.args).includes('thread_ts'));
    expect(posts.map((c) => c.error ?? 'ok')).toEqual(['internal_error', 'ok']);
    const looked = h.slack.calls.filter((c) => c.method === 'conversations.history' && c.at > posts[0]!.at && c.at < posts[1]!.at);
    expect(looked.length).toBeGreaterThan(0);
    expect(h.channelMessages(CHANNELS.incident).filter((m) => m.text.includes(id) && !m.threadTs)).toEqual([card]);
  });

  test('chat.postMessage 429: waited out, posted exactly once', async () => {
    const { id } = await retryUnder('Slack chat.postMessage 429', { slack: [{ method: 'chat.postMessage', rateLimitS: 1, times: 1 }] }, /sent for/);
    // The private answer no longer waits for the card (it says the card follows): the card comes once Slack allows.
    await waitFor(() => h.channelMessages(CHANNELS.incident).find((m) => m.text.includes(id) && !m.threadTs), 10_000, 'the card after the 429');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(h.channelMessages(CHANNELS.incident).filter((m) => m.text.includes(id) && !m.threadTs)).toHaveLength(1);
  });

  test.each([
    ['not_in_channel', /invite/i],
    ['channel_not_found', /invite/i],
    ['is_archived', /archived/i],
    ['invalid_auth', /Slack refused the status card/i],
  ])('chat.postMessage %s is answered clearly', async (error, expected) => {
    await retryUnder(`Slack ${error}`, { slack: [{ method: 'chat.postMessage', error, times: 1 }] }, expected);
  });

  test('chat.update 500 while following a card: retried, the card still reaches FINISHED', async () => {
    const { id } = await retryUnder('Slack chat.update 500', { slack: [{ method: 'chat.update', status: 500, times: 1 }] }, /sent for/);
    const card = h.channelMessages(CHANNELS.incident).find((m) => m.text.includes(id))!;
    await waitFor(() => card.text.includes('FINISHED'), 8000, 'FINISHED despite a failed update');
  });
});

describe('People clicking twice', () => {
  test('20 identical clicks at once make one operation', async () => {
    const id = h.addInstance('FAILED', { name: 'burst' });
    h.sim.faults.add({ fault: { kind: 'latency', ms: 300 }, when: 'before', method: 'POST', pathIncludes: id });
    const seen = h.slack.ephemerals.length;
    await Promise.all(Array.from({ length: 20 }, () => h.click({ userId: USERS.responder, channelId: CHANNELS.incident, actionId: 'playbook_retry', value: id })));
    // The click that runs shows its result on the card; the 19 others are each told why nothing ran.
    const told = await waitFor(() => {
      const replies = h.slack.ephemerals.slice(seen).filter((e) => e.user === USERS.responder);
      return replies.length >= 19 ? replies : undefined;
    }, 8000, '19 private answers');
    expect(told.every((e) => /under way|is \*RETRYING\*|is \*RUNNING\*|is \*FINISHED\*/.test(e.text))).toBe(true);
    h.sim.faults.clear();
    const ops = operationPosts(id).length;
    rows.push({ fault: '20 simultaneous clicks', requests: 20, operations: ops, duplicates: Math.max(0, ops - 1), answer: 'one runs, others told it is under way', secondsToAnswer: 0 });
    expect(ops).toBe(1);
  });
});
