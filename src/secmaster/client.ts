import { z } from 'zod';
import type { Instance, InstanceRef, Operation } from '../core';
import { SecMasterError } from './errors';
import type { CallName, SecMasterTransport } from './layers';
import {
  auditLogListSchema,
  instanceListSchema,
  instanceSchema,
  topologySchema,
  type AuditLog,
  type InstanceList,
  type Topology,
} from './schemas';
import { percentEncode } from './auth/akskSigner';
import { firstIssue, parseJsonOrUndefined } from '../util/json';

/** A parsed answer and the `X-request-id` SecMaster gave it (shown on every card). */
export interface Answer<T> {
  data: T;
  requestId?: string;
}

export interface ListQuery {
  offset: number;
  limit: number;
  status?: string;
  name?: string;
  playbook_name?: string;
}

/**
 * ListPlaybookAuditLogs' body: every field optional, each a filter on the row field of the same name
 * (the API page's "Request body parameters", https://support.huaweicloud.com/intl/en-us/api-secmaster/ListPlaybookAuditLogs.html,
 * and the SDK model `AuditLogInfo`, huaweicloud-sdk-python-v3 `…/secmaster/v1/model/audit_log_info.py`).
 * `instance_id` is a row's own instance and `parent_instance_id` the instance above it: the action
 * rows of a playbook instance are the rows whose parent is that instance.
 */
export type AuditLogFilter = Partial<
  Record<
    | 'instance_type'
    | 'action_id'
    | 'action_name'
    | 'instance_id'
    | 'parent_instance_id'
    | 'log_level'
    | 'input'
    | 'output'
    | 'error_msg'
    | 'start_time'
    | 'end_time'
    | 'status'
    | 'trigger_type',
    string
  >
>;

/** ListPlaybookAuditLogs' `limit` is documented as 10 to 50 (the API page's query parameters). */
export const AUDIT_LOG_PAGE_LIMIT = 50;

export type { CallName, CallObserver } from './layers';

export interface SecMasterClient {
  getInstance(ref: InstanceRef): Promise<Answer<Instance>>;
  listInstances(workspaceId: string, query: ListQuery): Promise<Answer<InstanceList>>;
  /** Sent at most once; a 5xx or a lost answer surfaces as an error whose `outcomeUnknown` is true. */
  operateInstance(ref: InstanceRef, operation: Operation): Promise<Answer<Instance | undefined>>;
  /**
   * ListPlaybookAuditLogs: the rows matching `filter`, one page of at most
   * {@link AUDIT_LOG_PAGE_LIMIT} (the API takes `limit` 10–50).
   */
  listAuditLogs(workspaceId: string, filter: AuditLogFilter, page: { offset: number; limit: number }): Promise<Answer<{ count: number; logs: AuditLog[] }>>;
  getTopology(ref: InstanceRef): Promise<Answer<Topology>>;
}

export interface SecMasterClientOptions {
  endpoint: string;
  projectId: string;
  /** The composed transport (`layers/index.ts`): credentials, retries, renewal and the breaker live there. */
  transport: SecMasterTransport;
}

const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/**
 * The SecMaster API as the bot uses it: builds each request (percent-encoded path parameters, the
 * query, the JSON body) and parses each answer with its zod schema. How a request is sent (the
 * credential, retries, the token renewal, the circuit breaker, the deadline) is the transport's.
 */
export function createSecMasterClient(opts: SecMasterClientOptions): SecMasterClient {
  const base = opts.endpoint.replace(/\/+$/, '');

  function instancesPath(workspaceId: string, ...rest: string[]): string {
    const parts = ['v1', opts.projectId, 'workspaces', workspaceId, 'soc', 'playbooks', 'instances', ...rest];
    return '/' + parts.map(percentEncode).join('/');
  }

  async function call<T>(
    name: CallName,
    spec: { method: 'GET' | 'POST'; path: string; query?: Record<string, string | number | undefined>; body?: unknown; idempotent: boolean },
    parse: (json: unknown) => T,
  ): Promise<Answer<T>> {
    const url = new URL(base + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined && v !== '') url.searchParams.append(k, String(v));
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const callName = `${spec.method} ${url.pathname}`;
    const res = await opts.transport({ name, call: callName, method: spec.method, url, headers: { 'content-type': JSON_CONTENT_TYPE }, body, idempotent: spec.idempotent });
    const requestId = res.headers['x-request-id'];
    const json = parseJsonOrUndefined(res.body);
    try {
      return { data: parse(json), requestId };
    } catch (err) {
      // An answer that is not what the API documents is SecMaster's; any other throw is a bug and stays one.
      if (!(err instanceof z.ZodError)) throw err;
      throw new SecMasterError({
        kind: 'invalid_response',
        call: callName,
        status: res.status,
        requestId,
        message: `unexpected answer from SecMaster: ${describeZodError(err)}`,
        cause: err,
      });
    }
  }

  return {
    getInstance: (ref) =>
      call('get_instance', { method: 'GET', path: instancesPath(ref.workspaceId, ref.instanceId), idempotent: true }, (json) =>
        instanceSchema.parse(json),
      ),

    listInstances: (workspaceId, q) =>
      call(
        'list_instances',
        {
          method: 'GET',
          path: instancesPath(workspaceId),
          query: { offset: q.offset, limit: q.limit, status: q.status, name: q.name, playbook_name: q.playbook_name },
          idempotent: true,
        },
        (json) => {
          const parsed = instanceListSchema.parse(json);
          return { count: parsed.count ?? parsed.total ?? parsed.instances.length, instances: parsed.instances };
        },
      ),

    operateInstance: (ref, operation) =>
      call(
        'operate',
        { method: 'POST', path: instancesPath(ref.workspaceId, ref.instanceId, 'operation'), body: { operation }, idempotent: false },
        // The operation already happened once we are here: an unexpected answer must not turn it into a failure.
        (json) => {
          const parsed = instanceSchema.safeParse(json);
          return parsed.success ? parsed.data : undefined;
        },
      ),

    listAuditLogs: (workspaceId, filter, page) =>
      call(
        'audit_logs',
        {
          method: 'POST',
          path: instancesPath(workspaceId, 'auditlogs'),
          query: { offset: page.offset, limit: page.limit, sort_key: 'start_time', sort_dir: 'asc' },
          body: filter,
          // A filtered read that happens to be a POST: repeating it changes nothing.
          idempotent: true,
        },
        (json) => {
          const parsed = auditLogListSchema.parse(json);
          return { count: parsed.count ?? parsed.audit_logs.length, logs: parsed.audit_logs };
        },
      ),

    getTopology: (ref) =>
      call('topology', { method: 'GET', path: instancesPath(ref.workspaceId, ref.instanceId, 'topology'), idempotent: true }, (json) =>
        topologySchema.parse(json),
      ),
  };
}

function describeZodError(err: z.ZodError): string {
  if (err.issues.length === 0) return err.message;
  const { field, message } = firstIssue(err);
  return `${field}: ${message}`;
}
