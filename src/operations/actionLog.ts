import type { InstanceRef } from '../core';
import type { Logger } from '../log';
import { AUDIT_LOG_PAGE_LIMIT, type SecMasterClient } from '../secmaster/client';
import { secMasterErrorOrRethrow, type SecMasterError } from '../secmaster/errors';
import type { AuditLog, Topology } from '../secmaster/schemas';

/**
 * Reads what an instance's actions did, the way the ListPlaybookAuditLogs model says to ask. The
 * model (`AuditLogInfo`, huaweicloud-sdk-python-v3 `…/secmaster/v1/model/audit_log_info.py`, and the
 * API page's body table) has `instance_id` ("instance ID", a row's own instance) apart from
 * `parent_instance_id` ("instance ID of the parent node"), so the action rows of a playbook instance
 * are, by inference (nothing says so in words), the rows whose parent is that instance. When that
 * returns nothing, the instance's topology is the fallback. A refused read is
 * logged with its code and request ID and handed on, so the card can say the log is unavailable
 * instead of quietly showing less.
 */
export interface ActionLogRead {
  /** Audit-log rows, when the audit log had any. */
  logs: AuditLog[];
  /** The topology, read only when the audit log gave nothing. */
  topology?: Topology;
  /** The `X-request-id` of the answer the steps come from. */
  requestId?: string;
  /** Why the audit log (or, when it was needed, the topology) could not be read. */
  unavailable?: SecMasterError;
}

/** Pages read at most: 200 rows, ten times what the card shows. */
export const MAX_AUDIT_LOG_PAGES = 4;

export async function readActionLog(secmaster: Pick<SecMasterClient, 'listAuditLogs' | 'getTopology'>, target: InstanceRef, logger: Pick<Logger, 'warn'>): Promise<ActionLogRead> {
  const logs: AuditLog[] = [];
  let requestId: string | undefined;
  let unavailable: SecMasterError | undefined;
  try {
    for (let page = 0; page < MAX_AUDIT_LOG_PAGES; page++) {
      const answer = await secmaster.listAuditLogs(target.workspaceId, { parent_instance_id: target.instanceId }, { offset: page * AUDIT_LOG_PAGE_LIMIT, limit: AUDIT_LOG_PAGE_LIMIT });
      requestId ??= answer.requestId;
      logs.push(...answer.data.logs);
      if (answer.data.logs.length < AUDIT_LOG_PAGE_LIMIT || logs.length >= answer.data.count) break;
    }
  } catch (err) {
    unavailable = refused('audit log', err, target, logger);
  }
  if (logs.length > 0) return { logs, requestId, unavailable };

  try {
    const topology = await secmaster.getTopology(target);
    return { logs, topology: topology.data, requestId: topology.requestId, unavailable };
  } catch (err) {
    const topologyError = refused('topology', err, target, logger);
    return { logs, requestId, unavailable: unavailable ?? topologyError };
  }
}

function refused(what: string, err: unknown, target: InstanceRef, logger: Pick<Logger, 'warn'>): SecMasterError {
  const error = secMasterErrorOrRethrow(err);
  logger.warn(`the ${what} could not be read`, {
    instance_id: target.instanceId,
    workspace_id: target.workspaceId,
    status: error.status,
    code: error.code,
    request_id: error.requestId,
    err: error,
  });
  return error;
}
