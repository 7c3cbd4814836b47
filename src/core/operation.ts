import type { Instance } from './instance';
import type { InstanceStatus } from './status';

/** What the bot can ask SecMaster to do to an instance (the body of `POST …/operation`). */
export const OPERATION_NAMES = ['RETRY', 'TERMINATE'] as const;
export type Operation = (typeof OPERATION_NAMES)[number];

/** What a person may ask to do; VIEW guards `status`, `list` and `log`. */
export const PERMISSIONS = ['VIEW', ...OPERATION_NAMES] as const;
export type Permission = (typeof PERMISSIONS)[number];

export function isOperation(s: string): s is Operation {
  return (OPERATION_NAMES as readonly string[]).includes(s);
}

/** What one operation needs and means: every layer reads it here instead of deciding it again. */
export interface OperationRule {
  /**
   * The statuses the operation may be asked from. Huawei does not document this; it is the rule the
   * spec fixes (section 4: "RETRY needs FAILED or TERMINATED; TERMINATE needs RUNNING or RETRYING").
   */
  allowedFrom: readonly InstanceStatus[];
  /** The status SecMaster shows once it accepted the operation (what a card shows when its answer had no instance). */
  inProgress: InstanceStatus;
  /** Statuses that say this operation is already under way or done: a later click, a stale button. */
  alreadyUnderWay: readonly InstanceStatus[];
  /**
   * After a call that ended without a clear answer, whether a fresh read shows it took effect (the
   * POST is never repeated, so this read is how the bot learns what happened).
   */
  tookEffect(before: Pick<Instance, 'start_time'>, after: Pick<Instance, 'status' | 'start_time'>): boolean;
  /** The command word (`/playbook retry`) and the verb in sentences. */
  verb: string;
  /** The verb at the start of a title or on a button. */
  title: string;
}

export const OPERATIONS: Readonly<Record<Operation, OperationRule>> = {
  RETRY: {
    allowedFrom: ['FAILED', 'TERMINATED'],
    inProgress: 'RETRYING',
    alreadyUnderWay: ['RETRYING'],
    // A retry shows as RETRYING, then as a run again; it may already have finished again, and a new
    // start time then says it was a new run.
    tookEffect: (before, after) =>
      after.status === 'RETRYING' || after.status === 'RUNNING' || Boolean(after.start_time && before.start_time && after.start_time !== before.start_time),
    verb: 'retry',
    title: 'Retry',
  },
  TERMINATE: {
    allowedFrom: ['RUNNING', 'RETRYING'],
    inProgress: 'TERMINATING',
    alreadyUnderWay: ['TERMINATING', 'TERMINATED'],
    tookEffect: (_before, after) => after.status === 'TERMINATING' || after.status === 'TERMINATED',
    verb: 'terminate',
    title: 'Terminate',
  },
};

/** Whether an instance in `status` can take `operation` (see {@link OperationRule.allowedFrom}). */
export function statusAllows(status: string, operation: Operation): boolean {
  return (OPERATIONS[operation].allowedFrom as readonly string[]).includes(status);
}

/** The operation whose command word is `verb` (`retry` → RETRY); `verb` is already lower-cased. */
export function operationNamed(verb: string): Operation | undefined {
  return OPERATION_NAMES.find((op) => OPERATIONS[op].verb === verb);
}
