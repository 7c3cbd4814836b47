import type { ApprovalService } from '../../approvals/service';
import type { Logger } from '../../log';
import type { InstanceQueries } from '../../operations/queries';
import type { OperationsService } from '../../operations/service';
import type { Store } from '../../store/types';
import type { ApprovalFlow } from '../approvals/flow';
import type { CardService } from '../cards/cardService';
import type { SlackGateway } from '../gateway';
import type { WorkflowStepService } from '../../workflows/stepService';

/** What the listeners need; built once in `deps.ts`. Each listener takes only the parts it uses. */
export interface ListenerDeps {
  ops: OperationsService;
  /** status, list and log: authorized, audited and read by the service, rendered by the listener. */
  queries: InstanceQueries;
  cards: CardService;
  /** The two-person rule itself (who may decide, the records). */
  approvals: ApprovalService;
  /** Its Slack side: the approval card and the answers to Approve and Reject. */
  approvalFlow: ApprovalFlow;
  gateway: SlackGateway;
  store: Pick<Store, 'getCard' | 'markSeen' | 'listApprovals' | 'listAudit'>;
  logger: Logger;
  defaultWorkspaceId: string;
  botId: string;
  now: () => number;
  workflowSteps: WorkflowStepService;
}
