import type { ApprovalService } from '../../approvals/service';
import type { Logger } from '../../log';
import type { SlackIdentity } from '../../policy/evaluate';
import type { Store } from '../../store/types';
import { renderHome } from '../blocks/homeView';
import type { SlackGateway } from '../gateway';

/** Builds and publishes one person's Home tab. */
export async function publishHome(
  deps: { store: Pick<Store, 'listApprovals' | 'listAudit'>; approvals: Pick<ApprovalService, 'mayDecide'>; gateway: SlackGateway; logger: Logger },
  viewer: SlackIdentity,
  banner?: string,
): Promise<void> {
  const pending = await deps.store.listApprovals({ states: ['pending'], limit: 100 });
  const toDecide = [];
  for (const a of pending) if (a.expiresAt > Date.now() && (await deps.approvals.mayDecide(a, viewer))) toDecide.push(a);
  const myApprovals = await deps.store.listApprovals({ requester: viewer.userId, limit: 10 });
  const myOperations = (await deps.store.listAudit({ userId: viewer.userId, newestFirst: true, limit: 15 })).filter((r) => r.event === 'operation' || r.event === 'denied');
  const res = await deps.gateway.publishHome(viewer.userId, renderHome({ toDecide, myApprovals, myOperations, banner }));
  if (!res.ok) deps.logger.warn('could not publish the Home tab', { error: res.error });
}
