import type { Instance, InstanceRef, Operation } from '../../src/core';
import type { Answer, AuditLogFilter, ListQuery, SecMasterClient } from '../../src/secmaster/client';
import { SecMasterError } from '../../src/secmaster/errors';
import type { AuditLog, InstanceList, Topology } from '../../src/secmaster/schemas';

/**
 * A SecMaster client that keeps instances in memory (no HTTP, no simulator), for the services' unit
 * tests. What it does follows Huawei's documents as recorded in ../../shared/reference/secmaster-api.md:
 * an operation moves the instance to the status it leads to (RETRY → RETRYING, TERMINATE →
 * TERMINATING), an unknown instance is a 400 `SecMaster.20030005`, and every answer has a request ID.
 * It does not check statuses itself: refusing what a status cannot take is the bot's job under test.
 */
export type FakeCall = 'getInstance' | 'listInstances' | 'operateInstance' | 'listAuditLogs' | 'getTopology';

export interface Fault {
  error: Error;
  /** For `operateInstance`: whether the operation took effect before the error came back (a 5xx after the fact). */
  applied?: boolean;
}

export interface FakeSecMaster extends SecMasterClient {
  /** Every call, in order. */
  readonly calls: Array<{ call: FakeCall; ref?: InstanceRef; operation?: Operation; query?: ListQuery; filter?: AuditLogFilter }>;
  put(workspaceId: string, instance: Instance): void;
  get(ref: InstanceRef): Instance | undefined;
  /** The next `call` fails with `fault` (faults queue per call). */
  failNext(call: FakeCall, fault: Fault): void;
  /** Runs before each operation is carried out (to look at the store at the moment of the POST). */
  onOperate?: (ref: InstanceRef, operation: Operation) => Promise<void> | void;
  auditLogs: AuditLog[];
  count(call: FakeCall): number;
}

const LEADS_TO: Record<Operation, string> = { RETRY: 'RETRYING', TERMINATE: 'TERMINATING' };

export function notFoundError(call = 'GET instance'): SecMasterError {
  return new SecMasterError({ kind: 'http', call, status: 400, code: 'SecMaster.20030005', message: 'The playbook instance does not exist', requestId: 'rid-404' });
}

export function serverError(call = 'call'): SecMasterError {
  return new SecMasterError({ kind: 'http', call, status: 503, code: 'SecMaster.00000503', message: 'Service unavailable', requestId: 'rid-503' });
}

export function createFakeSecMaster(): FakeSecMaster {
  const instances = new Map<string, Instance>();
  const faults = new Map<FakeCall, Fault[]>();
  const key = (ref: InstanceRef) => `${ref.workspaceId}/${ref.instanceId}`;
  let requests = 0;
  const answer = <T>(data: T): Answer<T> => ({ data, requestId: `rid-${++requests}` });

  const fake: FakeSecMaster = {
    calls: [],
    auditLogs: [],
    put: (workspaceId, instance) => void instances.set(key({ workspaceId, instanceId: instance.id }), { ...instance }),
    get: (ref) => instances.get(key(ref)),
    failNext: (call, fault) => void faults.set(call, [...(faults.get(call) ?? []), fault]),
    count: (call) => fake.calls.filter((c) => c.call === call).length,

    async getInstance(ref) {
      fake.calls.push({ call: 'getInstance', ref });
      throwFault('getInstance');
      const found = instances.get(key(ref));
      if (!found) throw notFoundError();
      return answer({ ...found });
    },

    async listInstances(workspaceId, query): Promise<Answer<InstanceList>> {
      fake.calls.push({ call: 'listInstances', query });
      throwFault('listInstances');
      const all = [...instances.entries()].filter(([k, i]) => k.startsWith(`${workspaceId}/`) && (!query.status || i.status === query.status)).map(([, i]) => i);
      return answer({ count: all.length, instances: all.slice(query.offset, query.offset + query.limit) });
    },

    async operateInstance(ref, operation) {
      fake.calls.push({ call: 'operateInstance', ref, operation });
      await fake.onOperate?.(ref, operation);
      const fault = faults.get('operateInstance')?.shift();
      const found = instances.get(key(ref));
      if (fault && !fault.applied) throw fault.error;
      if (!found) throw notFoundError('POST operation');
      const after = { ...found, status: LEADS_TO[operation] };
      instances.set(key(ref), after);
      if (fault) throw fault.error;
      return answer({ ...after });
    },

    async listAuditLogs(_workspaceId, filter, page) {
      fake.calls.push({ call: 'listAuditLogs', filter });
      throwFault('listAuditLogs');
      const rows = fake.auditLogs.filter((l) => !filter.parent_instance_id || (l as { parent_instance_id?: string }).parent_instance_id === filter.parent_instance_id);
      return answer({ count: rows.length, logs: rows.slice(page.offset, page.offset + page.limit) });
    },

    async getTopology(ref): Promise<Answer<Topology>> {
      fake.calls.push({ call: 'getTopology', ref });
      throwFault('getTopology');
      return answer({ count: 0, action_instances: [] });
    },
  };

  function throwFault(call: FakeCall) {
    const fault = faults.get(call)?.shift();
    if (fault) throw fault.error;
  }
  return fake;
}
