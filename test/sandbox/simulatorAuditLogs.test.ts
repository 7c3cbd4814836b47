import { startSimulator, type Simulator } from '../../src/sandbox/simulator';

/**
 * The simulator's ListPlaybookAuditLogs follows Huawei's documents, not the bot: the API page
 * (https://support.huaweicloud.com/intl/en-us/api-secmaster/ListPlaybookAuditLogs.html: offset and
 * limit mandatory, limit 10–50, sort_dir asc|desc, body fields optional strings) and the SDK model
 * (list_playbook_audit_logs_request.py: offset + limit < 10000, sort_key start_time|end_time;
 * audit_log_info.py: the body is an AuditLogInfo whose fields filter the rows of the same name).
 */
const PROJECT = 'proj-sim';
const WS = 'ws-sim';
const TOKEN = 'sim-static-token-0123456789';
let sim: Simulator;
let failedId: string;
let otherId: string;

beforeAll(async () => {
  sim = await startSimulator({ projectId: PROJECT, credentials: { staticTokens: [TOKEN] }, timing: { stepMs: 60_000, runningMs: 0 } });
  failedId = sim.state.add(WS, { status: 'FAILED', failure_reason: 'WAF quota exceeded' }).id;
  otherId = sim.state.add(WS, { status: 'FINISHED' }).id;
});

afterAll(async () => {
  await sim.close();
});

async function auditLogs(query: string, body?: unknown): Promise<{ status: number; json: { count?: number; audit_logs?: Array<Record<string, unknown>>; code?: string } }> {
  const res = await fetch(`${sim.url}/v1/${PROJECT}/workspaces/${WS}/soc/playbooks/instances/auditlogs${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=UTF-8', 'x-auth-token': TOKEN },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as never };
}

describe('ListPlaybookAuditLogs in the simulator', () => {
  it('filters by parent_instance_id exactly: the instance\'s action rows, none of its own', async () => {
    const { status, json } = await auditLogs('?offset=0&limit=50', { parent_instance_id: failedId });
    expect(status).toBe(200);
    expect(json.audit_logs!.length).toBeGreaterThan(0);
    expect(json.audit_logs!.every((r) => r.parent_instance_id === failedId && r.instance_type === 'AOP_WORKFLOW')).toBe(true);
    expect(json.count).toBe(json.audit_logs!.length);
  });

  it('filters by instance_id exactly: only the row of that instance itself', async () => {
    const { json } = await auditLogs('?offset=0&limit=50', { instance_id: failedId });
    expect(json.audit_logs).toHaveLength(1);
    expect(json.audit_logs![0]).toMatchObject({ instance_id: failedId, instance_type: 'PLAYBOOK', parent_instance_id: '' });
  });

  it('combines filters (every given field must match) and matches no prefix', async () => {
    const failedSteps = await auditLogs('?offset=0&limit=50', { parent_instance_id: failedId, status: 'FAILED' });
    expect(failedSteps.json.audit_logs!.map((r) => r.error_msg)).toEqual(['WAF quota exceeded']);
    const prefix = await auditLogs('?offset=0&limit=50', { instance_id: failedId.slice(0, 8) });
    expect(prefix.json).toMatchObject({ count: 0, audit_logs: [] });
  });

  it('with no body, lists every row of the workspace', async () => {
    const { json } = await auditLogs('?offset=0&limit=50');
    const instances = new Set(json.audit_logs!.map((r) => (r.parent_instance_id as string) || (r.instance_id as string)));
    expect(instances).toEqual(new Set([failedId, otherId]));
  });

  it.each([
    ['no offset', '?limit=50'],
    ['no limit', '?offset=0'],
    ['limit 9 (below 10)', '?offset=0&limit=9'],
    ['limit 51 (above 50)', '?offset=0&limit=51'],
    ['limit 100', '?offset=0&limit=100'],
    ['a negative offset', '?offset=-1&limit=10'],
    ['offset + limit reaching 10000', '?offset=9950&limit=50'],
    ['a limit that is no number', '?offset=0&limit=ten'],
    ['an unknown sort_key', '?offset=0&limit=10&sort_key=name'],
    ['an unknown sort_dir', '?offset=0&limit=10&sort_dir=up'],
  ])('refuses %s with 400', async (_what, query) => {
    const { status, json } = await auditLogs(query, { parent_instance_id: failedId });
    expect(status).toBe(400);
    expect(json.code).toMatch(/^SecMaster\./);
  });

  it.each([
    ['limit 10', '?offset=0&limit=10'],
    ['limit 50', '?offset=0&limit=50'],
    ['offset + limit at 9999', '?offset=9949&limit=50'],
  ])('accepts %s', async (_what, query) => {
    expect((await auditLogs(query, { parent_instance_id: failedId })).status).toBe(200);
  });

  it.each([
    ['a filter that is not a string', { parent_instance_id: 42 }],
    ['a body that is an array', [failedId]],
    ['a body that is not JSON', '{parent_instance_id:'],
  ])('refuses %s with 400', async (_what, body) => {
    expect((await auditLogs('?offset=0&limit=10', body)).status).toBe(400);
  });

  it('pages with offset and sorts by sort_key in sort_dir', async () => {
    const all = await auditLogs('?offset=0&limit=50&sort_key=start_time&sort_dir=desc', { parent_instance_id: failedId });
    const starts = all.json.audit_logs!.map((r) => r.start_time as string);
    expect(starts).toEqual([...starts].sort().reverse());
    const second = await auditLogs('?offset=1&limit=10&sort_key=start_time&sort_dir=desc', { parent_instance_id: failedId });
    expect(second.json.audit_logs![0]).toEqual(all.json.audit_logs![1]);
    expect(second.json.count).toBe(all.json.count);
  });

  it('writes times the documented way, 2021-01-30T23:00:00Z+0800', async () => {
    const { json } = await auditLogs('?offset=0&limit=10', { parent_instance_id: failedId });
    for (const r of json.audit_logs!) expect(r.start_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\+0800$/);
  });
});
