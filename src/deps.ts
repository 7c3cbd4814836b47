import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import type { Dispatcher } from 'undici';
import { createApprovalRequests } from './approvals/requests';
import { createApprovalService } from './approvals/service';
import { createExpiryLoop } from './approvals/expiryLoop';
import { createAuditTrail } from './audit/trail';
import type { ConnectedConfig } from './config';
import type { Logger } from './log';
import { createMetrics } from './metrics';
import { createOperationsService } from './operations/service';
import { createInstanceQueries } from './operations/queries';
import { createAttemptRecovery } from './operations/recovery';
import { createWatcher } from './operations/watcher';
import { createPolicyHolder } from './policy/holder';
import { loadPolicy, POLICY_VARIABLE } from './policy/load';
import { createHomeTeamDirectory } from './policy/homeTeams';
import { createUserGroupDirectory } from './policy/usergroups';
import { createAuthenticator } from './secmaster/auth';
import { createCircuitBreaker } from './secmaster/circuitBreaker';
import { createSecMasterClient } from './secmaster/client';
import { createSecMasterTransport } from './secmaster/layers';
import { createSecMasterDispatcher, createTransport } from './secmaster/transport';
import { createApprovalFlow } from './slack/approvals/flow';
import { boltLogger } from './slack/boltLogger';
import { createCardService, createCardWatchSink } from './slack/cards/cardService';
import { createOutboxLoop, OUTBOX_LEASE_MS } from './slack/cards/outboxLoop';
import { createRecoveredPresenter } from './slack/present/recovered';
import { createSlackGateway, type SlackCallOutcome } from './slack/gateway';
import { policyTeamMismatch, resolveBotIdentity, SlackStartupError } from './slack/identity';
import { openStoreAtStartup } from './startup/openStore';
import { createInFlight } from './util/inflight';
import { WEB_API_OPTIONS } from './slack/webApiOptions';
import { createAlertPublisher } from './alerts/publish';
import { buildSmnReceiver } from './smn/build';
import { renderStepResult } from './slack/blocks/workflowStepResult';
import { createFunctionCompleter } from './slack/functionCompletion';
import { createWorkflowStepService } from './workflows/stepService';
import { createStepResumeLoop } from './workflows/resumeLoop';

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
  /** Where a relative SQLite path is resolved and may create its folder (tests name one). */
  cwd?: string;
}

export type Deps = Awaited<ReturnType<typeof buildDeps>>;

export async function buildDeps(config: ConnectedConfig, opts: BuildOptions) {
  const { logger } = opts;
  const now = opts.now ?? Date.now;
  // This replica: the owner of its watch leases and of the operation attempts it sends.
  const owner = opts.owner ?? `replica-${randomUUID()}`;

  // Local checks first: a bad policy file or database fails start-up before any network call.
  const policy = createPolicyHolder(await loadPolicy(config.policy));
  const store = await openStoreAtStartup(config.databaseUrl, { cwd: opts.cwd ?? process.cwd(), logger });
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
  const identity = await resolveBotIdentity(webClient, { slackApiUrl: config.slack.apiUrl }).catch(async (err: unknown) => {
    await store.close().catch(() => undefined);
    throw err;
  });
  // Logged before the check: a newcomer learns the team ID here even when the policy names another.
  logger.info('Slack identity checked with auth.test', { team: identity.teamId, enterprise: identity.enterpriseId, bot_user: identity.botUserId });
  const mismatch = policyTeamMismatch(policy.get().slack_team_id, identity, config.policy.kind === 'file' ? config.policy.file : POLICY_VARIABLE);
  if (mismatch) {
    await store.close().catch(() => undefined);
    throw new SlackStartupError(mismatch);
  }
  const observeSlack = (method: string, outcome: SlackCallOutcome, error?: string) => {
    metrics.slackApiCalls.inc({ method, outcome });
    if (outcome !== 'ok') metrics.slackApiErrors.inc({ method, error: error ?? outcome });
  };
  const gateway = createSlackGateway({
    client: webClient,
    redact: logger.redact.strings,
    updatesPerMinute: config.slackUpdatesPerMinute,
    store,
    owner,
    leaseMs: OUTBOX_LEASE_MS,
    logger,
    now,
    observe: observeSlack,
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

  // Built in dependency order, each from what is already built: the operations service records
  // approvals (it posts nothing), the approval service runs approved requests through it, and the
  // watcher tells the cards' sink what it sees, while the card service starts watches.
  const approvalRequests = createApprovalRequests({ store, audit, now });
  const ops = createOperationsService({
    policy: policy.get,
    groups,
    secmaster,
    store,
    audit,
    approvalRequests,
    operationsPerUserPerMinute: config.operationsPerUserPerMinute,
    owner,
    defaultWorkspaceId: config.secmaster.workspaceId,
    now,
  });
  const queries = createInstanceQueries({ authorize: ops.authorize, secmaster, audit, logger, defaultWorkspaceId: config.secmaster.workspaceId });
  const approvals = createApprovalService({ store, audit, policy: policy.get, groups, ops, defaultWorkspaceId: config.secmaster.workspaceId, now });
  const watcher = createWatcher({
    store,
    secmaster,
    sink: createCardWatchSink({ gateway, defaultWorkspaceId: config.secmaster.workspaceId, watchTimeoutMs: config.watch.timeoutMs, logger }),
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
  const cards = createCardService({ gateway, store, watcher, defaultWorkspaceId: config.secmaster.workspaceId, owner, leaseMs: OUTBOX_LEASE_MS, logger, now });
  const outbox = createOutboxLoop({ store, gateway, cards, owner, logger, now });
  const approvalFlow = createApprovalFlow({ approvals, gateway, cards, policy: policy.get, logger });
  const recovery = createAttemptRecovery({
    store,
    secmaster,
    ledger: ops.attempts,
    sink: createRecoveredPresenter({ cards, gateway, approvalFlow, logger }),
    owner,
    logger,
    now,
  });
  const alerts = createAlertPublisher({ secmaster, cards, gateway, defaultWorkspaceId: config.secmaster.workspaceId });
  const smn = config.smn ? buildSmnReceiver(config.smn, { store, audit, alerts, logger, now, ca: opts.smnCa, observe: (type, outcome) => metrics.smnMessages.inc({ type, outcome }) }) : undefined;
  const workflowSteps = createWorkflowStepService({
    store,
    ops,
    secmaster,
    render: renderStepResult,
    completer: createFunctionCompleter({
      client: webClient,
      observe: observeSlack,
    }),
    defaultWorkspaceId: config.secmaster.workspaceId,
    logger,
    now,
  });
  const stepResume = createStepResumeLoop({ steps: workflowSteps, logger });
  const expiry = createExpiryLoop({ expireDue: () => approvalFlow.expireDue(), nextExpiry: () => store.nextApprovalExpiry(), logger, now });

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
    queries,
    watcher,
    cards,
    outbox,
    alerts,
    smn,
    approvals,
    approvalFlow,
    expiry,
    recovery,
    workflowSteps,
    stepResume,
    inFlight: createInFlight(),
  };
}
