import { sendSigned } from '../../src/sandbox/slack/requests';
import { SECRETS, startHarness, type Harness } from './harness';

/**
 * Slack's check of the Event Subscriptions request URL (https://api.slack.com/events/url_verification):
 * a signed POST of `{"token","challenge","type":"url_verification"}`, answered 200 with the
 * challenge. The README's install steps rely on it: the bot must already run, with the right
 * SLACK_SIGNING_SECRET, when the URL is entered.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

// Slack's own example payload, from the page above.
const CHECK = JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });

/** Slack accepts the challenge as plain text, a form or JSON. */
function challengeOf(text: string): string {
  try {
    const json = JSON.parse(text) as { challenge?: string };
    if (typeof json === 'object' && json !== null) return String(json.challenge);
  } catch {
    // not JSON
  }
  return new URLSearchParams(text).get('challenge') ?? text;
}

test('signed with the signing secret: 200 and the challenge', async () => {
  const res = await sendSigned(`${h.url}/slack/events`, SECRETS.signing, CHECK, { contentType: 'application/json' });
  expect(res.status).toBe(200);
  expect(challengeOf(res.text)).toBe('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
});

test('signed with another secret (a wrong SLACK_SIGNING_SECRET): 401, so Slack reports the URL as not verified', async () => {
  const res = await sendSigned(`${h.url}/slack/events`, 'not-the-signing-secret-0001', CHECK, { contentType: 'application/json' });
  expect(res.status).toBe(401);
  expect(res.text).not.toContain('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
});
