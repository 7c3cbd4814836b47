import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { blocksText, CHANNELS, PROJECT, SECRETS, startHarness, USERS, waitFor, WS, type Harness } from './harness';

/**
 * The real bot against behaviours of the real service that the simulator used to hide: the public
 * gateway's `APIGW.0301` for a revoked token, ListPlaybookAuditLogs' documented limit and filter
 * fields, SecMaster's `…Z+0800` times, error bodies with an encoded authorization message or no
 * JSON at all.
 */
const IAM_USER = { domain: 'soc-domain', user: 'playbook-bot', password: 'e2e-iam-pa55-w0rd!' };
let sim: Simulator;
let h: Harness;

beforeAll(async () => {
  sim = await startSimulator({ projectId: PROJECT, timing: { stepMs: 150, runningMs: 0 }, credentials: { users: [IAM_USER], tokenTtlMs: 24 * 3600_000 } });
  h = await startHarness({
    simulator: sim,
    env: {
      SECMASTER_AUTH_TOKEN: '',
      HUAWEICLOUD_IAM_DOMAIN: IAM_USER.domain,
      HUAWEICLOUD_IAM_USER: IAM_USER.user,
      HUAWEICLOUD_IAM_PASSWORD: IAM_USER.password,
      IAM_ENDPOINT: sim.url,
    },
  });
});

afterAll(async () => {
  await h?.stop();
  await sim?.close();
});

beforeEach(() => {
  sim.faults.clear();
});

/** The private replies to `user` that mention `text`, newest last. */
function repliesTo(user: string, text: string): string[] {
  return h.ephemeralsFor(user).filter((e) => e.includes(text));
}

