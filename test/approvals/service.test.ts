import { createApprovalRequests } from '../../src/approvals/requests';
import { createApprovalService, type ApprovalService } from '../../src/approvals/service';
import type { Approval } from '../../src/core';
import { createOperationsService } from '../../src/operations/service';
import { parsePolicy } from '../../src/policy/load';
import { createWorld, principal, POLICY_TEXT, TEAM, USERS, WS, type World } from '../fakes/world';

/**
 * The two-person rule (interface.md §4 "Approvals") on its own: the requester can never approve
 * their own request, an approver the policy does not name is refused, the count reached runs the
 * operation once, a rejection or the expiry closes it. Real in-memory SQLite store, fake SecMaster.
 */
let w: World;
let approvals: ApprovalService;

beforeEach(() => {
  w = createWorld();
  const approvalRequests = createApprovalRequests({ store: w.store, audit: w.audit, now: w.now });
  const ops = createOperationsService({ policy: () => w.policy, groups: { isMember: async () => false }, secmaster: w.secmaster, store: w.store, audit: w.audit, approvalRequests, operationsPerUserPerMinute: 100, defaultWorkspaceId: WS, now: w.now });
  approvals = createApprovalService({ store: w.store, audit: w.audit, policy: () => w.policy, groups: { isMember: async () => false }, ops, defaultWorkspaceId: WS, now: w.now });
  requestApproval = async (instanceId = 'inst-1') => {
    const outcome = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'TERMINATE', target: { workspaceId: WS, instanceId } });
    if (outcome.code !== 'approval_requested') throw new Error(`expected approval_requested, got ${outcome.code}`);
    return outcome.approval;
  };
  w.seed('inst-1', 'RUNNING');
});
afterEach(() => w.close());

let requestApproval: (instanceId?: string) => Promise<Approval>;
const lead = { teamId: TEAM, userId: USERS.lead };

it('the requester approving their own request is refused and audited as self_approval', async () => {
  const a = await requestApproval();
  expect(await approvals.decide(a.id, { teamId: TEAM, userId: USERS.responder }, 'approve')).toMatchObject({ kind: 'self' });
  expect((await w.store.getApproval(a.id))!.state).toBe('pending');
  expect((await w.auditRows()).map((r) => [r.event, r.outcome])).toContainEqual(['denied', 'self_approval']);
});

it('someone who holds no approver role is refused as not_approver', async () => {
  const a = await requestApproval();
  expect(await approvals.decide(a.id, { teamId: TEAM, userId: USERS.outsider }, 'approve')).toMatchObject({ kind: 'not_approver' });
  expect(await approvals.mayDecide(a, { teamId: TEAM, userId: USERS.outsider })).toBe(false);
  expect(await approvals.mayDecide(a, lead)).toBe(true);
  expect(w.secmaster.count('operateInstance')).toBe(0);
});

it('a lead from another Slack team may not decide', async () => {
  const a = await requestApproval();
  expect(await approvals.decide(a.id, { teamId: 'T0OTHER', userId: USERS.lead }, 'approve')).toMatchObject({ kind: 'not_approver' });
});

it('the count reached runs the operation once; the approval is executed and a second click finds it closed', async () => {
  const a = await requestApproval();
  const result = await approvals.decide(a.id, lead, 'approve');
  expect(result).toMatchObject({ kind: 'executed', approval: { state: 'executed' }, outcome: { code: 'done', instance: { status: 'TERMINATING' } } });
  expect(w.secmaster.count('operateInstance')).toBe(1);
  expect(await approvals.decide(a.id, { teamId: TEAM, userId: USERS.lead2 }, 'approve')).toMatchObject({ kind: 'closed' });
  expect(w.secmaster.count('operateInstance')).toBe(1);
  const events = (await w.auditRows()).map((r) => [r.event, r.outcome]);
  expect(events).toEqual(expect.arrayContaining([['approval_asked', 'pending'], ['approved', 'approved'], ['executed', 'done']]));
});

it('a rejection closes it and nothing runs', async () => {
  const a = await requestApproval();
  expect(await approvals.decide(a.id, lead, 'reject')).toMatchObject({ kind: 'rejected', approval: { state: 'rejected', decidedBy: USERS.lead } });
  expect(await approvals.decide(a.id, { teamId: TEAM, userId: USERS.lead2 }, 'approve')).toMatchObject({ kind: 'closed' });
  expect(w.secmaster.count('operateInstance')).toBe(0);
});

it('the instance moved on before the approval came: void with its status, nothing sent', async () => {
  const a = await requestApproval();
  w.seed('inst-1', 'FINISHED');
  expect(await approvals.decide(a.id, lead, 'approve')).toMatchObject({ kind: 'void', why: { kind: 'status', status: 'FINISHED' }, approval: { state: 'void' } });
  expect(w.secmaster.count('operateInstance')).toBe(0);
  expect((await w.auditRows()).map((r) => [r.event, r.outcome])).toContainEqual(['void', 'FINISHED']);
});

it('the policy in force no longer grants the requester: void as revoked', async () => {
  const a = await requestApproval();
  w.policy = parsePolicy(POLICY_TEXT.replace(`    users: [${USERS.responder}]`, '    users: [U0SOMEONE]'));
  expect(await approvals.decide(a.id, lead, 'approve')).toMatchObject({ kind: 'void', why: { kind: 'revoked' } });
  expect(w.secmaster.count('operateInstance')).toBe(0);
});

it('expiry: a click after expires_after finds it expired; expireDue closes each due approval once', async () => {
  const a = await requestApproval();
  w.seed('inst-2', 'RUNNING');
  const b = await requestApproval('inst-2');
  expect(await w.store.nextApprovalExpiry()).toBe(a.expiresAt);
  w.clock.now = a.expiresAt + 1;
  expect(await approvals.decide(a.id, lead, 'approve')).toMatchObject({ kind: 'expired', justExpired: true });
  expect((await approvals.expireDue()).map((x) => x.id)).toEqual([b.id]);
  expect(await approvals.expireDue()).toEqual([]);
  expect(w.secmaster.count('operateInstance')).toBe(0);
  expect((await w.auditRows()).filter((r) => r.event === 'expired').map((r) => r.approval_id).sort()).toEqual([a.id, b.id].sort());
});

it('an unknown approval ID is not_found', async () => {
  expect(await approvals.decide('apr_doesnotexist0', lead, 'approve')).toEqual({ kind: 'not_found' });
});

it('abandon: an approval whose card could not be posted is void, audited as card_not_posted', async () => {
  const a = await requestApproval();
  await approvals.abandon(a, 'the approval card could not be posted (not_in_channel)');
  expect((await w.store.getApproval(a.id))!.state).toBe('void');
  expect((await w.auditRows()).map((r) => [r.event, r.outcome])).toContainEqual(['void', 'card_not_posted']);
});
