/**
 * The order the outbound queue sends in when Slack's limits make calls wait: what a person is
 * waiting for first (their private answer, an authorization lookup, an approval card, a status card
 * they asked for, a final status and its thread reply), then new alert cards, then intermediate
 * statuses (a newer one replaces them anyway).
 */
export const PRIORITY = { person: 0, alert: 1, progress: 2 } as const;

export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];
