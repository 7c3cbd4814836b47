import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import type { Dispatcher } from 'undici';
import { createApprovalService } from './approvals/service';
import { createExpiryLoop } from './approvals/expiryLoop';
import { createAuditTrail } from './audit/trail';
import type { ConnectedConfig } from './config';
import type { Logger } from './log';
import { createMetrics } from './metrics';
import { createOperationsService, type ApprovalRequester } from './operations/service';
import { createAttemptRecovery } from './operations/recovery';
import { createWatcher, type WatchSink } from './operations/watcher';
import { createPolicyHolder } from './policy/holder';
import { loadPolicyFile } from './policy/load';
import { createHomeTeamDirectory } from './policy/homeTeams';
import { createUserGroupDirectory } from './policy/usergroups';
import { createAuthenticator } from './secmaster/auth';
import { createCircuitBreaker } from './secmaster/circuitBreaker';
import { createSecMasterClient } from './secmaster/client';
import { createSecMasterTransport } from './secmaster/layers';
import { createSecMasterDispatcher, createTransport } from './secmaster/transport';
import { createApprovalFlow, type ApprovalFlow } from './slack/approvals/flow';
import { boltLogger } from './slack/boltLogger';
import { createCardService, type CardService } from './slack/cards/cardService';
import { createOutboxLoop, OUTBOX_LEASE_MS } from './slack/cards/outboxLoop';
import { createRecoveredPresenter } from './slack/present/recovered';
import { createSlackGateway } from './slack/gateway';
import { resolveBotIdentity } from './slack/identity';
import { openStore } from './store';
import { createInFlight } from './util/inflight';
import { WEB_API_OPTIONS } from './slack/webApiOptions';
import { createAlertPublisher } from './alerts/publish';
import { buildSmnReceiver } from './smn/build';

/**
 * The composition root: every client, service and loop built once at start-up from the
 * configuration, in dependency order. Nothing else constructs these; nothing else reads config.
 */
export interface BuildOptions {
  logger: Logger;
  dispatcher?: Dispatcher;
  /** Replica identity for watch leases and operation attempts (tests name them). */
  owner?: string;
  now?: () => number;
  /**
   * PEM CA certificates the SMN receiver trusts for its HTTPS GETs instead of Node's store: only the
   * sandbox passes its own CA here; nothing in the environment can.
   */
  smnCa?: string;
}

export type Deps = Awaited<ReturnType<typeof buildDeps>>;

