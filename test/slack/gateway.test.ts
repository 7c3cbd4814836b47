import { ErrorCode, type WebClient } from '@slack/web-api';
import { createLogger } from '../../src/log';
import { createSlackGateway, type SlackGatewayOptions } from '../../src/slack/gateway';
import { openSqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';

/**
 * The gateway's retry rules against errors shaped as @slack/web-api raises them (its `ErrorCode`
 * values are the oracle): a 429 means nothing was posted, so it is waited out (Retry-After) and
 * sent again, a few times; a post that may have reached Slack (5xx, network) is never repeated; an
 * update, being idempotent, is. A fake WebClient on jest's fake clock, which the outbound queue's
 * timers follow; an in-memory SQLite store for the card updates it keeps; no network.
 */
type Call = { method: string; args: Record<string, unknown> };

function slackError(code: ErrorCode, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(code), { code, ...extra });
}

function fakeClient(script: Record<string, Array<Error | Record<string, unknown>>>) {
  const calls: Call[] = [];
  const run = (method: string) => async (args: Record<string, unknown>) => {
    calls.push({ method, args });
    const next = script[method]?.shift() ?? { ok: true, ts: '1.000100', channel: args.channel };
    if (next instanceof Error) throw next;
    return next;
  };
  const client = {
    chat: { postMessage: run('chat.postMessage'), update: run('chat.update'), postEphemeral: run('chat.postEphemeral') },
    views: { publish: run('views.publish') },
    usergroups: { users: { list: run('usergroups.users.list') } },
    users: { info: run('users.info') },
    conversations: { history: run('conversations.history'), replies: run('conversations.replies') },
  } as unknown as WebClient;
  return { client, calls };
}

let store: Store;
beforeEach(() => {
  jest.useFakeTimers({ now: 1_700_000_000_000 });
  store = openSqliteStore(':memory:');
});
afterEach(async () => {
  jest.useRealTimers();
  await store.close();
});

function gateway(client: WebClient, extra: Partial<SlackGatewayOptions> = {}) {
  const observed: string[] = [];
  const gw = createSlackGateway({
    client,
    updatesPerMinute: 600,
    store,
    owner: 'replica-unit',
    leaseMs: 10_000,
    logger: createLogger({ level: 'error', secrets: [] }),
    observe: (method, outcome, error) => void observed.push(`${method} ${outcome}${error ? ` ${error}` : ''}`),
    ...extra,
  });
  return { gw, observed };
}

/** What `run` answers once the queue's timers have run for `ms` of fake time. */
async function settled<T>(run: Promise<T>, ms = 60_000): Promise<T> {
  await jest.advanceTimersByTimeAsync(ms);
  return run;
}

const msg = { text: 'hello', blocks: [] };

describe('chat.postMessage', () => {
  it('a 429 is waited out for Retry-After seconds and sent again', async () => {
    const { client, calls } = fakeClient({ 'chat.postMessage': [slackError(ErrorCode.RateLimitedError, { retryAfter: 3 })] });
    const { gw, observed } = gateway(client);
    const res = gw.postMessage('C1', msg);
    await jest.advanceTimersByTimeAsync(2_900);
    expect(calls).toHaveLength(1);
    expect(await settled(res, 1_000)).toMatchObject({ ok: true, value: { ts: '1.000100' } });
    expect(calls).toHaveLength(2);
    expect(observed).toEqual(['chat.postMessage rate_limited', 'chat.postMessage ok']);
  });

  it('a post Slack keeps refusing with 429 is reported as ratelimited after a few tries, not repeated forever', async () => {
    const limited = () => slackError(ErrorCode.RateLimitedError, { retryAfter: 1 });
    const { client, calls } = fakeClient({ 'chat.postMessage': Array.from({ length: 10 }, limited) });
    const { gw } = gateway(client);
    expect(await settled(gw.postMessage('C1', msg))).toEqual({ ok: false, error: 'ratelimited' });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.length).toBeLessThan(10);
  });

  it('a 5xx or a network error is never repeated: one missing card is better than two', async () => {
    for (const err of [slackError(ErrorCode.HTTPError, { statusCode: 503 }), slackError(ErrorCode.RequestError)]) {
      const { client, calls } = fakeClient({ 'chat.postMessage': [err] });
      const { gw } = gateway(client);
      const res = await settled(gw.postMessage('C1', msg));
      expect(res.ok).toBe(false);
      expect(calls).toHaveLength(1);
    }
  });

  it("Slack's platform error is answered as its code (not_in_channel) and not retried", async () => {
    const { client, calls } = fakeClient({ 'chat.postMessage': [slackError(ErrorCode.PlatformError, { data: { ok: false, error: 'not_in_channel' } })] });
    const { gw } = gateway(client);
    expect(await settled(gw.postMessage('C1', msg))).toEqual({ ok: false, error: 'not_in_channel' });
    expect(calls).toHaveLength(1);
  });

  it('a thread reply carries thread_ts, and no link is unfurled', async () => {
    const { client, calls } = fakeClient({});
    await settled(gateway(client).gw.postMessage('C1', msg, '9.9'));
    expect(calls[0]!.args).toMatchObject({ channel: 'C1', text: 'hello', thread_ts: '9.9', unfurl_links: false, unfurl_media: false });
  });

  it('what leaves is redacted', async () => {
    const { client, calls } = fakeClient({});
    const { gw } = gateway(client, { redact: <T>(v: T) => JSON.parse(JSON.stringify(v).replaceAll('xoxb-secret', '[redacted]')) as T });
    await settled(gw.postMessage('C1', { text: 'token xoxb-secret', blocks: [] }));
    expect(JSON.stringify(calls[0]!.args)).not.toContain('xoxb-secret');
  });
});

