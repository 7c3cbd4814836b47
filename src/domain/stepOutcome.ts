import type { AuditRecord, Operation } from '../core';
import type { OperationOutcome } from './outcome';

/** What became of a Workflow Builder step, before it is worded for Slack (`slack/blocks/workflowStepResult.ts`). */
export type StepOutcome =
  | { kind: 'operation'; operation: Operation; requestedBy: string; outcome: OperationOutcome }
  | { kind: 'invalid_inputs'; problems: string[] }
  | { kind: 'unknown_step'; callbackId: string }
  /** The bot failed on its own side before anything was sent. */
  | { kind: 'internal' }
  /**
   * The step's process stopped after its operation was settled (by it, or by the attempt recovery
   * after a crash during the call): the audit row says how it ended; `status` is a fresh read.
   */
  | { kind: 'recorded'; operation: Operation; audit: AuditRecord; status?: string };
