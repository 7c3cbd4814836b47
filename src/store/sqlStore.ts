import { createApprovalStore } from './approvals';
import { createAttemptStore } from './attempts';
import { createAuditStore } from './audit';
import { createCardStore } from './cards';
import type { SqlDatabase } from './dialect';
import { createLimitStore } from './limits';
import { createLockStore } from './locks';
import { createOutboxStore } from './outbox';
import { createSmnStore } from './smn';
import { row } from './step';
import { createWatchStore } from './watches';
import { createWorkflowStepStore } from './workflowSteps';
import type { Store } from './types';

/** The one store, over whichever database `db` is (already migrated). */
export function createSqlStore(db: SqlDatabase): Store {
  return {
    kind: db.kind,
    ...createAuditStore(db),
    ...createLockStore(db),
    ...createWatchStore(db),
    ...createApprovalStore(db),
    ...createCardStore(db),
    ...createLimitStore(db),
    ...createAttemptStore(db),
    ...createSmnStore(db),
    ...createWorkflowStepStore(db),
    ...createOutboxStore(db),

    async ping() {
      await db.run(row('SELECT 1 AS ok'));
    },

    close: () => db.close(),
  };
}
