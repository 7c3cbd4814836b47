import { ErrorCode, WebClient, type WebAPIRateLimitedError } from '@slack/web-api';
import { createStandInRateLimiter } from '../../src/sandbox/slack/rateLimits';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';

/**
 * The Slack stand-in at Slack's published limits (https://api.slack.com/apis/rate-limits and
 * https://api.slack.com/methods/chat.postMessage#rate_limiting): Tier 3 `chat.update` about 50 a
 * minute, Tier 2 `usergroups.users.list` about 20, Tier 4 `chat.postEphemeral` about 100, posts
 * about one a second per channel. Over the limit: HTTP 429 with `Retry-After`, as Slack's own Web
 * API client reads it; the figures below are Slack's, not read from the code under test.
 */
const T = 1_700_000_000_000;

describe('the stand-in rate limiter', () => {
  it.each([
    ['chat.update', 50],
    ['usergroups.users.list', 20],
    ['chat.postEphemeral', 100],
    ['views.publish', 100],
  ])('%s: %i in a minute pass, the next is refused until the oldest leaves the window', (method, perMinute) => {
    const limiter = createStandInRateLimiter();
    for (let i = 0; i < perMinute; i++) expect(limiter.admit(method, undefined, T + i * 100)).toEqual({ allowed: true });
    const refused = limiter.admit(method, undefined, T + perMinute * 100);
    expect(refused.allowed).toBe(false);
    // The first call leaves the window at T + 60 s.
    expect(refused).toEqual({ allowed: false, retryAfterS: Math.ceil((60_000 - perMinute * 100) / 1000) });
    expect(limiter.refused.get(method)).toBe(1);
    expect(limiter.admit(method, undefined, T + 60_001)).toEqual({ allowed: true });
  });

  it('chat.postMessage: one a second per channel; another channel is not held back; a refusal is not counted', () => {
    const limiter = createStandInRateLimiter();
    expect(limiter.admit('chat.postMessage', 'C1', T).allowed).toBe(true);
    expect(limiter.admit('chat.postMessage', 'C1', T + 500)).toEqual({ allowed: false, retryAfterS: 1 });
    expect(limiter.admit('chat.postMessage', 'C2', T + 500).allowed).toBe(true);
    expect(limiter.admit('chat.postMessage', 'C1', T + 999).allowed).toBe(false);
    // Refused tries did not extend the window: the channel is free one second after the one accepted post.
    expect(limiter.admit('chat.postMessage', 'C1', T + 1000).allowed).toBe(true);
    expect(limiter.refused.get('chat.postMessage')).toBe(2);
  });
});

describe('the stand-in over HTTP, read by @slack/web-api', () => {
  let slack: SlackStandIn;
  let client: WebClient;
  beforeAll(async () => {
    slack = await startSlackStandIn({ botToken: 'xoxb-limits', channels: [{ id: 'C0LIMIT', name: 'limit' }] });
    client = new WebClient('xoxb-limits', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  });
  afterAll(() => slack.close());

  it('a second post in a channel within a second → 429 with Retry-After; nothing stored; counted', async () => {
    const first = await client.chat.postMessage({ channel: 'C0LIMIT', text: 'one' });
    expect(first.ok).toBe(true);
    const err = (await client.chat.postMessage({ channel: 'C0LIMIT', text: 'two' }).catch((e: unknown) => e)) as WebAPIRateLimitedError;
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(1);
    expect(slack.messages.map((m) => m.text)).toEqual(['one']);
    expect(slack.rateLimited.get('chat.postMessage')).toBe(1);
  });

  it('metadata posted with a message comes back from conversations.history only with include_all_metadata', async () => {
    await new Promise((r) => setTimeout(r, 1_050));
    const metadata = { event_type: 'playbook_card', event_payload: { card_id: 'card-42' } };
    const posted = await client.chat.postMessage({ channel: 'C0LIMIT', text: 'with metadata', metadata });
    const plain = await client.conversations.history({ channel: 'C0LIMIT' });
    expect(plain.messages?.find((m) => m.ts === posted.ts)?.metadata).toBeUndefined();
    const full = await client.conversations.history({ channel: 'C0LIMIT', include_all_metadata: true });
    expect(full.messages?.find((m) => m.ts === posted.ts)?.metadata).toEqual(metadata);
    // Newest first, as Slack lists history.
    expect(full.messages?.[0]?.ts).toBe(posted.ts);
  });

  it('rate limits can be turned off (the benchmark phases that measure acks, not Slack)', async () => {
    const free = await startSlackStandIn({ botToken: 'xoxb-free', channels: [{ id: 'C0FREE', name: 'free' }], rateLimits: false });
    const c = new WebClient('xoxb-free', { slackApiUrl: free.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    for (let i = 0; i < 5; i++) expect((await c.chat.postMessage({ channel: 'C0FREE', text: `m${i}` })).ok).toBe(true);
    expect(free.rateLimited.size).toBe(0);
    await free.close();
  });
});
