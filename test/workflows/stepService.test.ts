import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Attempt, WorkflowStepResult } from '../../src/core';
import type { OperationOutcome } from '../../src/domain/outcome';
import { createLineCollector, createLogger } from '../../src/log';
import type { OperationRequest } from '../../src/operations/service';
import { renderStepResult } from '../../src/slack/blocks/workflowStepResult';
import { openSqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { createWorkflowStepService, type StepCompleter, type StepEvent } from '../../src/workflows/stepService';

/**
 * The workflow step service over a real (SQLite) store with a fake operations service, SecMaster and
 * Slack completer: each step ends exactly once, whatever is redelivered, refused or interrupted.
 */
const LEASE = 10_000;
let dir: string;
let store: Store;
let clock: number;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'step-service-'));
  store = openSqliteStore(path.join(dir, 'steps.sqlite'));
  clock = 1_700_000_000_000;
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const event = (over: Partial<StepEvent> = {}): StepEvent => ({
  executionId: 'Fx-1',
  workflowExecutionId: 'Wx-1',
  callbackId: 'retry_playbook_instance',
  teamId: 'T0TEAM',
  inputs: { instance_id: 'inst-1', requested_by: 'U0AAA', reason: '' },
  ...over,
});

const done: OperationOutcome = { code: 'done', operation: 'RETRY', instance: { id: 'inst-1', status: 'RETRYING' }, requestId: 'req-1' };

function build(opts: { outcome?: (req: OperationRequest) => Promise<OperationOutcome>; complete?: StepCompleter['complete']; status?: string } = {}) {
  const requests: OperationRequest[] = [];
  const completions: Array<{ id: string; result: WorkflowStepResult }> = [];
  const service = createWorkflowStepService({
    store,
    ops: {
      requestOperation: async (req) => {
        requests.push(req);
        return (opts.outcome ?? (async () => done))(req);
      },
    },
    secmaster: { getInstance: async () => ({ data: { id: 'inst-1', status: opts.status ?? 'RUNNING' }, requestId: 'read-1' }) },
    render: renderStepResult,
    completer: {
      complete: async (id, result) => {
        completions.push({ id, result });
        return opts.complete ? opts.complete(id, result) : { ok: true };
      },
    },
    defaultWorkspaceId: 'ws-default',
    logger: createLogger({ level: 'error', secrets: [], stream: createLineCollector().stream }),
    now: () => clock,
    leaseMs: LEASE,
  });
  return { service, requests, completions };
}

test('a step runs as a workflow request from requested_by, with no channel, in the default workspace, and ends once', async () => {
  const { service, requests, completions } = build();
  await service.run(event());
  expect(requests).toEqual([
    {
      principal: { teamId: 'T0TEAM', userId: 'U0AAA', channelId: '', via: 'workflow' },
      operation: 'RETRY',
      target: { workspaceId: 'ws-default', instanceId: 'inst-1' },
      reason: undefined,
      workflow: { functionExecutionId: 'Fx-1', workflowExecutionId: 'Wx-1' },
    },
  ]);
  expect(completions).toEqual([{ id: 'Fx-1', result: { kind: 'success', outputs: { status: 'RETRYING', request_id: 'req-1' } } }]);
  // Redelivered, now or much later: nothing more.
  await service.run(event());
  clock += 100 * LEASE;
  await service.run(event());
  expect(await service.resumeStale()).toBe(0);
  expect(requests).toHaveLength(1);
  expect(completions).toHaveLength(1);
});

test('bad inputs end the step with every problem named, and ask nothing of the operations service', async () => {
  const { service, requests, completions } = build();
  await service.run(event({ inputs: { instance_id: '../etc', requested_by: 'bob', workspace_id: 'a b' } }));
  expect(requests).toEqual([]);
  expect(completions[0]!.result).toEqual({
    kind: 'error',
    error:
      "The step's inputs are not valid (instance_id: must be a playbook instance ID: 1–64 letters, digits, - and _; requested_by: must be a Slack user ID like \"U0AAA\"; workspace_id: must be a SecMaster workspace ID (1–64 letters, digits, - and _)). Nothing was sent to SecMaster. Fix the step's inputs in Workflow Builder.",
  });
});

test('a UUID instance ID is lower-cased and a workspace input is used as given', async () => {
  const { service, requests } = build();
  await service.run(event({ inputs: { instance_id: ' 0A1B2C3D-0000-4000-8000-00000000ABCD ', requested_by: 'U0AAA', workspace_id: 'ws-eu' } }));
  expect(requests[0]!.target).toEqual({ workspaceId: 'ws-eu', instanceId: '0a1b2c3d-0000-4000-8000-00000000abcd' });
});