function parsedLogs(): Array<Record<string, unknown>> {
  return h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('a revoked IAM token', () => {
  test('after APIGW.0301 the bot logs in again and repeats the call once; the retry goes through', async () => {
    const id = h.addInstance('FAILED', { name: 'Revoked token' });
    await h.command(USERS.responder, CHANNELS.incident, `status ${id}`);
    await waitFor(() => repliesTo(USERS.responder, id).length > 0, 5000, 'status card');
    const loginsBefore = sim.auth.logins.length;
    expect(loginsBefore).toBe(1);

    sim.auth.revokeIssued();
    const from = sim.calls.length;
    await h.command(USERS.responder, CHANNELS.incident, `retry ${id} token test`);
    await waitFor(() => sim.calls.slice(from).find((c) => c.path.endsWith('/operation') && c.status === 200), 5000, 'the operation');

    const instance = `/v1/${PROJECT}/workspaces/${WS}/soc/playbooks/instances/${id}`;
    const sequence = sim.calls.slice(from, from + 4).map((c) => `${c.method} ${c.path} ${c.status}${c.code ? ` ${c.code}` : ''}`);
    console.info(`calls after a revocation answered with APIGW.0301:\n${sequence.join('\n')}`);
    expect(sequence).toEqual([`GET ${instance} 401 APIGW.0301`, 'POST /v3/auth/tokens 201', `GET ${instance} 200`, `POST ${instance}/operation 200`]);
    expect(sim.auth.logins.length).toBe(loginsBefore + 1);
    expect(sim.calls.slice(from).filter((c) => c.path.endsWith('/operation'))).toHaveLength(1);
    await waitFor(() => sim.state.get(WS, id)?.status !== 'FAILED', 5000, 'the retry to take effect');
  });
});

describe('the action log, asked the way the model says', () => {
  test('rows whose parent is the instance, 50 at a time; audit-log times shown as Slack dates; no topology needed', async () => {
    const id = h.addInstance('FAILED', { name: 'Audit me', failure_reason: 'WAF.0001 policy quota exceeded' });
    const from = sim.calls.length;
    await h.command(USERS.responder, CHANNELS.incident, `log ${id}`);
    const reply = await waitFor(() => repliesTo(USERS.responder, 'Action log').find((t) => t.includes(id)), 5000, 'action log');
    const audit = sim.calls.slice(from).filter((c) => c.path.endsWith('/auditlogs'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ status: 200, body: { parent_instance_id: id }, query: { offset: '0', limit: '50' } });
    expect(sim.calls.slice(from).filter((c) => c.path.endsWith('/topology'))).toHaveLength(0);
    // Output only the audit log carries: the steps came from it.
    expect(reply).toContain('Output: `{\\"ip\\":\\"203.0.113.7\\"');
    expect(reply).toContain('WAF.0001 policy quota exceeded');
    // The simulator writes 2021-01-30T23:00:00Z+0800-style times; the card shows date tokens, not the raw text.
    expect(reply).toMatch(/started <!date\^\d+\^/);
    expect(reply).not.toMatch(/Z\+0800/);
  });

  test('when the audit log has no row, the topology is read and shown', async () => {
    const id = h.addInstance('FAILED', { name: 'No audit rows', failure_reason: 'topology only' });
    sim.faults.add({ fault: { kind: 'status', status: 200, body: '{"count":0,"audit_logs":[]}' }, when: 'before', pathIncludes: '/auditlogs', times: 1 });
    const from = sim.calls.length;
    await h.command(USERS.responder, CHANNELS.incident, `log ${id}`);
    const reply = await waitFor(() => repliesTo(USERS.responder, 'Action log').find((t) => t.includes(id)), 5000, 'action log');
    expect(sim.calls.slice(from).filter((c) => c.path.endsWith('/topology'))).toHaveLength(1);
    expect(reply).toContain('topology only');
    expect(reply).not.toContain('Output:');
    expect(reply).not.toContain('unavailable');
  });

  test('a refused audit-log read is named with its code and request ID, and logged', async () => {
    const id = h.addInstance('FAILED', { name: 'Refused log', failure_reason: 'still visible' });
    sim.faults.add({ fault: { kind: 'status', status: 403, code: 'SecMaster.20010001', message: 'no permission on audit logs' }, when: 'before', pathIncludes: '/auditlogs', times: 1 });
    const from = sim.calls.length;
    await h.command(USERS.responder, CHANNELS.incident, `log ${id}`);
    const reply = await waitFor(() => repliesTo(USERS.responder, 'Action log').find((t) => t.includes(id)), 5000, 'action log');
    const refused = sim.calls.slice(from).find((c) => c.path.endsWith('/auditlogs'))!;
    expect(refused).toMatchObject({ status: 403, code: 'SecMaster.20010001' });
    expect(reply).toContain(`Action log unavailable (\`HTTP 403 · SecMaster.20010001\`, request ID \`${refused.requestId}\`): the steps below come from the instance topology.`);
    expect(reply).toContain('still visible');
    const line = await waitFor(() => parsedLogs().find((l) => l.message === 'the audit log could not be read' && l.instance_id === id), 2000, 'log line');
    expect(line).toMatchObject({ level: 'warn', code: 'SecMaster.20010001', request_id: refused.requestId, status: 403 });
  });
});

describe('error details', () => {
  const ENCODED = 'HY0L8G1lOe3rcfgxfKVP+AK+S33eYp/rHQ4I0kJed9rwaYmLp+pt/ICBwk0e2E';

  test('a 403 policy denial: the person is told an encoded authorization message exists; the log has it', async () => {
    const id = h.addInstance('FAILED');
    sim.faults.add({
      fault: {
        kind: 'status',
        status: 403,
        body: JSON.stringify({ error_code: 'SecMaster.20010002', error_msg: "Policy doesn't allow secmaster:playbook:get to be performed.", encoded_authorization_message: ENCODED }),
      },
      when: 'before',
      method: 'GET',
      pathIncludes: id,
      times: 1,
    });
    await h.command(USERS.responder, CHANNELS.incident, `status ${id}`);
    const reply = await waitFor(() => repliesTo(USERS.responder, 'SecMaster.20010002').at(-1), 5000, 'denial reply');
    expect(reply).toContain('encoded authorization message');
    expect(reply).not.toContain(ENCODED);
    const line = await waitFor(() => parsedLogs().find((l) => l.message === 'SecMaster answered with an error' && l.code === 'SecMaster.20010002'), 2000, 'log line');
    expect(line).toMatchObject({ status: 403, encoded_authorization_message: ENCODED });
  });

  test('an HTML error page keeps its first line instead of a bare status', async () => {
    const id = h.addInstance('FAILED');
    sim.faults.add({
      fault: { kind: 'status', status: 502, body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><h1>502 Bad Gateway</h1></body>\r\n</html>\r\n' },
      when: 'before',
      method: 'GET',
      pathIncludes: id,
    });
    await h.command(USERS.responder, CHANNELS.incident, `status ${id}`);
    const reply = await waitFor(() => repliesTo(USERS.responder, 'HTTP 502').at(-1), 10_000, '502 reply');
    expect(reply).toContain('502 Bad Gateway');
  });

  test('camelCase errorCode/errorMsg reach the person', async () => {
    const id = h.addInstance('FAILED');
    sim.faults.add({ fault: { kind: 'status', status: 400, body: '{"errorCode":"SecMaster.20030005","errorMsg":"The playbook instance is gone"}' }, when: 'before', method: 'GET', pathIncludes: id, times: 1 });
    await h.command(USERS.responder, CHANNELS.incident, `status ${id}`);
    const reply = await waitFor(() => repliesTo(USERS.responder, 'SecMaster.20030005').at(-1), 5000, 'reply');
    expect(reply).toContain('The playbook instance is gone');
  });
});

describe('secrets', () => {
  test('no password, token or signing secret in any log line or Slack message of this suite', () => {
    const everything = [...h.logs, ...h.slack.messages.map(blocksText), ...h.slack.ephemerals.map((e) => e.text + JSON.stringify(e.blocks))].join('\n');
    expect(h.logs.length).toBeGreaterThan(0);
    for (const secret of [IAM_USER.password, SECRETS.bot, SECRETS.signing]) expect(everything).not.toContain(secret);
    // IAM tokens the simulator issued (MIIsim…): never written anywhere.
    expect(everything).not.toMatch(/MIIsim[A-Za-z0-9_-]{10,}/);
  });
});
