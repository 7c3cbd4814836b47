/**
 * The statuses of a playbook instance as SecMaster names them (spec section 3, "Statuses"). A status
 * SecMaster adds later is kept as the string that came and shown as it is, so every rule here takes
 * a plain string and only the known words mean anything to the bot.
 */
export const INSTANCE_STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'RETRYING', 'TERMINATING', 'TERMINATED'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

/** Statuses after which nothing changes any more by itself: the watch of a card ends there. */
export const FINAL_STATUSES = ['FINISHED', 'FAILED', 'TERMINATED'] as const satisfies readonly InstanceStatus[];

export function isKnownStatus(status: string): status is InstanceStatus {
  return (INSTANCE_STATUSES as readonly string[]).includes(status);
}

export function isFinalStatus(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}
