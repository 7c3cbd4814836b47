import { createSecMasterClient } from '../../src/secmaster/client';
import { SecMasterError } from '../../src/secmaster/errors';
import type { SecMasterCall, SecMasterTransport } from '../../src/secmaster/layers';
import type { HttpResponse } from '../../src/secmaster/transport';

/**
 * The client only builds requests and parses answers (how they are sent is the transport's): the
 * calls of the spec's section 3 and the API reference, written out here, over a transport stand-in.
 */
const BASE = 'https://secmaster.ap-southeast-1.myhuaweicloud.com';
const P = '/v1/proj-0001/workspaces/ws-0001/soc/playbooks/instances';

function standIn(answer: HttpResponse | Error) {
  const calls: SecMasterCall[] = [];
  const transport: SecMasterTransport = async (call) => {
    calls.push(call);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { client: createSecMasterClient({ endpoint: `${BASE}/`, projectId: 'proj-0001', transport }), calls };
}

const ok = (body: unknown): HttpResponse => ({ status: 200, headers: { 'x-request-id': 'rid-0001' }, body: JSON.stringify(body) });
const INSTANCE = { id: 'i-1', name: 'Block IP', status: 'FAILED', playbook: { name: 'Block', version: 'v1' } };

describe('createSecMasterClient', () => {
  it('read one: GET …/instances/{id}, JSON content type, repeatable, and the answer with its request ID', async () => {
    const { client, calls } = standIn(ok(INSTANCE));
    const answer = await client.getInstance({ workspaceId: 'ws-0001', instanceId: 'i-1' });
    expect(calls).toEqual([{ name: 'get_instance', call: `GET ${P}/i-1`, method: 'GET', url: new URL(`${BASE}${P}/i-1`), headers: { 'content-type': 'application/json;charset=UTF-8' }, body: undefined, idempotent: true }]);
    expect(answer).toEqual({ data: expect.objectContaining({ id: 'i-1', status: 'FAILED' }), requestId: 'rid-0001' });
  });

  it('operate: POST …/{id}/operation with {"operation":…}, never to be repeated', async () => {
    const { client, calls } = standIn(ok({ ...INSTANCE, status: 'RETRYING' }));
    const answer = await client.operateInstance({ workspaceId: 'ws-0001', instanceId: 'i-1' }, 'RETRY');
    expect(calls[0]).toMatchObject({ name: 'operate', method: 'POST', call: `POST ${P}/i-1/operation`, body: '{"operation":"RETRY"}', idempotent: false });
    expect(answer.data?.status).toBe('RETRYING');
  });

  it('operate: an answer that is not an instance is not a failure (the operation happened)', async () => {
    const { client } = standIn(ok({ result: 'accepted' }));
    expect((await client.operateInstance({ workspaceId: 'ws-0001', instanceId: 'i-1' }, 'TERMINATE')).data).toBeUndefined();
  });

  it('list: offset and limit always, filters only when given', async () => {
    const { client, calls } = standIn(ok({ count: 1, instances: [INSTANCE] }));
    const answer = await client.listInstances('ws-0001', { offset: 20, limit: 10, status: 'FAILED', name: '' });
    expect(calls[0]!.url.search).toBe('?offset=20&limit=10&status=FAILED');
    expect(answer.data).toEqual({ count: 1, instances: [expect.objectContaining({ id: 'i-1' })] });
  });

  it('audit logs: a POST that may be repeated (a filtered read), sorted by start time', async () => {
    const { client, calls } = standIn(ok({ count: 0, audit_logs: [] }));
    await client.listAuditLogs('ws-0001', { parent_instance_id: 'i-1' }, { offset: 0, limit: 50 });
    expect(calls[0]).toMatchObject({ name: 'audit_logs', method: 'POST', body: '{"parent_instance_id":"i-1"}', idempotent: true });
    expect(calls[0]!.url.search).toBe('?offset=0&limit=50&sort_key=start_time&sort_dir=asc');
  });

  it('path parameters are percent-encoded: an ID cannot change the path', async () => {
    const { client, calls } = standIn(ok(INSTANCE));
    await client.getTopology({ workspaceId: 'ws-0001', instanceId: "../x?y#z'" }).catch(() => undefined);
    expect(calls[0]!.url.pathname).toBe(`${P}/..%2Fx%3Fy%23z%27/topology`);
  });

  it('an answer out of shape is SecMaster\'s invalid_response, naming the field, with status and request ID', async () => {
    const { client } = standIn(ok({ id: 42 }));
    const err = await client.getInstance({ workspaceId: 'ws-0001', instanceId: 'i-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecMasterError);
    expect(err).toMatchObject({ kind: 'invalid_response', status: 200, requestId: 'rid-0001', call: `GET ${P}/i-1` });
    expect((err as SecMasterError).message).toMatch(/^unexpected answer from SecMaster: id: /);
  });

  it('what the transport throws is passed on as it is: a SecMaster error keeps its kind, a bug stays a bug', async () => {
    const refusal = new SecMasterError({ kind: 'http', call: `GET ${P}/i-1`, status: 403, code: 'SecMaster.20010001', message: 'no access' });
    const bug = new TypeError('a bug');
    for (const thrown of [refusal, bug]) {
      const { client } = standIn(thrown);
      expect(await client.getInstance({ workspaceId: 'ws-0001', instanceId: 'i-1' }).catch((e: unknown) => e)).toBe(thrown);
    }
  });
});
