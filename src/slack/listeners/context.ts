import type { AuditTrail } from '../../audit/trail';
import type { Logger } from '../../log';
import type { OperationsService } from '../../operations/service';
import type { SecMasterClient } from '../../secmaster/client';
import type { Store } from '../../store/types';
import type { CardService } from '../cards/cardService';
import type { SlackGateway } from '../gateway';
import type { ApprovalFlow } from '../approvals/flow';
import type { ApprovalService } from '../../approvals/service';
import type { WorkflowStepService } from '../../workflows/stepService';

/** What the listeners need; built once in `deps.ts`. Each listener takes only the parts it uses. */
export interface ListenerDeps {
  ops: OperationsService;
  secmaster: SecMasterClient;
  cards: CardService;
  approvals: ApprovalFlow;
  approvalService: ApprovalService;
  gateway: SlackGateway;
  store: Store;
  audit: AuditTrail;
  logger: Logger;
  defaultWorkspaceId: string;
  botId: string;
  now: () => number;
  workflowSteps: WorkflowStepService;
}