describe('chat.update (idempotent)', () => {
  it('a card update is stored, so transient failures never make it give up: three 5xx/network errors, then it goes', async () => {
    const { client, calls } = fakeClient({ 'chat.update': [slackError(ErrorCode.HTTPError, { statusCode: 502 }), slackError(ErrorCode.RequestError), slackError(ErrorCode.HTTPError, { statusCode: 500 })] });
    const { gw } = gateway(client);
    expect(await settled(gw.updateMessage('C1', '1.1', msg))).toEqual({ ok: true, value: undefined });
    expect(calls.map((c) => c.method)).toEqual(['chat.update', 'chat.update', 'chat.update', 'chat.update']);
  });

  it("Slack's refusal of an update (message_not_found) is final: answered, not repeated", async () => {
    const { client, calls } = fakeClient({ 'chat.update': [slackError(ErrorCode.PlatformError, { data: { ok: false, error: 'message_not_found' } })] });
    expect(await settled(gateway(client).gw.updateMessage('C1', '1.1', msg))).toEqual({ ok: false, error: 'message_not_found' });
    expect(calls).toHaveLength(1);
  });

  it('a 5xx then success is ok', async () => {
    const { client, calls } = fakeClient({ 'chat.update': [slackError(ErrorCode.HTTPError, { statusCode: 502 })] });
    expect(await settled(gateway(client).gw.updateMessage('C1', '1.1', msg))).toEqual({ ok: true, value: undefined });
    expect(calls).toHaveLength(2);
  });
});

describe('reads the policy needs', () => {
  it('user-group members, and a failure thrown for the caller to judge', async () => {
    const { client } = fakeClient({ 'usergroups.users.list': [{ ok: true, users: ['U1', 'U2'] }, slackError(ErrorCode.PlatformError, { data: { error: 'no_such_subteam' } })] });
    const { gw } = gateway(client);
    expect(await settled(gw.usergroupMembers('S1'))).toEqual(['U1', 'U2']);
    const second = gw.usergroupMembers('S1');
    second.catch(() => undefined);
    await expect(settled(second)).rejects.toThrow(/no_such_subteam/);
  });

  it("a user's own team from users.info", async () => {
    const { client } = fakeClient({ 'users.info': [{ ok: true, user: { id: 'U1', team_id: 'T0OTHER' } }] });
    expect(await settled(gateway(client).gw.userTeam('U1'))).toBe('T0OTHER');
  });
});

describe('finding a card by its metadata (before a post is repeated)', () => {
  const card = (ts: string, cardId: string) => ({ ts, metadata: { event_type: 'playbook_card', event_payload: { card_id: cardId } } });

  it('reads every page since the card was stored: a card behind a full page of newer messages is found, not posted again', async () => {
    const { client, calls } = fakeClient({
      'conversations.history': [
        { ok: true, messages: [card('3.0', 'other'), { ts: '2.9' }], has_more: true, response_metadata: { next_cursor: 'page-2' } },
        { ok: true, messages: [card('1.5', 'mine')], has_more: false },
      ],
    });
    const found = await settled(gateway(client).gw.findCardMessage('C1', { eventType: 'playbook_card', cardId: 'mine', sinceMs: 1_000 }));
    expect(found).toEqual({ ok: true, value: '1.5' });
    expect(calls.map((c) => [c.method, c.args.cursor])).toEqual([
      ['conversations.history', undefined],
      ['conversations.history', 'page-2'],
    ]);
    expect(calls[0]!.args).toMatchObject({ channel: 'C1', include_all_metadata: true });
  });

  it('no page carries it: undefined, after the last page', async () => {
    const { client, calls } = fakeClient({ 'conversations.history': [{ ok: true, messages: [card('3.0', 'other')], has_more: false }] });
    expect(await settled(gateway(client).gw.findCardMessage('C1', { eventType: 'playbook_card', cardId: 'mine', sinceMs: 1_000 }))).toEqual({ ok: true, value: undefined });
    expect(calls).toHaveLength(1);
  });
});
