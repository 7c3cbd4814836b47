import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { auditRows } from './approvals/helpers';
import { CHANNELS, PROJECT, SECRETS, startHarness, USERS, waitFor, WS, type Harness } from './harness';

/**
 * Upstream error text never carries a credential out (issue 15, point 7). A SecMaster stand-in that
 * quotes the credential it received in its error message (a token, an IAM token obtained at run
 * time, the AK/SK `Authorization` header, its signature or access key alone): what the person sees
 * in Slack, the audit rows stored in the database and the log lines all show `[REDACTED]` instead,
 * while the rest of the error (code, message) still gets through.
 */
const AK = 'AKECHO0123456789ABCD';
const SK = 'sk-echo-secret-0123456789abcdef';
const IAM = { domain: 'echo-domain', user: 'echo-bot', password: 'echo-Pa55word-0123' };

async function echoSimulator(): Promise<Simulator> {
  const sim = await startSimulator({
    projectId: PROJECT,
    timing: { stepMs: 150, runningMs: 0 },
    credentials: { staticTokens: [SECRETS.secmasterToken], accessKeys: { [AK]: SK }, users: [IAM] },
  });
  sim.state.addWorkspace(WS);
  return sim;
}

/** Everything that left the bot or was kept by it: Slack messages and ephemerals, audit rows, log lines. */
function everything(h: Harness, instanceId: string): string {
  return [
    ...h.slack.messages.map((m) => `${m.text}\n${JSON.stringify(m.blocks)}`),
    ...h.slack.ephemerals.map((e) => `${e.text}\n${JSON.stringify(e.blocks)}`),
    ...auditRows(h, { instanceId }).map((r) => JSON.stringify(r)),
    ...h.logs,
  ].join('\n');
}

/** A retry whose POST is refused with a 400 that quotes what it received; returns the requester's answer. */
async function refusedRetry(h: Harness, echo: 'credential' | 'signature' | 'access_key'): Promise<{ id: string; answer: string; detail: string }> {
  const id = h.addInstance('FAILED', { name: `echoes the ${echo}` });
  h.sim.faults.add({ fault: { kind: 'status', status: 400, code: 'SecMaster.20010099', message: 'Request refused', echo }, when: 'before', method: 'POST', pathIncludes: id, times: 1 });
  const seen = h.ephemeralsFor(USERS.responder).length;
  await h.command(USERS.responder, CHANNELS.incident, `retry ${id}`);
  const answer = await waitFor(() => h.ephemeralsFor(USERS.responder).slice(seen).find((e) => e.includes('SecMaster.20010099')), 5000, 'the refusal');
  const row = await waitFor(() => auditRows(h, { instanceId: id }).find((r) => r.event === 'operation'), 5000, 'the audit row');
  return { id, answer, detail: row.detail ?? '' };
}

describe('a configured token (SECMASTER_AUTH_TOKEN)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ simulator: await echoSimulator() });
  });
  afterAll(async () => {
    await h?.stop();
    await h?.sim.close();
  });

  test('echoed in an error: not in Slack, not in the audit row, not in the logs', async () => {
    const { id, answer, detail } = await refusedRetry(h, 'credential');
    expect(answer).toContain('SecMaster.20010099');
    expect(answer).toContain('Request refused (received: [REDACTED])');
    expect(detail).toBe('SecMaster.20010099: Request refused (received: [REDACTED])');
    expect(everything(h, id)).not.toContain(SECRETS.secmasterToken);
  });
});

describe('an IAM token obtained at run time (password login)', () => {
  let h: Harness;
  beforeAll(async () => {
    const sim = await echoSimulator();
    h = await startHarness({
      simulator: sim,
      env: { SECMASTER_AUTH_TOKEN: '', HUAWEICLOUD_IAM_DOMAIN: IAM.domain, HUAWEICLOUD_IAM_USER: IAM.user, HUAWEICLOUD_IAM_PASSWORD: IAM.password, IAM_ENDPOINT: sim.url },
    });
  });
  afterAll(async () => {
    await h?.stop();
    await h?.sim.close();
  });

  test('echoed by a refused retry and by a failed read: redacted in Slack, the audit row and the logs', async () => {
    const { id, answer, detail } = await refusedRetry(h, 'credential');
    expect(h.sim.auth.logins.length).toBeGreaterThan(0);
    expect(answer).toContain('(received: [REDACTED])');
    expect(detail).toContain('(received: [REDACTED])');

    const readId = h.addInstance('RUNNING', { name: 'read echo' });
    h.sim.faults.add({ fault: { kind: 'status', status: 400, code: 'SecMaster.20010098', message: 'Cannot read', echo: 'credential' }, when: 'before', method: 'GET', pathIncludes: readId, times: 1 });
    const seen = h.ephemeralsFor(USERS.responder).length;
    await h.command(USERS.responder, CHANNELS.incident, `status ${readId}`);
    const shownRead = await waitFor(() => h.ephemeralsFor(USERS.responder).slice(seen).find((e) => e.includes('SecMaster.20010098')), 5000, 'the read error');
    expect(shownRead).toContain('Cannot read (received: [REDACTED])');
    // The simulator's IAM tokens all start with MIIsim: none got out, wherever it was quoted.
    for (const instance of [id, readId]) expect(everything(h, instance)).not.toMatch(/MIIsim/);
  });
});

describe('AK/SK signing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ simulator: await echoSimulator(), env: { SECMASTER_AUTH_TOKEN: '', CLOUD_SDK_AK: AK, CLOUD_SDK_SK: SK } });
  });
  afterAll(async () => {
    await h?.stop();
    await h?.sim.close();
  });

  test.each(['credential', 'signature', 'access_key'] as const)('the %s echoed: no signature, access key or SK in Slack, the audit row or the logs', async (echo) => {
    const { id, answer, detail } = await refusedRetry(h, echo);
    // The whole echo was one credential (the header, or one part of it): all of it is gone.
    expect(answer).toContain('Request refused (received: [REDACTED])');
    expect(detail).toBe('SecMaster.20010099: Request refused (received: [REDACTED])');
    const all = everything(h, id);
    expect(all).not.toContain(AK);
    expect(all).not.toContain(SK);
    // An SDK-HMAC-SHA256 signature is 64 hex digits.
    expect(all).not.toMatch(/[0-9a-f]{64}/);
  });
});
