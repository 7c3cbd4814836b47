import type { Operation } from './operation';

/**
 * The custom steps the app offers to Slack's Workflow Builder (spec section 10): one per operation,
 * with the same inputs and outputs. `manifest.yml` declares them under `functions:`;
 * test/manifest.test.ts checks the two agree.
 */
export const WORKFLOW_STEP_FUNCTIONS = {
  retry_playbook_instance: 'RETRY',
  terminate_playbook_instance: 'TERMINATE',
} as const satisfies Record<string, Operation>;
export type WorkflowStepCallbackId = keyof typeof WORKFLOW_STEP_FUNCTIONS;

export const WORKFLOW_STEP_INPUTS = ['instance_id', 'requested_by', 'reason', 'workspace_id'] as const;
export const WORKFLOW_STEP_REQUIRED_INPUTS = ['instance_id', 'requested_by'] as const;
export const WORKFLOW_STEP_OUTPUTS = ['status', 'request_id'] as const;

export function isWorkflowStepCallbackId(s: string): s is WorkflowStepCallbackId {
  return Object.hasOwn(WORKFLOW_STEP_FUNCTIONS, s);
}

/** How a step ends: `functions.completeSuccess` with the outputs, or `functions.completeError` with words a person can act on. */
export type WorkflowStepResult =
  | { kind: 'success'; outputs: Record<(typeof WORKFLOW_STEP_OUTPUTS)[number], string> }
  | { kind: 'error'; error: string };

/**
 * One `function_executed` the bot received, by its function execution ID (Slack may deliver it more
 * than once): `running` while a replica works on it (fenced by `token`, under a lease renewed as it
 * works), `completing` once its result is stored and being sent to Slack, `done` once Slack has it.
 * A stale `running` or `completing` step (its process died) is taken over and still ends, once.
 */
export interface WorkflowStep {
  executionId: string;
  workflowExecutionId?: string;
  callbackId: string;
  teamId: string;
  /** The inputs as Slack sent them (JSON), to run the step again after a crash before anything was sent. */
  inputs: Record<string, unknown>;
  state: 'running' | 'completing' | 'done';
  token: string;
  leaseUntil: number;
  receivedAt: number;
  result?: WorkflowStepResult;
}

/** The step's callback ID that runs `operation`. */
export function workflowStepFor(operation: Operation): WorkflowStepCallbackId {
  return (Object.keys(WORKFLOW_STEP_FUNCTIONS) as WorkflowStepCallbackId[]).find((id) => WORKFLOW_STEP_FUNCTIONS[id] === operation)!;
}