test('Slack refuses the completion (transient): the stored result is sent again after the lease, the operation is not run again', async () => {
  let refuse = true;
  const { service, requests, completions } = build({ complete: async () => (refuse ? { ok: false, error: 'internal_error', final: false } : { ok: true }) });
  await service.run(event());
  expect(completions).toHaveLength(1);
  expect(await service.resumeStale()).toBe(0); // its lease has not run out
  refuse = false;
  clock += LEASE;
  expect(await service.resumeStale()).toBe(1);
  expect(completions.map((c) => c.result)).toEqual([completions[0]!.result, completions[0]!.result]);
  expect(requests).toHaveLength(1);
  clock += LEASE;
  expect(await service.resumeStale()).toBe(0);
});

test('a final refusal (the execution is over) ends the step: never sent again', async () => {
  const { service, completions } = build({ complete: async () => ({ ok: false, error: 'execution_not_in_running_state', final: true }) });
  await service.run(event());
  clock += 10 * LEASE;
  expect(await service.resumeStale()).toBe(0);
  expect(completions).toHaveLength(1);
});

test('taken over after a crash during the call: waits while the attempt is open, then ends with what its audit row says and a fresh status', async () => {
  // The first process claimed the step and opened the attempt, then died.
  const claimed = await store.claimWorkflowStep({ executionId: 'Fx-1', workflowExecutionId: 'Wx-1', callbackId: 'retry_playbook_instance', teamId: 'T0TEAM', inputs: { instance_id: 'inst-1', requested_by: 'U0AAA' } }, clock, LEASE);
  expect(claimed.result).toBe('claimed');
  const key = { workspaceId: 'ws-default', instanceId: 'inst-1' };
  const lock = await store.acquireLock(key, { userId: 'U0AAA', operation: 'RETRY', acquiredAt: clock }, 60_000);
  if (!lock.acquired) throw new Error('lock');
  const attempt: Attempt = { id: 'att-1', ...key, operation: 'RETRY', requester: 'U0AAA', actor: 'U0AAA', via: 'workflow', workflow: { functionExecutionId: 'Fx-1', workflowExecutionId: 'Wx-1' }, before: { status: 'FAILED' }, lockToken: lock.token, owner: 'dead', leaseUntil: clock + LEASE, createdAt: clock };
  await store.beginAttempt(attempt, { now: clock, lockTtlMs: 60_000 });

  const { service, requests, completions } = build({ status: 'RETRYING' });
  clock += LEASE;
  expect(await service.resumeStale()).toBe(0);
  expect(completions).toEqual([]);
  // The attempt recovery resolves it: the retry took effect, its answer was lost.
  await store.resolveAttempt('att-1', { owner: 'dead', audit: { event: 'operation', operation: 'RETRY', instance_id: 'inst-1', workspace_id: 'ws-default', user: 'U0AAA', outcome: 'done_unconfirmed', at: new Date(clock).toISOString(), via: 'workflow', function_execution_id: 'Fx-1' } });
  clock += LEASE;
  expect(await service.resumeStale()).toBe(1);
  expect(completions).toEqual([{ id: 'Fx-1', result: { kind: 'success', outputs: { status: 'RETRYING', request_id: '' } } }]);
  expect(requests).toEqual([]);
});

test('taken over after a crash before any call: run again; a dead process’s lock makes it wait, not fail', async () => {
  await store.claimWorkflowStep({ executionId: 'Fx-1', callbackId: 'retry_playbook_instance', teamId: 'T0TEAM', inputs: { instance_id: 'inst-1', requested_by: 'U0AAA' } }, clock, LEASE);
  let held = true;
  const { service, requests, completions } = build({ outcome: async () => (held ? { code: 'in_progress', operation: 'RETRY', holder: { userId: 'U0AAA', operation: 'RETRY', acquiredAt: clock } } : done) });
  clock += LEASE;
  expect(await service.resumeStale()).toBe(0);
  expect(completions).toEqual([]);
  held = false;
  clock += LEASE;
  expect(await service.resumeStale()).toBe(1);
  expect(requests).toHaveLength(2);
  expect(completions.map((c) => c.result.kind)).toEqual(['success']);
});

test('an unknown callback ID ends with an error naming it', async () => {
  const { service, completions } = build();
  await service.run(event({ callbackId: 'delete_everything' }));
  expect(completions[0]!.result).toEqual({ kind: 'error', error: expect.stringContaining('This app has no step "delete_everything"') });
});

test('a step another replica took over while this pass carried an earlier one is not run here (its claim is checked before the call)', async () => {
  for (const executionId of ['Fx-1', 'Fx-2']) await store.claimWorkflowStep({ executionId, callbackId: 'retry_playbook_instance', teamId: 'T0TEAM', inputs: { instance_id: 'inst-1', requested_by: 'U0AAA' } }, clock, LEASE);
  clock += LEASE;
  let takenOver: string[] = [];
  const { service, requests } = build({
    outcome: async () => {
      // The first step's call is slow: meanwhile every claim of this pass runs out and another replica claims them.
      clock += 2 * LEASE;
      takenOver = (await store.claimStaleWorkflowSteps(clock, LEASE, 20)).map((s) => s.executionId);
      return done;
    },
  });
  await service.resumeStale();
  expect(takenOver).toEqual(['Fx-1', 'Fx-2']);
  expect(requests).toHaveLength(1);
});
