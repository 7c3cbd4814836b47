import { createAuditTrail, type AuditTrail } from '../../src/audit/trail';
import type { AuditRecord, Instance } from '../../src/core';
import { createLineCollector, createLogger, type Logger } from '../../src/log';
import { parsePolicy, type Policy } from '../../src/policy/load';
import { openSqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { instance } from '../slack/fixtures';
import { createFakeSecMaster, type FakeSecMaster } from './secmaster';

/**
 * What a service's unit test runs on: an in-memory SQLite store (the real store, migrated), the
 * real audit trail over it, a logger whose lines are kept, and a fake SecMaster client.
 */
export const WS = 'ws-unit';
export const TEAM = 'T0UNIT';
export const USERS = { responder: 'U0RESP', lead: 'U0LEAD', lead2: 'U0LEAD2', outsider: 'U0OUT' };
export const CHANNEL = 'C0INCIDENT';

/** Responders view and retry; leads terminate at once, responders only with a lead's approval (interface.md §5). */
export const POLICY_TEXT = `
slack_team_id: ${TEAM}
roles:
  responder:
    users: [${USERS.responder}]
  lead:
    users: [${USERS.lead}, ${USERS.lead2}]
rules:
  - operations: [VIEW]
    roles: [responder, lead]
  - operations: [RETRY]
    roles: [responder, lead]
  - operations: [TERMINATE]
    roles: [lead]
  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [lead]
      count: 1
      expires_after: 30m
`;

export interface World {
  store: Store;
  audit: AuditTrail;
  logger: Logger;
  lines: string[];
  secmaster: FakeSecMaster;
  policy: Policy;
  /** A settable clock. */
  clock: { now: number };
  now: () => number;
  auditRows(): Promise<AuditRecord[]>;
  /** Puts an instance of `status` in the workspace and returns it. */
  seed(id: string, status: string, workspaceId?: string): Instance;
  close(): Promise<void>;
}

export function createWorld(policyText = POLICY_TEXT): World {
  const store = openSqliteStore(':memory:');
  const collector = createLineCollector();
  const logger = createLogger({ level: 'debug', secrets: [], stream: collector.stream });
  const clock = { now: Date.parse('2025-03-04T05:06:07.000Z') };
  const now = () => clock.now;
  const secmaster = createFakeSecMaster();
  return {
    store,
    audit: createAuditTrail({ store, logger, now }),
    logger,
    lines: collector.lines,
    secmaster,
    policy: parsePolicy(policyText),
    clock,
    now,
    auditRows: () => store.listAudit({ limit: 100 }),
    seed(id, status, workspaceId = WS) {
      const i = instance({ id, status });
      secmaster.put(workspaceId, i);
      return i;
    },
    close: () => store.close(),
  };
}

export const principal = (userId: string, channelId = CHANNEL) => ({ teamId: TEAM, userId, channelId });
