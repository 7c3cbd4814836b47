import { createApprovalRequests } from '../../src/approvals/requests';
import { createOperationsService, type OperationsService } from '../../src/operations/service';
import { serverError } from '../fakes/secmaster';
import { createWorld, principal, USERS, WS, type World } from '../fakes/world';

/**
 * The operations service on its own: a real in-memory SQLite store, the real audit trail and a fake
 * SecMaster client. What it must do comes from interface.md §4: RETRY needs FAILED or TERMINATED,
 * TERMINATE needs RUNNING or RETRYING; an operation call is never repeated after a 5xx (the bot reads
 * the instance to learn what happened); every decision is audited; a held instance is "under way".
 */
let w: World;
let ops: OperationsService;

function build(opts: { perMinute?: number } = {}) {
  return createOperationsService({
    policy: () => w.policy,
    groups: { isMember: async () => false },
    secmaster: w.secmaster,
    store: w.store,
    audit: w.audit,
    approvalRequests: createApprovalRequests({ store: w.store, audit: w.audit, now: w.now }),
    operationsPerUserPerMinute: opts.perMinute ?? 100,
    defaultWorkspaceId: WS,
    owner: 'replica-unit',
    now: w.now,
  });
}

beforeEach(() => {
  w = createWorld();
  ops = build();
});
afterEach(() => w.close());

const target = (instanceId: string) => ({ workspaceId: WS, instanceId });

describe('an allowed operation', () => {
  it('RETRY of a FAILED instance is sent once and audited as done, with an attempt row open while it is sent', async () => {
    w.seed('inst-1', 'FAILED');
    let openAtPost = -1;
    w.secmaster.onOperate = async () => {
      openAtPost = await w.store.countOpenAttempts();
    };
    const outcome = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'RETRY', target: target('inst-1') });
    expect(outcome).toMatchObject({ code: 'done', operation: 'RETRY', instance: { id: 'inst-1', status: 'RETRYING' } });
    expect(w.secmaster.count('operateInstance')).toBe(1);
    expect(openAtPost).toBe(1);
    expect(await w.store.countOpenAttempts()).toBe(0);
    const rows = await w.auditRows();
    expect(rows.map((r) => [r.event, r.operation, r.instance_id, r.user, r.outcome])).toEqual([['operation', 'RETRY', 'inst-1', USERS.responder, 'done']]);
    expect(rows[0]!.request_id).toMatch(/^rid-/);
  });

  it.each([
    ['RETRY', 'RUNNING'],
    ['RETRY', 'FINISHED'],
    ['TERMINATE', 'FAILED'],
    ['TERMINATE', 'TERMINATED'],
  ] as const)('%s of a %s instance is refused with the status and nothing is sent', async (operation, status) => {
    w.seed('inst-1', status);
    const outcome = await ops.requestOperation({ principal: principal(USERS.lead), operation, target: target('inst-1') });
    expect(outcome).toMatchObject({ code: 'invalid_status', instance: { status } });
    expect(w.secmaster.count('operateInstance')).toBe(0);
    expect((await w.auditRows()).map((r) => r.outcome)).toEqual(['invalid_status']);
  });

  it('TERMINATE of a RETRYING instance by a lead runs at once', async () => {
    w.seed('inst-1', 'RETRYING');
    const outcome = await ops.requestOperation({ principal: principal(USERS.lead), operation: 'TERMINATE', target: target('inst-1') });
    expect(outcome).toMatchObject({ code: 'done', instance: { status: 'TERMINATING' } });
  });

  it('an unknown instance is not_found, and nothing is sent', async () => {
    const outcome = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'RETRY', target: target('nope') });
    expect(outcome).toMatchObject({ code: 'not_found', target: target('nope') });
    expect(w.secmaster.count('operateInstance')).toBe(0);
  });
});

describe('no clear answer to the POST', () => {
  it('a 5xx after the operation took effect: done_unconfirmed, the POST not repeated', async () => {
    w.seed('inst-1', 'FAILED');
    w.secmaster.failNext('operateInstance', { error: serverError(), applied: true });
    const outcome = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'RETRY', target: target('inst-1') });
    expect(outcome).toMatchObject({ code: 'done_unconfirmed', instance: { status: 'RETRYING' } });
    expect(w.secmaster.count('operateInstance')).toBe(1);
    expect((await w.auditRows()).map((r) => r.outcome)).toEqual(['done_unconfirmed']);
  });

  it('a 5xx and the instance unchanged: not_applied, the POST not repeated', async () => {
    w.seed('inst-1', 'FAILED');
    w.secmaster.failNext('operateInstance', { error: serverError() });
    const outcome = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'RETRY', target: target('inst-1') });
    expect(outcome).toMatchObject({ code: 'not_applied', instance: { status: 'FAILED' } });
    expect(w.secmaster.count('operateInstance')).toBe(1);
  });
});

