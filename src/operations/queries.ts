import type { AuditTrail } from '../audit/trail';
import type { Instance, InstanceRef } from '../core';
import type { Logger } from '../log';
import type { Decision, Principal } from '../policy/evaluate';
import type { SecMasterClient } from '../secmaster/client';
import { secMasterErrorOrRethrow, type SecMasterError } from '../secmaster/errors';
import { withTimeout } from '../util/withTimeout';
import { readActionLog, type ActionLogRead } from './actionLog';
import { readInstance, type ReadFailure } from './readInstance';
import type { OperationsService } from './service';

/**
 * What `status`, `list` and `log` (and the buttons that show the same) read: VIEW is decided by the
 * policy for the SecMaster workspace asked about, a denial is audited exactly like a denied
 * operation, and only then is SecMaster read. Knows nothing of Slack; each query returns a typed
 * answer that the Slack layer renders.
 */

/** The policy refused VIEW here; the denial is already audited. */
export type ViewDenied = { code: 'denied'; decision: Extract<Decision, { effect: 'deny' }> };

export type StatusAnswer = ViewDenied | ReadFailure | { code: 'found'; target: InstanceRef; instance: Instance; requestId?: string };

export type ListAnswer =
  | ViewDenied
  | { code: 'unavailable'; error: SecMasterError }
  | { code: 'listed'; workspaceId: string; instances: Instance[]; count: number; page: number; status?: string };

export type ActionLogAnswer = ViewDenied | ReadFailure | { code: 'read'; target: InstanceRef; instance: Instance; requestId?: string; log: ActionLogRead };

export interface ListQuery {
  status?: string;
  /** 1-based. */
  page: number;
  /** Instances on a page: how many the caller can show. */
  pageSize: number;
}

export interface InstanceQueries {
  status(principal: Principal, target: InstanceRef): Promise<StatusAnswer>;
  /** A page of the instances of the workspace commands act on (SECMASTER_WORKSPACE_ID). */
  list(principal: Principal, query: ListQuery): Promise<ListAnswer>;
  /** The instance and what its actions did (its action log, or its topology when that has none). */
  actionLog(principal: Principal, target: InstanceRef): Promise<ActionLogAnswer>;
  /**
   * The names of instances a person already acted on (the Home tab's own requests), read together
   * and bounded by `withinMs`; an instance that cannot be read is left out. No VIEW check: the rows
   * are the viewer's own requests, each authorized when it was made, and only the name is returned.
   */
  names(targets: InstanceRef[], withinMs: number): Promise<Map<string, string>>;
}

export interface InstanceQueriesDeps {
  authorize: OperationsService['authorize'];
  secmaster: Pick<SecMasterClient, 'getInstance' | 'listInstances' | 'listAuditLogs' | 'getTopology'>;
  audit: Pick<AuditTrail, 'record'>;
  logger: Pick<Logger, 'warn'>;
  defaultWorkspaceId: string;
}

/** SecMaster refuses a list whose offset + limit reaches 10000. */
const LIST_WINDOW = 10_000;

export function createInstanceQueries(deps: InstanceQueriesDeps): InstanceQueries {
  /** Undefined when VIEW is granted; the audited denial otherwise. */
  async function viewDenied(principal: Principal, where: { workspaceId: string; instanceId?: string }): Promise<ViewDenied | undefined> {
    const decision = await deps.authorize(principal, 'VIEW', where.workspaceId);
    // Viewing never waits for approval: a VIEW rule with approval is refused by the policy loader.
    if (decision.effect !== 'deny') return undefined;
    await deps.audit.record({
      event: 'denied',
      operation: 'VIEW',
      instance_id: where.instanceId,
      workspace_id: where.workspaceId,
      user: principal.userId,
      channel: principal.channelId,
      outcome: decision.reason,
      detail: decision.detail,
    });
    return { code: 'denied', decision };
  }

  return {
    async status(principal, target) {
      const denied = await viewDenied(principal, target);
      if (denied) return denied;
      const read = await readInstance(deps.secmaster, target);
      return read.ok ? { code: 'found', target, instance: read.instance, requestId: read.requestId } : read.failure;
    },

    async list(principal, query) {
      const workspaceId = deps.defaultWorkspaceId;
      const denied = await viewDenied(principal, { workspaceId });
      if (denied) return denied;
      const page = Math.min(query.page, Math.floor((LIST_WINDOW - query.pageSize) / query.pageSize));
      try {
        const answer = await deps.secmaster.listInstances(workspaceId, { offset: (page - 1) * query.pageSize, limit: query.pageSize, status: query.status });
        return { code: 'listed', workspaceId, instances: answer.data.instances, count: answer.data.count, page, status: query.status };
      } catch (err) {
        return { code: 'unavailable', error: secMasterErrorOrRethrow(err) };
      }
    },

    async actionLog(principal, target) {
      const denied = await viewDenied(principal, target);
      if (denied) return denied;
      const [read, log] = await Promise.all([readInstance(deps.secmaster, target), readActionLog(deps.secmaster, target, deps.logger)]);
      return read.ok ? { code: 'read', target, instance: read.instance, requestId: read.requestId, log } : read.failure;
    },

    async names(targets, withinMs) {
      const names = new Map<string, string>();
      const reads = targets.map(async (target) => {
        const read = await readInstance(deps.secmaster, target);
        if (read.ok && read.instance.name) names.set(target.instanceId, read.instance.name);
      });
      await withTimeout(Promise.all(reads), withinMs).catch(() => undefined);
      return names;
    },
  };
}
