import { isSet, type Env } from './env';
import type { SlackConfig } from './types';
import type { Values } from './variables';

/** Slack: a bot token always; a signing secret unless Socket Mode (an app token) is used. */
export function readSlack(env: Env, values: Partial<Values>, problems: string[]): SlackConfig | undefined {
  if (!isSet(env, 'SLACK_BOT_TOKEN')) problems.push('SLACK_BOT_TOKEN: required (the "xoxb-…" bot token from the app\'s OAuth page)');
  if (!isSet(env, 'SLACK_APP_TOKEN') && !isSet(env, 'SLACK_SIGNING_SECRET')) {
    problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (set SLACK_APP_TOKEN for Socket Mode instead)');
  }
  const { SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_APP_TOKEN: appToken, SLACK_API_URL: apiUrl } = values;
  if (!botToken || !apiUrl) return undefined;
  return { botToken, signingSecret, appToken, apiUrl };
}