describe('refusals before anything is read', () => {
  it('a person no rule grants is denied and audited, and SecMaster is not called at all', async () => {
    w.seed('inst-1', 'FAILED');
    const outcome = await ops.requestOperation({ principal: principal(USERS.outsider), operation: 'RETRY', target: target('inst-1') });
    expect(outcome).toMatchObject({ code: 'denied', decision: { effect: 'deny', reason: 'not_in_role' } });
    expect(w.secmaster.calls).toEqual([]);
    expect((await w.auditRows()).map((r) => [r.event, r.outcome, r.user])).toEqual([['denied', 'not_in_role', USERS.outsider]]);
  });

  it('a request from another Slack team is denied as foreign_team', async () => {
    w.seed('inst-1', 'FAILED');
    const outcome = await ops.requestOperation({ principal: { ...principal(USERS.responder), teamId: 'T0OTHER' }, operation: 'RETRY', target: target('inst-1') });
    expect(outcome).toMatchObject({ code: 'denied', decision: { reason: 'foreign_team' } });
    expect(w.secmaster.calls).toEqual([]);
  });

  it('an instance whose lock another request holds is in_progress, naming the holder', async () => {
    w.seed('inst-1', 'FAILED');
    const held = await w.store.acquireLock(target('inst-1'), { userId: USERS.lead, operation: 'RETRY', acquiredAt: w.now() }, 60_000);
    expect(held.acquired).toBe(true);
    const outcome = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'RETRY', target: target('inst-1') });
    expect(outcome).toMatchObject({ code: 'in_progress', holder: { userId: USERS.lead, operation: 'RETRY' } });
    expect(w.secmaster.calls).toEqual([]);
  });

  it('the per-person limit: past OPERATIONS_PER_USER_PER_MINUTE a request is rate_limited', async () => {
    ops = build({ perMinute: 1 });
    w.seed('inst-1', 'FAILED');
    w.seed('inst-2', 'FAILED');
    expect((await ops.requestOperation({ principal: principal(USERS.responder), operation: 'RETRY', target: target('inst-1') })).code).toBe('done');
    const second = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'RETRY', target: target('inst-2') });
    expect(second).toMatchObject({ code: 'rate_limited', limit: 1 });
    expect(w.secmaster.count('operateInstance')).toBe(1);
  });
});

describe('a request that needs approval', () => {
  it('is recorded (pending, audited as asked) and returned; nothing is sent and no card is posted here', async () => {
    w.seed('inst-1', 'RUNNING');
    const outcome = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'TERMINATE', target: target('inst-1'), reason: 'stuck' });
    expect(outcome.code).toBe('approval_requested');
    if (outcome.code !== 'approval_requested') return;
    expect(outcome.approval).toMatchObject({ state: 'pending', requester: USERS.responder, operation: 'TERMINATE', instanceId: 'inst-1', reason: 'stuck', count: 1, approverRoles: ['lead'] });
    expect(outcome.approval.messageTs).toBeUndefined();
    expect(await w.store.getApproval(outcome.approval.id)).toMatchObject({ state: 'pending' });
    expect(outcome.approval.expiresAt - outcome.approval.createdAt).toBe(30 * 60_000);
    expect(w.secmaster.count('operateInstance')).toBe(0);
    expect((await w.auditRows()).map((r) => [r.event, r.outcome])).toEqual([['approval_asked', 'pending']]);
  });

  it('the same request again finds the first pending: approval_pending, no second approval', async () => {
    w.seed('inst-1', 'RUNNING');
    const first = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'TERMINATE', target: target('inst-1') });
    const again = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'TERMINATE', target: target('inst-1') });
    expect(first.code).toBe('approval_requested');
    expect(again).toMatchObject({ code: 'approval_pending', approval: { id: (first as { approval: { id: string } }).approval.id } });
    expect(await w.store.countApprovals('pending')).toBe(1);
  });

  it('an instance that cannot take the operation is refused before any approval is recorded', async () => {
    w.seed('inst-1', 'FINISHED');
    const outcome = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'TERMINATE', target: target('inst-1') });
    expect(outcome.code).toBe('invalid_status');
    expect(await w.store.countApprovals('pending')).toBe(0);
  });
});

describe('bugs stay bugs', () => {
  it('an exception from the client is thrown on unchanged, and the instance lock is released', async () => {
    w.seed('inst-1', 'FAILED');
    w.secmaster.failNext('getInstance', { error: new TypeError('boom') });
    await expect(ops.requestOperation({ principal: principal(USERS.responder), operation: 'RETRY', target: target('inst-1') })).rejects.toThrow(TypeError);
    const after = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'RETRY', target: target('inst-1') });
    expect(after.code).toBe('done');
  });
});
