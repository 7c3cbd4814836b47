import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from './dialect';
import type { WorkflowStep, WorkflowStepResult } from '../core';
import { rowToAttempt, type AttemptRow } from './rows';
import { row, rows, run, type Step } from './step';
import type { WorkflowStepClaim, WorkflowStepStore } from './types';

interface WorkflowStepRow {
  execution_id: string;
  workflow_execution_id: string | null;
  callback_id: string;
  team_id: string;
  inputs: string;
  state: string;
  token: string;
  lease_until: number | string;
  received_at: number | string;
  result: string | null;
}

function rowToStep(r: WorkflowStepRow): WorkflowStep {
  return {
    executionId: r.execution_id,
    ...(r.workflow_execution_id ? { workflowExecutionId: r.workflow_execution_id } : {}),
    callbackId: r.callback_id,
    teamId: r.team_id,
    inputs: JSON.parse(r.inputs) as Record<string, unknown>,
    state: r.state as WorkflowStep['state'],
    token: r.token,
    leaseUntil: Number(r.lease_until),
    receivedAt: Number(r.received_at),
    ...(r.result ? { result: JSON.parse(r.result) as WorkflowStepResult } : {}),
  };
}

/**
 * Workflow Builder steps by function execution ID: claimed with a fencing token under a lease (as
 * SMN messages are), their result stored before it is sent to Slack, then `done`; a step whose
 * lease ran out (its process died) is taken over by whoever claims it next.
 */
export function createWorkflowStepStore(db: SqlDatabase): WorkflowStepStore {
  return {
    claimWorkflowStep(step, now, leaseMs) {
      return db.run(claim(step, now, leaseMs));
    },

    async renewWorkflowStep(executionId, token, leaseUntil) {
      return (await db.run(run(`UPDATE workflow_steps SET lease_until = ? WHERE execution_id = ? AND token = ? AND state <> 'done'`, [leaseUntil, executionId, token]))) === 1;
    },

    async storeWorkflowStepResult(executionId, token, result) {
      const changed = await db.run(
        run(`UPDATE workflow_steps SET state = 'completing', result = ? WHERE execution_id = ? AND token = ? AND state = 'running'`, [JSON.stringify(result), executionId, token]),
      );
      return changed === 1;
    },

    async finishWorkflowStep(executionId, token, now, detail) {
      const changed = await db.run(
        run(`UPDATE workflow_steps SET state = 'done', done_at = ?, detail = ? WHERE execution_id = ? AND token = ? AND state = 'completing'`, [now, detail ?? null, executionId, token]),
      );
      return changed === 1;
    },

    async claimStaleWorkflowSteps(now, leaseMs, limit) {
      const token = randomUUID();
      // One statement, atomic on both databases (see `claimDueWatches`).
      const claimed = await db.run(
        rows<WorkflowStepRow>(
          `WITH due AS MATERIALIZED (SELECT execution_id FROM workflow_steps WHERE state <> 'done' AND lease_until <= ? ORDER BY received_at LIMIT ?${db.skipLocked})
           UPDATE workflow_steps SET token = ?, lease_until = ? WHERE execution_id IN (SELECT execution_id FROM due)
           RETURNING *`,
          [now, limit, token, now + leaseMs],
        ),
      );
      return claimed.map(rowToStep).sort((x, y) => x.receivedAt - y.receivedAt);
    },

    async attemptOfWorkflowStep(executionId) {
      const r = await db.run(
        row<AttemptRow & { resolved_at: number | string | null }>('SELECT * FROM attempts WHERE function_execution_id = ? ORDER BY created_at DESC LIMIT 1', [executionId]),
      );
      return r ? { attempt: rowToAttempt(r), resolved: r.resolved_at !== null } : undefined;
    },
  };
}

/** Inserts the step, or takes over one whose lease ran out; a redelivery of a finished or busy step is told so. */
function* claim(step: Pick<WorkflowStep, 'executionId' | 'workflowExecutionId' | 'callbackId' | 'teamId' | 'inputs'>, now: number, leaseMs: number): Step<WorkflowStepClaim> {
  const token = randomUUID();
  const claimed = yield* row<WorkflowStepRow>(
    `INSERT INTO workflow_steps (execution_id, workflow_execution_id, callback_id, team_id, inputs, state, token, lease_until, received_at) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)
     ON CONFLICT (execution_id) DO UPDATE SET token = excluded.token, lease_until = excluded.lease_until
     WHERE workflow_steps.state <> 'done' AND workflow_steps.lease_until <= excluded.received_at
     RETURNING *`,
    [step.executionId, step.workflowExecutionId ?? null, step.callbackId, step.teamId, JSON.stringify(step.inputs), token, now + leaseMs, now],
  );
  if (claimed?.token === token) return { result: 'claimed', step: rowToStep(claimed) };
  const state = (yield* row<{ state: string }>('SELECT state FROM workflow_steps WHERE execution_id = ?', [step.executionId]))?.state;
  return state === 'done' ? { result: 'done' } : { result: 'busy' };
}
