import type { ApprovalService } from '../../approvals/service';
import type { Approval, AuditRecord } from '../../core';
import type { Logger } from '../../log';
import type { SlackIdentity } from '../../policy/evaluate';
import type { InstanceQueries } from '../../operations/queries';
import type { Store } from '../../store/types';
import { renderHome } from '../blocks/homeView';
import type { SlackGateway } from '../gateway';

/** Rows shown under "Your recent requests". */
const SHOWN_REQUESTS = 15;
/** Rows read to find them: approval clicks are in the same trail and must not crowd requests out. */
const READ_ROWS = 60;
/** Names not known locally are read from SecMaster, all together, for at most this long. */
const NAME_READ_MS = 2_000;

/**
 * The viewer's own requests among their audit rows: what they asked for (an operation's outcome or
 * its denial), not their clicks on someone else's approval card (rows that carry an approval ID:
 * votes, self-approval and non-approver refusals), and not the approval they asked for, which the
 * approval's own line shows with its state.
 */
export function ownRequests(rows: AuditRecord[]): AuditRecord[] {
  return rows.filter((r) => (r.event === 'operation' || r.event === 'denied') && r.approval_id === undefined && r.outcome !== 'approval_requested');
}

/**
 * The names of the instances `rows` name: from the approvals the store holds first, then (bounded in
 * time, failures ignored) from SecMaster; an instance without a name is shown by its ID.
 */
async function instanceNames(
  rows: AuditRecord[],
  known: Approval[],
  deps: { store: Pick<Store, 'listApprovals'>; queries: Pick<InstanceQueries, 'names'> },
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const a of known) if (a.instanceName) names.set(a.instanceId, a.instanceName);
  const wanted = new Map<string, string | undefined>();
  for (const r of rows) if (r.instance_id && !names.has(r.instance_id)) wanted.set(r.instance_id, r.workspace_id);
  // The stored approvals of each instance, read together.
  const stored = await Promise.all([...wanted.keys()].map(async (id) => [id, (await deps.store.listApprovals({ instanceId: id, limit: 1 }))[0]] as const));
  for (const [id, a] of stored) {
    if (a?.instanceName) {
      names.set(id, a.instanceName);
      wanted.delete(id);
    }
  }
  const unnamed = [...wanted].flatMap(([instanceId, workspaceId]) => (workspaceId ? [{ instanceId, workspaceId }] : []));
  if (unnamed.length > 0) for (const [id, name] of await deps.queries.names(unnamed, NAME_READ_MS)) names.set(id, name);
  return names;
}

/** Builds and publishes one person's Home tab. */
export async function publishHome(
  deps: {
    store: Pick<Store, 'listApprovals' | 'listAudit'>;
    approvals: Pick<ApprovalService, 'mayDecide'>;
    gateway: SlackGateway;
    logger: Logger;
    queries: Pick<InstanceQueries, 'names'>;
  },
  viewer: SlackIdentity,
  banner?: string,
): Promise<void> {
  const pending = await deps.store.listApprovals({ states: ['pending'], limit: 100 });
  const toDecide = [];
  for (const a of pending) if (a.expiresAt > Date.now() && (await deps.approvals.mayDecide(a, viewer))) toDecide.push(a);
  const myApprovals = await deps.store.listApprovals({ requester: viewer.userId, limit: 10 });
  const myOperations = ownRequests(await deps.store.listAudit({ userId: viewer.userId, newestFirst: true, limit: READ_ROWS })).slice(0, SHOWN_REQUESTS);
  const names = await instanceNames(myOperations, [...myApprovals, ...pending], deps);
  const res = await deps.gateway.publishHome(viewer.userId, renderHome({ toDecide, myApprovals, myOperations, instanceNames: names, banner }));
  if (!res.ok) deps.logger.warn('could not publish the Home tab', { error: res.error });
}
