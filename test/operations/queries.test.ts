import { createInstanceQueries, type InstanceQueries } from '../../src/operations/queries';
import { createOperationsService } from '../../src/operations/service';
import { serverError } from '../fakes/secmaster';
import { createWorld, principal, USERS, WS, type World } from '../fakes/world';

/**
 * status, list and log through the instance-queries service: VIEW is decided by the policy before
 * SecMaster is read, a denial is audited like a denied operation (interface.md §7), and a read's
 * failure comes back in the same words an operation's does (not_found / unavailable).
 */
let w: World;
let queries: InstanceQueries;

beforeEach(() => {
  w = createWorld();
  const ops = createOperationsService({ policy: () => w.policy, groups: { isMember: async () => false }, secmaster: w.secmaster, store: w.store, audit: w.audit, operationsPerUserPerMinute: 10, defaultWorkspaceId: WS, now: w.now });
  queries = createInstanceQueries({ authorize: ops.authorize, secmaster: w.secmaster, audit: w.audit, logger: w.logger, defaultWorkspaceId: WS });
});
afterEach(() => w.close());

const target = (instanceId: string) => ({ workspaceId: WS, instanceId });

describe('status', () => {
  it('an allowed viewer gets the instance and the request ID; viewing is not audited', async () => {
    w.seed('inst-1', 'RUNNING');
    const answer = await queries.status(principal(USERS.responder), target('inst-1'));
    expect(answer).toMatchObject({ code: 'found', target: target('inst-1'), instance: { id: 'inst-1', status: 'RUNNING' }, requestId: expect.stringMatching(/^rid-/) });
    expect(await w.auditRows()).toEqual([]);
  });

  it('a viewer no rule grants is denied, audited with the instance, and SecMaster is not read', async () => {
    w.seed('inst-1', 'RUNNING');
    const answer = await queries.status(principal(USERS.outsider), target('inst-1'));
    expect(answer).toMatchObject({ code: 'denied', decision: { reason: 'not_in_role' } });
    expect(w.secmaster.calls).toEqual([]);
    const rows = await w.auditRows();
    expect(rows.map((r) => [r.event, r.operation, r.instance_id, r.workspace_id, r.user, r.outcome])).toEqual([['denied', 'VIEW', 'inst-1', WS, USERS.outsider, 'not_in_role']]);
  });

  it('a workspace no rule covers is denied as workspace_not_allowed', async () => {
    const answer = await queries.status(principal(USERS.responder), { workspaceId: 'ws-elsewhere', instanceId: 'inst-1' });
    expect(answer).toMatchObject({ code: 'denied', decision: { reason: 'workspace_not_allowed' } });
    expect(w.secmaster.calls).toEqual([]);
  });

  it('an unknown instance is not_found (with where it was looked for); a 503 is unavailable', async () => {
    expect(await queries.status(principal(USERS.responder), target('nope'))).toMatchObject({ code: 'not_found', target: target('nope'), error: { code: 'SecMaster.20030005' } });
    w.seed('inst-1', 'RUNNING');
    w.secmaster.failNext('getInstance', { error: serverError() });
    expect(await queries.status(principal(USERS.responder), target('inst-1'))).toMatchObject({ code: 'unavailable', error: { status: 503 } });
  });

  it('a bug in the client is thrown, not turned into a SecMaster answer', async () => {
    w.secmaster.failNext('getInstance', { error: new TypeError('boom') });
    await expect(queries.status(principal(USERS.responder), target('inst-1'))).rejects.toThrow(TypeError);
  });
});

