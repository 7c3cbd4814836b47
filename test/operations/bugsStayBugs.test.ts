import { createAlertPublisher } from '../../src/alerts/publish';
import { createAuditTrail } from '../../src/audit/trail';
import { createLineCollector, createLogger } from '../../src/log';
import { readActionLog } from '../../src/operations/actionLog';
import { ATTEMPT_LEASE_MS } from '../../src/operations/attempts';
import { createAttemptRecovery } from '../../src/operations/recovery';
import { createOperationsService } from '../../src/operations/service';
import { parsePolicy } from '../../src/policy/load';
import type { SecMasterClient } from '../../src/secmaster/client';
import { SecMasterError } from '../../src/secmaster/errors';
import { instanceSchema } from '../../src/secmaster/schemas';
import { openStore, type Store } from '../../src/store';

/**
 * A programming error is not a SecMaster answer (issue 16, point 8). Before, every caller of the
 * client turned whatever it caught into a SecMaster `invalid_response` ("an internal error stopped
 * this request"), so a bug was shown to the person as something SecMaster said, audited as a
 * failed operation, and logged nowhere. Now a bug leaves these services as itself, for the Slack
 * layer's internal-error handling; a real SecMaster failure keeps its kind.
 */
const WS = 'ws-bugs';
const TARGET = { workspaceId: WS, instanceId: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9' };
const POLICY = parsePolicy(`slack_team_id: T0BUGS
roles:
  responder:
    users: [U0ONE]
rules:
  - operations: [VIEW, RETRY, TERMINATE]
    roles: [responder]
`);
const PRINCIPAL = { teamId: 'T0BUGS', userId: 'U0ONE', channelId: 'C0INCIDENT' };

/** A client whose every call fails with `failure`. */
function failingClient(failure: Error): SecMasterClient {
  const fail = async () => {
    throw failure;
  };
  return { getInstance: fail, listInstances: fail, operateInstance: fail, listAuditLogs: fail, getTopology: fail };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

let store: Store;
beforeAll(async () => {
  store = await openStore('sqlite::memory:');
});
afterAll(async () => {
  await store.close();
});

function operations(secmaster: SecMasterClient) {
  const logger = createLogger({ level: 'error', secrets: [], stream: createLineCollector().stream });
  return createOperationsService({ policy: () => POLICY, groups: { isMember: async () => false }, secmaster, store, audit: createAuditTrail({ store, logger }), operationsPerUserPerMinute: 100, defaultWorkspaceId: WS });
}

describe('the operations service', () => {
  it('a bug while reading the instance leaves requestOperation as itself, not as an "unavailable" outcome', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'status')");
    expect(await rejection(operations(failingClient(bug)).requestOperation({ principal: PRINCIPAL, operation: 'RETRY', target: TARGET }))).toBe(bug);
  });

  it('a bug leaves the instance lock free: the next request is not told an operation is under way', async () => {
    const bug = new TypeError('a bug');
    await rejection(operations(failingClient(bug)).requestOperation({ principal: PRINCIPAL, operation: 'RETRY', target: TARGET }));
    const down = new SecMasterError({ kind: 'connect', call: 'GET /x', code: 'ECONNREFUSED', message: 'could not reach SecMaster (connect ECONNREFUSED)' });
    const outcome = await operations(failingClient(down)).requestOperation({ principal: PRINCIPAL, operation: 'RETRY', target: TARGET });
    expect(outcome.code).toBe('unavailable');
  });

  it('a real SecMaster failure keeps its kind: unreachable is "unavailable" with the connect error', async () => {
    const down = new SecMasterError({ kind: 'connect', call: 'GET /x', code: 'ECONNREFUSED', message: 'could not reach SecMaster (connect ECONNREFUSED)' });
    const outcome = await operations(failingClient(down)).requestOperation({ principal: PRINCIPAL, operation: 'RETRY', target: { ...TARGET, instanceId: 'other-instance' } });
    expect(outcome).toMatchObject({ code: 'unavailable', error: down });
  });

  it('a SecMaster "no such instance" stays not_found', async () => {
    const missing = new SecMasterError({ kind: 'http', call: 'GET /x', status: 400, code: 'SecMaster.20030005', message: 'The playbook instance does not exist' });
    const outcome = await operations(failingClient(missing)).requestOperation({ principal: PRINCIPAL, operation: 'TERMINATE', target: { ...TARGET, instanceId: 'missing-instance' } });
    expect(outcome).toMatchObject({ code: 'not_found', error: missing });
  });
});

