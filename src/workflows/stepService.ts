import { instanceRef, isWorkflowStepCallbackId, WORKFLOW_STEP_FUNCTIONS, type Attempt, type WorkflowStep, type WorkflowStepResult } from '../core';
import type { StepOutcome } from '../domain/stepOutcome';
import type { Logger } from '../log';
import { LOCK_TTL_MS, type OperationsService } from '../operations/service';
import type { SecMasterClient } from '../secmaster/client';
import type { Store } from '../store/types';
import { parseStepInputs } from './inputs';

/**
 * Runs a Workflow Builder step (`function_executed`, spec section 10) through the same path as a
 * command: inputs checked, then the operations service (policy with `via: workflow`, the instance
 * lock, the status check, the attempt, the call, the audit), then exactly one completion. Each step
 * is claimed by its function execution ID, so a redelivered event runs nothing more; its result is
 * stored before it is sent, so a step whose process died is still ended, once, by whoever takes it
 * over (see {@link WorkflowStepService.resumeStale}).
 */

/** Words the outcome as Slack's `functions.completeSuccess` outputs or `functions.completeError` text. */
export type StepRenderer = (outcome: StepOutcome) => WorkflowStepResult;

/** Sends the completion; `final` errors (the execution is over or unknown to Slack) are not retried. */
export interface StepCompleter {
  complete(executionId: string, result: WorkflowStepResult): Promise<{ ok: true } | { ok: false; error: string; final: boolean }>;
}

export interface StepEvent {
  executionId: string;
  workflowExecutionId?: string;
  callbackId: string;
  teamId: string;
  enterpriseId?: string;
  inputs: Record<string, unknown>;
}

export interface WorkflowStepService {
  /** Handles one delivery of `function_executed`; a redelivery of a step already handled does nothing. */
  run(event: StepEvent): Promise<void>;
  /** Ends steps whose process stopped (lease ran out); returns how many ended now. */
  resumeStale(): Promise<number>;
}

/** A step's lease, renewed every third of it while it runs; a dead process's step is taken over after it. */
export const STEP_LEASE_MS = 10_000;
/** A completion Slack keeps refusing for this long is given up (Slack times the execution out anyway). */
const GIVE_UP_AFTER_MS = 60 * 60_000;