describe('list', () => {
  it('a page of the default workspace, filtered by status', async () => {
    for (let i = 0; i < 5; i++) w.seed(`f-${i}`, 'FAILED');
    w.seed('r-0', 'RUNNING');
    w.seed('elsewhere', 'FAILED', 'ws-other');
    const answer = await queries.list(principal(USERS.responder), { status: 'FAILED', page: 2, pageSize: 2 });
    expect(answer).toMatchObject({ code: 'listed', workspaceId: WS, count: 5, page: 2, status: 'FAILED' });
    expect(answer.code === 'listed' && answer.instances.map((i) => i.id)).toEqual(['f-2', 'f-3']);
    expect(w.secmaster.calls[0]!.query).toEqual({ offset: 2, limit: 2, status: 'FAILED' });
  });

  it('a page past what SecMaster serves is brought back so that offset + limit stays under 10000', async () => {
    const answer = await queries.list(principal(USERS.responder), { page: 999, pageSize: 50 });
    const query = w.secmaster.calls[0]!.query!;
    expect(query.offset + query.limit).toBeLessThan(10_000);
    expect(query).toEqual({ offset: 9900, limit: 50, status: undefined });
    expect(answer).toMatchObject({ code: 'listed', page: 199 });
  });

  it('denied: audited without an instance, nothing listed', async () => {
    expect(await queries.list(principal(USERS.outsider), { page: 1, pageSize: 10 })).toMatchObject({ code: 'denied' });
    expect(w.secmaster.calls).toEqual([]);
    const [row] = await w.auditRows();
    expect(row).toMatchObject({ event: 'denied', operation: 'VIEW', workspace_id: WS, outcome: 'not_in_role' });
    expect(row!.instance_id).toBeUndefined();
  });

  it('SecMaster failing is unavailable, with its error', async () => {
    w.secmaster.failNext('listInstances', { error: serverError() });
    expect(await queries.list(principal(USERS.responder), { page: 1, pageSize: 10 })).toMatchObject({ code: 'unavailable', error: { code: 'SecMaster.00000503' } });
  });
});

describe('log', () => {
  it('the instance and its action rows (those whose parent is the instance)', async () => {
    w.seed('inst-1', 'FAILED');
    w.secmaster.auditLogs.push({ parent_instance_id: 'inst-1', action_name: 'Block IP', status: 'FAILED', error_msg: 'quota' } as never, { parent_instance_id: 'other', action_name: 'Other' } as never);
    const answer = await queries.actionLog(principal(USERS.responder), target('inst-1'));
    expect(answer.code).toBe('read');
    if (answer.code !== 'read') return;
    expect(answer.instance.id).toBe('inst-1');
    expect(answer.log.logs.map((l) => l.action_name)).toEqual(['Block IP']);
    expect(w.secmaster.calls.find((c) => c.call === 'listAuditLogs')!.filter).toEqual({ parent_instance_id: 'inst-1' });
  });

  it('no action rows: the topology is read instead', async () => {
    w.seed('inst-1', 'FAILED');
    const answer = await queries.actionLog(principal(USERS.responder), target('inst-1'));
    expect(answer).toMatchObject({ code: 'read', log: { logs: [], topology: { action_instances: [] } } });
  });

  it('denied before any read; an unknown instance is not_found', async () => {
    expect(await queries.actionLog(principal(USERS.outsider), target('inst-1'))).toMatchObject({ code: 'denied' });
    expect(w.secmaster.calls).toEqual([]);
    expect(await queries.actionLog(principal(USERS.responder), target('nope'))).toMatchObject({ code: 'not_found' });
  });
});

describe('names (the Home tab’s own requests)', () => {
  it('reads each instance once and returns the names it found; a missing or failing one is left out', async () => {
    w.secmaster.put(WS, { ...w.seed('inst-1', 'FAILED'), name: 'Nightly enrichment' });
    w.secmaster.put('ws-2', { ...w.seed('inst-2', 'RUNNING', 'ws-2'), name: 'Other workspace' });
    w.secmaster.put(WS, { ...w.seed('inst-3', 'RUNNING'), name: 'Read fails' });
    w.secmaster.failNext('getInstance', { error: serverError() });
    const names = await queries.names([target('inst-3'), target('inst-1'), { workspaceId: 'ws-2', instanceId: 'inst-2' }, target('nope')], 2_000);
    expect(Object.fromEntries(names)).toEqual({ 'inst-1': 'Nightly enrichment', 'inst-2': 'Other workspace' });
    expect(w.secmaster.calls.map((c) => [c.call, c.ref?.workspaceId, c.ref?.instanceId])).toEqual([
      ['getInstance', WS, 'inst-3'],
      ['getInstance', WS, 'inst-1'],
      ['getInstance', 'ws-2', 'inst-2'],
      ['getInstance', WS, 'nope'],
    ]);
    expect(await w.auditRows()).toEqual([]);
  });
});
