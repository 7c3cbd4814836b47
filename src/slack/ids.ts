/**
 * Names Slack knows this app by. `manifest.yml` must agree (test/manifest.test.ts checks it), and
 * the action IDs are part of the outside contract (`shared/spec/interface.md` section 4).
 */
export const SLASH_COMMAND = '/playbook';

export const ACTION_IDS = {
  retry: 'playbook_retry',
  terminate: 'playbook_terminate',
  approve: 'playbook_approve',
  reject: 'playbook_reject',
  /** "Why did it fail?" on FAILED cards. */
  explain: 'playbook_explain',
  /** Posts a privately shown view (status, action log) into the channel. */
  share: 'playbook_share',
  /** Pages of `/playbook list`. */
  listPage: 'playbook_list_page',
} as const;

/** Events the app subscribes to (manifest `settings.event_subscriptions.bot_events`). */
export const BOT_EVENTS = ['app_home_opened', 'function_executed'] as const;

/** The request path for commands, interactivity and events. */
export const SLACK_EVENTS_PATH = '/slack/events';