describe('a bug after the operation may have been sent', () => {
  it('claims no failure: the attempt stays open, and recovery reads the instance and audits what happened', async () => {
    const target = { workspaceId: WS, instanceId: '7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9' };
    const bug = new TypeError("Cannot read properties of undefined (reading 'inc')");
    const before = instanceSchema.parse({ id: target.instanceId, name: 'Block IP', status: 'FAILED', start_time: '2025-01-01T00:00:00Z' });
    const client: SecMasterClient = {
      ...failingClient(bug),
      getInstance: async () => ({ data: before, requestId: 'rid-before' }),
    };
    const ops = operations(client);
    expect(await rejection(ops.requestOperation({ principal: PRINCIPAL, operation: 'RETRY', target }))).toBe(bug);
    // Nothing audited the operation as failed: whether it ran is not known yet.
    expect((await store.listAudit({ instanceId: target.instanceId })).filter((r) => r.event === 'operation')).toEqual([]);

    const after = instanceSchema.parse({ ...before, status: 'RETRYING', start_time: '2025-01-01T00:05:00Z' });
    const recovered: string[] = [];
    const logger = createLogger({ level: 'error', secrets: [], stream: createLineCollector().stream });
    const recovery = createAttemptRecovery({
      store,
      secmaster: { getInstance: async () => ({ data: after, requestId: 'rid-after' }) },
      ledger: ops.attempts,
      sink: { recovered: async (_a, outcome) => void recovered.push(outcome.code) },
      owner: 'replica-recovery',
      logger,
      now: () => Date.now() + ATTEMPT_LEASE_MS + 1_000,
    });
    expect(await recovery.runOnce()).toBe(1);
    expect(recovered).toEqual(['done_unconfirmed']);
    const audited = (await store.listAudit({ instanceId: target.instanceId })).filter((r) => r.event === 'operation');
    expect(audited.map((r) => r.outcome)).toEqual(['done_unconfirmed']);
  });
});

describe('the action log', () => {
  it('a bug reading the audit log is not logged as "could not be read" and shown as unavailable: it is thrown', async () => {
    const warnings: string[] = [];
    const bug = new RangeError('Invalid array length');
    const err = await rejection(readActionLog(failingClient(bug), TARGET, { warn: (m: string) => void warnings.push(m) } as never));
    expect(err).toBe(bug);
    expect(warnings).toEqual([]);
  });
});

describe('the alert publisher', () => {
  const publisher = (secmaster: SecMasterClient) =>
    createAlertPublisher({
      secmaster,
      cards: { publish: async () => ({ ok: true as const, value: { ts: '1.1' } }) } as never,
      gateway: { postMessage: async () => ({ ok: true as const, value: { ts: '1.1' } }) } as never,
      defaultWorkspaceId: WS,
    });

  it('a bug reading the instance is thrown (the route answers 500 and logs it), not reported as SecMaster unavailable', async () => {
    const bug = new TypeError('a bug');
    expect(await rejection(publisher(failingClient(bug)).instanceAlert({ channel: 'C0INCIDENT', instanceId: TARGET.instanceId }))).toBe(bug);
  });

  it('SecMaster unreachable is still the instance stage failing, with the error', async () => {
    const down = new SecMasterError({ kind: 'network', call: 'GET /x', message: 'no answer from SecMaster (timed out)' });
    expect(await publisher(failingClient(down)).instanceAlert({ channel: 'C0INCIDENT', instanceId: TARGET.instanceId })).toMatchObject({ ok: false, stage: 'instance', error: down });
  });
});
