/**
 * The order the outbound queue sends in when Slack's limits make calls wait: what a person is
 * waiting for first (their private answer, an authorization lookup, an approval card, a status card
 * they asked for, a final status and its thread reply), then new alert cards, then intermediate
 * statuses (a newer one replaces them anyway).
 */
export const PRIORITY = { person: 0, alert: 1, progress: 2 } as const;

export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

/**
 * Intermediate statuses use at most 70 % of a method's budget: the rest stays free for what a
 * person waits for, so a final status arriving right after a burst of intermediate ones does not
 * queue behind a full window.
 */
export function reserveFor(priority: number): number {
  return priority >= PRIORITY.progress ? 0.3 : 0;
}