export function createWorkflowStepService(deps: {
  store: Pick<Store, 'claimWorkflowStep' | 'renewWorkflowStep' | 'storeWorkflowStepResult' | 'finishWorkflowStep' | 'claimStaleWorkflowSteps' | 'attemptOfWorkflowStep' | 'listAudit'>;
  ops: Pick<OperationsService, 'requestOperation'>;
  secmaster: Pick<SecMasterClient, 'getInstance'>;
  render: StepRenderer;
  completer: StepCompleter;
  defaultWorkspaceId: string;
  logger: Logger;
  now?: () => number;
  leaseMs?: number;
}): WorkflowStepService {
  const now = deps.now ?? Date.now;
  const leaseMs = deps.leaseMs ?? STEP_LEASE_MS;

  /** Runs the operation the step asks for (or says why not); undefined when it must wait for the attempt recovery. */
  async function decide(step: WorkflowStep): Promise<StepOutcome | undefined> {
    const prior = await deps.store.attemptOfWorkflowStep(step.executionId);
    if (prior) return prior.resolved ? recorded(step, prior.attempt) : undefined;
    if (!isWorkflowStepCallbackId(step.callbackId)) return { kind: 'unknown_step', callbackId: step.callbackId };
    const parsed = parseStepInputs(step.inputs);
    if (!parsed.ok) return { kind: 'invalid_inputs', problems: parsed.problems };
    const { inputs } = parsed;
    const operation = WORKFLOW_STEP_FUNCTIONS[step.callbackId];
    try {
      const outcome = await deps.ops.requestOperation({
        // A step has no channel: only rules without `channels` can grant it.
        principal: { teamId: step.teamId, userId: inputs.requestedBy, channelId: '', via: 'workflow' },
        operation,
        target: { workspaceId: inputs.workspaceId ?? deps.defaultWorkspaceId, instanceId: inputs.instanceId },
        reason: inputs.reason,
        workflow: { functionExecutionId: step.executionId, ...(step.workflowExecutionId ? { workflowExecutionId: step.workflowExecutionId } : {}) },
      });
      return { kind: 'operation', operation, requestedBy: inputs.requestedBy, outcome };
    } catch (err) {
      deps.logger.error('a workflow step failed', { err, execution: step.executionId });
      // A call already sent is the attempt recovery's to settle; the step ends with what it finds.
      const sent = await deps.store.attemptOfWorkflowStep(step.executionId);
      if (sent && !sent.resolved) return undefined;
      return sent ? recorded(step, sent.attempt) : { kind: 'internal' };
    }
  }

  /** How a settled attempt ended, from its audit row, with the instance's status read now. */
  async function recorded(step: WorkflowStep, attempt: Attempt): Promise<StepOutcome> {
    const rows = await deps.store.listAudit({ functionExecutionId: step.executionId, newestFirst: true, limit: 10 });
    const audit = rows.find((r) => r.event === 'operation') ?? { event: 'operation', user: attempt.requester, outcome: 'outcome_unknown', at: new Date(now()).toISOString() };
    const status = await deps.secmaster
      .getInstance(instanceRef(attempt))
      .then((a) => a.data.status)
      .catch(() => undefined);
    return { kind: 'recorded', operation: attempt.operation, audit, ...(status ? { status } : {}) };
  }

  /** Sends the stored result; `done` once Slack has it (or says the execution is over). */
  async function complete(step: WorkflowStep, result: WorkflowStepResult): Promise<boolean> {
    const sent = await deps.completer.complete(step.executionId, result);
    if (sent.ok || sent.final || now() - step.receivedAt > GIVE_UP_AFTER_MS) {
      if (!sent.ok) deps.logger.warn('Slack refused a workflow step completion; not retried', { execution: step.executionId, error: sent.error });
      return deps.store.finishWorkflowStep(step.executionId, step.token, now(), sent.ok ? undefined : sent.error);
    }
    // Left `completing`: when the lease runs out, the next pass sends it again.
    deps.logger.warn('could not complete a workflow step; will retry', { execution: step.executionId, error: sent.error });
    return false;
  }

  /** Carries a claimed step to its end, renewing its lease meanwhile; false when it must wait. */
  async function carry(step: WorkflowStep): Promise<boolean> {
    // A claim can run out while the steps claimed before it in one pass are carried, and another
    // replica take the step over: carry it only while this claim still holds it (a fence before the call).
    if (!(await deps.store.renewWorkflowStep(step.executionId, step.token, now() + leaseMs))) return false;
    const renewal = setInterval(() => {
      deps.store.renewWorkflowStep(step.executionId, step.token, now() + leaseMs).catch(() => undefined);
    }, Math.max(1, Math.floor(leaseMs / 3)));
    renewal.unref();
    try {
      let result = step.state === 'completing' ? step.result : undefined;
      if (!result) {
        // Taken over from a process that died before its call: the instance lock it held lives on
        // until its TTL, so a step run again meanwhile waits for it rather than ending as "under way".
        const resumed = step.receivedAt + leaseMs <= now();
        const outcome = await decide(step);
        if (!outcome) return false;
        if (resumed && outcome.kind === 'operation' && outcome.outcome.code === 'in_progress' && now() - step.receivedAt < LOCK_TTL_MS + leaseMs) return false;
        result = deps.render(outcome);
        if (!(await deps.store.storeWorkflowStepResult(step.executionId, step.token, result))) return false;
        deps.logger.info('workflow step decided', { execution: step.executionId, workflow_execution: step.workflowExecutionId, result: result.kind });
      }
      return await complete(step, result);
    } finally {
      clearInterval(renewal);
    }
  }

  return {
    async run(event) {
      const claimed = await deps.store.claimWorkflowStep(
        { executionId: event.executionId, workflowExecutionId: event.workflowExecutionId, callbackId: event.callbackId, teamId: event.teamId, inputs: event.inputs },
        now(),
        leaseMs,
      );
      if (claimed.result !== 'claimed') {
        deps.logger.info('workflow step delivered again; nothing more done', { execution: event.executionId, state: claimed.result });
        return;
      }
      await carry(claimed.step);
    },

    async resumeStale() {
      const due = await deps.store.claimStaleWorkflowSteps(now(), leaseMs, 20);
      let ended = 0;
      for (const step of due) {
        try {
          if (await carry(step)) ended++;
        } catch (err) {
          deps.logger.error('could not end an interrupted workflow step', { err, execution: step.executionId });
        }
      }
      if (ended > 0) deps.logger.info('ended interrupted workflow steps', { count: ended });
      return ended;
    },
  };
}
