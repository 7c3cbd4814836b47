import type { WebClientOptions } from '@slack/web-api';

/**
 * The Web API settings every Slack client of the bot uses, ours and Bolt's. Deliberate: no
 * automatic retries (the default repeats 5xx for 30 minutes and can post twice), a bounded wait,
 * and 429s handed to the gateway instead of pausing every call.
 */
export const WEB_API_OPTIONS = { retryConfig: { retries: 0 }, timeout: 10_000, rejectRateLimitedCalls: true } satisfies WebClientOptions;

/** Slack's own Web API base URL (what `SLACK_API_URL` replaces for GovSlack, tests and the sandbox). */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
