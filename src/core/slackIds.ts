/**
 * The shapes of the Slack IDs people write by hand (the policy file, the alert webhook, the
 * configuration), checked strictly. Mentions in messages use a looser check (src/slack/mrkdwn.ts):
 * there an ID that fails is only shown as text, never refused.
 */
export const SLACK_USER_ID_PATTERN = /^[UW][A-Z0-9]{2,}$/;
export const SLACK_USERGROUP_ID_PATTERN = /^S[A-Z0-9]{2,}$/;
export const SLACK_CHANNEL_ID_PATTERN = /^[CGD][A-Z0-9]{2,}$/;
export const SLACK_CHANNEL_ID_HINT = 'must be a Slack channel ID like "C0INCIDENT"';
