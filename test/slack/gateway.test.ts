import { ErrorCode, type WebClient } from '@slack/web-api';
import { createSlackGateway, type SlackGatewayOptions } from '../../src/slack/gateway';

/**
 * The gateway's retry rules against errors shaped as @slack/web-api raises them (its `ErrorCode`
 * values are the oracle): a 429 means nothing was posted, so it is waited out (Retry-After) and
 * sent again; a post that may have reached Slack (5xx, network) is never repeated; an update, being
 * idempotent, is. A fake WebClient, an injected sleep; no network.
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
  } as unknown as WebClient;
  return { client, calls };
}

function gateway(client: WebClient, extra: Partial<SlackGatewayOptions> = {}) {
  const slept: number[] = [];
  const observed: string[] = [];
  const gw = createSlackGateway({
    client,
    updatesPerMinute: 600,
    postIntervalMs: 0,
    sleep: async (ms) => void slept.push(ms),
    observe: (method, outcome, error) => void observed.push(`${method} ${outcome}${error ? ` ${error}` : ''}`),
    ...extra,
  });
  return { gw, slept, observed };
}

const msg = { text: 'hello', blocks: [] };

describe('chat.postMessage', () => {
  it('a 429 is waited out for Retry-After seconds and sent again', async () => {
    const { client, calls } = fakeClient({ 'chat.postMessage': [slackError(ErrorCode.RateLimitedError, { retryAfter: 3 })] });
    const { gw, slept, observed } = gateway(client);
    expect(await gw.postMessage('C1', msg)).toEqual({ ok: true, value: { ts: '1.000100', channel: 'C1' } });
    expect(calls).toHaveLength(2);
    expect(slept).toEqual([3000]);
    expect(observed).toEqual(['chat.postMessage rate_limited', 'chat.postMessage ok']);
  });

  it('a 429 longer than the caller may wait is reported as ratelimited without waiting', async () => {
    const { client, calls } = fakeClient({ 'chat.postMessage': [slackError(ErrorCode.RateLimitedError, { retryAfter: 120 })] });
    const { gw, slept } = gateway(client, { maxRateLimitWaitMs: 30_000 });
    expect(await gw.postMessage('C1', msg)).toEqual({ ok: false, error: 'ratelimited' });
    expect(calls).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('a 5xx or a network error is never repeated: one missing card is better than two', async () => {
    for (const err of [slackError(ErrorCode.HTTPError, { statusCode: 503 }), slackError(ErrorCode.RequestError)]) {
      const { client, calls } = fakeClient({ 'chat.postMessage': [err] });
      const { gw } = gateway(client);
      const res = await gw.postMessage('C1', msg);
      expect(res.ok).toBe(false);
      expect(calls).toHaveLength(1);
    }
  });

  it("Slack's platform error is answered as its code (not_in_channel) and not retried", async () => {
    const { client, calls } = fakeClient({ 'chat.postMessage': [slackError(ErrorCode.PlatformError, { data: { ok: false, error: 'not_in_channel' } })] });
    const { gw } = gateway(client);
    expect(await gw.postMessage('C1', msg)).toEqual({ ok: false, error: 'not_in_channel' });
    expect(calls).toHaveLength(1);
  });

  it('a thread reply carries thread_ts, and no link is unfurled', async () => {
    const { client, calls } = fakeClient({});
    await gateway(client).gw.postMessage('C1', msg, '9.9');
    expect(calls[0]!.args).toMatchObject({ channel: 'C1', text: 'hello', thread_ts: '9.9', unfurl_links: false, unfurl_media: false });
  });

  it('what leaves is redacted', async () => {
    const { client, calls } = fakeClient({});
    const { gw } = gateway(client, { redact: <T>(v: T) => JSON.parse(JSON.stringify(v).replaceAll('xoxb-secret', '[redacted]')) as T });
    await gw.postMessage('C1', { text: 'token xoxb-secret', blocks: [] });
    expect(JSON.stringify(calls[0]!.args)).not.toContain('xoxb-secret');
  });
});

describe('chat.update (idempotent)', () => {
  it('a 5xx is retried, up to three attempts in all', async () => {
    const { client, calls } = fakeClient({ 'chat.update': [slackError(ErrorCode.HTTPError, { statusCode: 502 }), slackError(ErrorCode.RequestError), slackError(ErrorCode.HTTPError, { statusCode: 500 })] });
    const { gw } = gateway(client);
    expect(await gw.updateMessage('C1', '1.1', msg)).toEqual({ ok: false, error: 'http_500' });
    expect(calls).toHaveLength(3);
  });

  it('a 5xx then success is ok', async () => {
    const { client, calls } = fakeClient({ 'chat.update': [slackError(ErrorCode.HTTPError, { statusCode: 502 })] });
    expect(await gateway(client).gw.updateMessage('C1', '1.1', msg)).toEqual({ ok: true, value: undefined });
    expect(calls).toHaveLength(2);
  });
});

describe('reads the policy needs', () => {
  it('user-group members, and a failure thrown for the caller to judge', async () => {
    const { client } = fakeClient({ 'usergroups.users.list': [{ ok: true, users: ['U1', 'U2'] }, slackError(ErrorCode.PlatformError, { data: { error: 'no_such_subteam' } })] });
    const { gw } = gateway(client);
    expect(await gw.usergroupMembers('S1')).toEqual(['U1', 'U2']);
    await expect(gw.usergroupMembers('S1')).rejects.toThrow(/no_such_subteam/);
  });

  it("a user's own team from users.info", async () => {
    const { client } = fakeClient({ 'users.info': [{ ok: true, user: { id: 'U1', team_id: 'T0OTHER' } }] });
    expect(await gateway(client).gw.userTeam('U1')).toBe('T0OTHER');
  });
});
