import type { Instance, Operation } from '../secmaster/schemas';

/**
 * After an operation call ended without a clear answer, decides from a fresh read whether it took
 * effect: a retry shows as RETRYING or a later run (new start time or a non-final status), a
 * termination as TERMINATING or TERMINATED.
 */
export function verifyEffect(operation: Operation, before: Pick<Instance, 'start_time'>, after: Instance): boolean {
  if (operation === 'TERMINATE') return after.status === 'TERMINATING' || after.status === 'TERMINATED';
  if (after.status === 'RETRYING' || after.status === 'RUNNING') return true;
  // It may already have finished again: a new start time means a new run.
  return Boolean(after.start_time && before.start_time && after.start_time !== before.start_time);
}