export async function buildDeps(config: ConnectedConfig, opts: BuildOptions) {
  const { logger } = opts;
  const now = opts.now ?? Date.now;
  // This replica: the owner of its watch leases and of the operation attempts it sends.
  const owner = opts.owner ?? `replica-${randomUUID()}`;

  // Local checks first: a bad policy file or database fails start-up before any network call.
  const policy = createPolicyHolder(await loadPolicyFile(config.policyFile));
  const store = await openStore(config.databaseUrl);
  const metrics = createMetrics(store);

  const dispatcher = opts.dispatcher ?? createSecMasterDispatcher();
  const http = createTransport({ dispatcher });
  const auth = createAuthenticator(config.secmaster.credential, {
    transport: http,
    projectId: config.secmaster.projectId,
    onLogin: () => metrics.iamLogins.inc(),
    // A token obtained at run time is a secret like the configured ones, in logs, Slack and audit rows.
    onToken: (token) => logger.redact.add(token),
  });
  const breaker = createCircuitBreaker({
    onStateChange: (state) => {
      metrics.breakerState.set(state === 'open' ? 1 : 0);
      logger.warn('SecMaster circuit breaker', { state });
    },
  });
  const secmaster = createSecMasterClient({
    endpoint: config.secmaster.endpoint,
    projectId: config.secmaster.projectId,
    transport: createSecMasterTransport({
      http,
      auth,
      gate: breaker,
      onHttpError: (err) =>
        logger.warn('SecMaster answered with an error', { call: err.call, status: err.status, code: err.code, request_id: err.requestId, encoded_authorization_message: err.encodedAuthorizationMessage }),
      observe: (e) => {
        metrics.secmasterCalls.inc({ call: e.call, status: String(e.status) });
        metrics.secmasterSeconds.observe({ call: e.call }, e.durationMs / 1000);
      },
    }),
  });

  const webClient = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    logger: boltLogger(logger),
    ...WEB_API_OPTIONS,
  });
  const identity = await resolveBotIdentity(webClient, { slackApiUrl: config.slack.apiUrl });
  const gateway = createSlackGateway({
    client: webClient,
    redact: logger.redact.strings,
    updatesPerMinute: config.slackUpdatesPerMinute,
    store,
    owner,
    leaseMs: OUTBOX_LEASE_MS,
    logger,
    now,
    observe: (method, outcome, error) => {
      metrics.slackApiCalls.inc({ method, outcome });
      if (outcome !== 'ok') metrics.slackApiErrors.inc({ method, error: error ?? outcome });
    },
  });
  const usergroups = createUserGroupDirectory({
    fetchMembers: (g) => gateway.usergroupMembers(g),
    onError: (groupId, err) => logger.warn('could not read user group members', { groupId, err }),
  });
  const homeTeams = createHomeTeamDirectory({
    fetchTeam: (u) => gateway.userTeam(u),
    onError: (userId, err) => logger.warn("could not read a user's Slack team", { userId, err }),
  });
  // What the policy asks of Slack: user-group members, and the own team of a user a request does not name.
  const groups = { ...usergroups, homeTeamOf: homeTeams.homeTeamOf };
  const audit = createAuditTrail({
    store,
    logger,
    now,
    onRecord: (r) => {
      if (r.event === 'operation' || r.event === 'executed' || r.event === 'denied') metrics.operations.inc({ operation: r.operation ?? '', outcome: r.outcome, event: r.event });
    },
  });

  // Cards, the watcher and approvals refer to one another; these late-bound handles break the cycle.
  const late: { cards?: CardService; flow?: ApprovalFlow } = {};
  const sink: WatchSink = {
    statusChanged: (w, i) => late.cards!.statusChanged(w, i),
    reachedFinal: (w, i) => late.cards!.reachedFinal(w, i),
    stopped: (w, r, i) => late.cards!.stopped(w, r, i),
  };
  const approvalRequester: ApprovalRequester = {
    findPending: (t, op) => late.flow!.findPending(t, op),
    ask: (input) => late.flow!.ask(input),
  };

  const ops = createOperationsService({
    policy: policy.get,
    groups,
    secmaster,
    store,
    audit,
    approvals: approvalRequester,
    operationsPerUserPerMinute: config.operationsPerUserPerMinute,
    owner,
    defaultWorkspaceId: config.secmaster.workspaceId,
    now,
  });
  const watcher = createWatcher({
    store,
    secmaster,
    sink,
    logger,
    pollIntervalMs: config.watch.pollIntervalMs,
    pollMaxIntervalMs: config.watch.pollMaxIntervalMs,
    timeoutMs: config.watch.timeoutMs,
    readsPerSecond: config.watch.readsPerSecond,
    owner,
    now,
    observe: (e) => {
      if (e === 'read') metrics.statusReads.inc();
    },
  });
  const cards = createCardService({ gateway, store, watcher, defaultWorkspaceId: config.secmaster.workspaceId, watchTimeoutMs: config.watch.timeoutMs, owner, leaseMs: OUTBOX_LEASE_MS, logger, now });
  const outbox = createOutboxLoop({ store, gateway, cards, owner, logger, now });
  const approvalService = createApprovalService({ store, audit, policy: policy.get, groups, ops, defaultWorkspaceId: config.secmaster.workspaceId, now });
  const flow = createApprovalFlow({ service: approvalService, gateway, cards, policy: policy.get, logger });
  late.cards = cards;
  late.flow = flow;
  const recovery = createAttemptRecovery({
    store,
    secmaster,
    ledger: ops.attempts,
    sink: createRecoveredPresenter({ cards, gateway, approvals: flow, logger }),
    owner,
    logger,
    now,
  });
  const alerts = createAlertPublisher({ secmaster, cards, gateway, defaultWorkspaceId: config.secmaster.workspaceId });
  const smn = config.smn ? buildSmnReceiver(config.smn, { store, audit, alerts, logger, now, ca: opts.smnCa, observe: (type, outcome) => metrics.smnMessages.inc({ type, outcome }) }) : undefined;
  const expiry = createExpiryLoop({ expireDue: () => flow.expireDue(), nextExpiry: () => store.nextApprovalExpiry(), logger, now });

  return {
    config,
    logger,
    now,
    policy,
    store,
    metrics,
    dispatcher,
    secmaster,
    identity,
    gateway,
    groups,
    audit,
    ops,
    watcher,
    cards,
    outbox,
    alerts,
    smn,
    approvalService,
    approvals: flow,
    expiry,
    recovery,
    inFlight: createInFlight(),
  };
}
