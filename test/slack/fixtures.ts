/** Normal, hostile and huge data for the renderer tests (pure values, no I/O). */
import type { Approval, AuditRecord, CardContext, Instance, InstanceRef } from '../../src/core';
import { SecMasterError } from '../../src/secmaster/errors';
import { instanceSchema } from '../../src/secmaster/schemas';
import { HOSTILE_ERROR, HOSTILE_NAME, HUGE_NAME, blockKitProblems, injectionProblems, type Surface } from './blockKitLimits';

export const DEFAULT_WS = 'ws-default';
export const REQUESTER = 'U0RESP';
export const REQUESTER_MENTION = '<@U0RESP>';
export const T0 = Date.parse('2025-03-04T05:06:07.000Z');

const NORMAL_INSTANCE = {
  id: 'inst-0001',
  name: 'Block malicious IP 203.0.113.7',
  project_id: 'proj-1',
  playbook: { id: 'pb-1', version_id: 'pbv-3', name: 'Isolate host', version: 'v3' },
  dataobject: { id: 'do-1', name: 'Alert 42: brute force' },
  status: 'FAILED',
  trigger_type: 'EVENT',
  start_time: '2025-03-04T05:06:07.000Z',
  end_time: '2025-03-04T05:16:07.000Z',
};

/** An instance as the SecMaster client returns it (parsed by its schema), with `over` on top. */
export function instance(over: Partial<Instance> = {}): Instance {
  return {
    ...instanceSchema.parse(NORMAL_INSTANCE),
    ...over,
  };
}

/** Every outside string of an instance set to hostile text. */
export function hostileInstance(over: Partial<Instance> = {}): Instance {
  return instance({
    name: HOSTILE_NAME,
    playbook: { id: HOSTILE_NAME, version_id: HOSTILE_NAME, name: HOSTILE_NAME, version: '<!channel> v9 & co' },
    dataobject: { id: HOSTILE_NAME, name: HOSTILE_NAME },
    trigger_type: '<!here>',
    start_time: '<https://evil.example|yesterday>',
    end_time: '<@U123>',
    ...over,
  });
}

/** Every outside string of an instance 10 000 characters long. */
export function hugeInstance(over: Partial<Instance> = {}): Instance {
  return instance({
    name: HUGE_NAME,
    playbook: { id: 'pb', version_id: 'v', name: HUGE_NAME, version: HUGE_NAME },
    dataobject: { id: 'do', name: HUGE_NAME },
    trigger_type: HUGE_NAME,
    start_time: HUGE_NAME,
    end_time: HUGE_NAME,
    ...over,
  });
}

/** The buttons each instance status allows (interface.md §4): one table for the renderer and the card. */
export const BUTTONS_BY_STATUS: Array<[string, string[]]> = [
  ['FAILED', ['playbook_retry', 'playbook_explain']],
  ['TERMINATED', ['playbook_retry']],
  ['RUNNING', ['playbook_terminate']],
  ['RETRYING', ['playbook_terminate']],
  ['TERMINATING', []],
  ['FINISHED', []],
];

export const target = (instanceId = 'inst-0001', workspaceId = DEFAULT_WS): InstanceRef => ({ workspaceId, instanceId });

export function card(over: Partial<CardContext> = {}): CardContext {
  return { kind: 'status', requester: REQUESTER, operation: 'RETRY', reason: 'flaky step, see INC-42', approvers: ['U0LEAD'], requestId: 'req-abc-123', ...over };
}

export function approval(over: Partial<Approval> = {}): Approval {
  return {
    id: 'apr_7f3a9c',
    teamId: 'T0123ABCD',
    workspaceId: DEFAULT_WS,
    instanceId: 'inst-0001',
    instanceName: 'Block malicious IP 203.0.113.7',
    instanceStatus: 'RUNNING',
    operation: 'TERMINATE',
    requester: REQUESTER,
    channel: 'C0INCIDENT',
    reason: 'runaway loop',
    rule: 'rules[4]',
    approverRoles: ['lead'],
    count: 2,
    createdAt: T0,
    expiresAt: T0 + 30 * 60_000,
    state: 'pending',
    votes: [],
    ...over,
  };
}

export function secMasterError(over: Partial<ConstructorParameters<typeof SecMasterError>[0]> = {}): SecMasterError {
  return new SecMasterError({
    kind: 'http',
    call: 'POST /v1/p/workspaces/w/soc/playbooks/instances/inst-0001/operation',
    status: 400,
    code: 'SecMaster.20048001',
    message: 'The playbook instance cannot be retried in its current status.',
    requestId: 'req-err-9',
    ...over,
  });
}

export const hostileError = () => secMasterError({ message: HOSTILE_ERROR, code: '<!channel>', requestId: '<@U123>' });
export const hugeError = () => secMasterError({ message: HUGE_NAME, code: HUGE_NAME, requestId: HUGE_NAME });

export function auditRecord(over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    event: 'operation',
    operation: 'RETRY',
    instance_id: 'inst-0001',
    workspace_id: DEFAULT_WS,
    user: REQUESTER,
    channel: 'C0INCIDENT',
    outcome: 'done',
    request_id: 'req-1',
    at: '2025-03-04T05:06:07.000Z',
    ...over,
  };
}

/** Within Slack's limits and free of injected mentions or links: what every rendering must be. */
export function expectSafe(rendered: unknown, surface: Surface = 'message'): void {
  expect({ limits: blockKitProblems(rendered, surface), injection: injectionProblems(rendered) }).toEqual({ limits: [], injection: [] });
}

/** The JSON Slack receives, to search in. */
export const json = (rendered: unknown) => JSON.stringify(rendered);
