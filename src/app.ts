import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Deps } from './deps';
import { alertRoute } from './alerts/route';
import { smnRoute } from './smn/route';
import { healthRoutes } from './http/health';
import { sendJson } from './http/json';
import { createHttpServer, SLACK_BODY_LIMIT, type HttpServer, type Route } from './http/server';
import { boltLogger } from './slack/boltLogger';
import { guardSlackBodies } from './slack/bodyGuard';
import { ACTION_IDS, SLACK_EVENTS_PATH } from './slack/ids';
import { isRoutablePayload } from './slack/payloads';
import { registerListeners } from './slack/register';
import { WEB_API_OPTIONS } from './slack/webApiOptions';

/**
 * Builds the Bolt app and the HTTP server from the dependencies: HTTP mode (Slack requests on
 * `POST /slack/events`, signature and 5-minute window checked by Bolt) or Socket Mode (when an app
 * token is set, with health, readiness, metrics and alerts still served on `PORT`).
 */
/**
 * How long SIGTERM may take before the process stops: the spec allows 10 s, main.ts exits hard at
 * 9.5 s, and closing the store and the pools takes well under the rest.
 */
export const SHUTDOWN_LIMIT_MS = 9_000;

export interface RunningApp {
  port: number;
  http: HttpServer;
  bolt: App;
  /**
   * Stops intake, lets in-flight work finish for `graceMs`, then calls already sent until `limitMs`,
   * and keeps watches, approvals and unanswered attempts stored.
   */
  stop(graceMs?: number, limitMs?: number): Promise<void>;
}

export async function startApp(deps: Deps, opts: { port: number; host?: string; extraRoutes?: Route[] } = { port: deps.config.port }): Promise<RunningApp> {
  const { config, logger } = deps;
  const slackApiUrl = config.slack.apiUrl;
  const socketMode = Boolean(config.slack.appToken);
  const slackLogger = boltLogger(logger);

  const receiver: Receiver = socketMode
    ? new SocketModeReceiver({
        appToken: config.slack.appToken!,
        logger: slackLogger,
        installerOptions: { clientOptions: { slackApiUrl } },
        autoReconnectEnabled: true,
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret!,
        endpoints: [SLACK_EVENTS_PATH],
        // Off: the answer (the ack) goes out at once and the listener keeps working after it.
        processBeforeResponse: false,
        logger: slackLogger,
        bodyLimit: SLACK_BODY_LIMIT,
        // A signed payload Bolt cannot process (a field missing that Bolt itself needs) is the
        // sender's problem, not a server error: answer 400, log it, never 500.
        processEventErrorHandler: async ({ error, response }) => {
          if (response.headersSent) {
            logger.error('a Slack listener failed after its acknowledgement', { err: error });
            return false;
          }
          logger.warn('refused a Slack payload that could not be processed', { err: error });
          sendJson(response, 400, { ok: false, error: 'unprocessable_payload' });
          return true;
        },
        dispatchErrorHandler: async ({ error, request, response }) => {
          logger.warn('refused a Slack request that could not be dispatched', { err: error, path: request.url });
          if (!response.headersSent) sendJson(response, 400, { ok: false, error: 'bad_request' });
        },
      });

  const bolt = new App({
    token: config.slack.botToken,
    receiver,
    // Identity was checked with auth.test in deps.ts; Bolt must not make its own unguarded call.
    tokenVerificationEnabled: false,
    botId: deps.identity.botId,
    botUserId: deps.identity.botUserId,
    logger: slackLogger,
    clientOptions: { slackApiUrl, ...WEB_API_OPTIONS },
  });

  // A signed but malformed payload is acknowledged and dropped before Bolt's routing can trip on it.
  const knownActions = new Set<string>(Object.values(ACTION_IDS));
  bolt.use(async (args) => {
    if (isRoutablePayload(args.body, knownActions)) return args.next();
    logger.warn('dropped a malformed Slack payload', { type: (args.body as { type?: unknown }).type });
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (ack) await ack();
  });
  // Every listener runs inside this: counted for shutdown, and measured by kind and outcome.
  bolt.use(async ({ body, next }) => {
    const kind = (body as { command?: string; type?: string }).command ? 'command' : ((body as { type?: string }).type ?? 'other');
    try {
      await deps.inFlight.track(next());
      deps.metrics.slackRequests.inc({ kind, outcome: 'ok' });
    } catch (err) {
      deps.metrics.slackRequests.inc({ kind, outcome: 'error' });
      throw err;
    }
  });
  registerListeners(bolt, {
    ops: deps.ops,
    queries: deps.queries,
    cards: deps.cards,
    approvals: deps.approvals,
    approvalFlow: deps.approvalFlow,
    gateway: deps.gateway,
    store: deps.store,
    logger,
    defaultWorkspaceId: config.secmaster.workspaceId,
    botId: deps.identity.botId,
    now: deps.now,
    workflowSteps: deps.workflowSteps,
  });

  const routes: Route[] = [
    ...healthRoutes({ ping: () => deps.store.ping(), policyLoaded: () => deps.policy.loaded() }),
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_req, res) => {
        const text = await deps.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
        res.end(text);
      },
    },
    alertRoute({ token: config.alertWebhookToken, alerts: deps.alerts, logger }),
    smnRoute(deps.smn?.receiver),
    ...(opts.extraRoutes ?? []),
    // In Socket Mode nothing arrives over HTTP from Slack: say so rather than 404 without a reason.
    ...(socketMode ? [{ method: 'POST', path: SLACK_EVENTS_PATH, handler: ((_req, res) => sendJson(res, 404, { ok: false, error: 'socket_mode' })) as Route['handler'] }] : []),
  ];
  const http = createHttpServer({
    routes,
    slack: socketMode
      ? undefined
      : {
          path: SLACK_EVENTS_PATH,
          listener: guardSlackBodies((receiver as HTTPReceiver).requestListener, { signingSecret: config.slack.signingSecret!, bodyLimit: SLACK_BODY_LIMIT, logger }),
          onAnswered: (ms) => deps.metrics.ackSeconds.observe({ path: SLACK_EVENTS_PATH }, ms / 1000),
        },
    logger,
  });

  const port = await http.listen(opts.port, opts.host);
  if (socketMode) await bolt.start();
  deps.watcher.start();
  deps.expiry.start();
  // Attempts a stopped process left open: resolved now (those whose lease ran out) and as leases end.
  deps.recovery.start();
  // Workflow steps a stopped process left unfinished: ended now and as their leases run out.
  deps.stepResume.start();
  // Cards and card updates a stopped process left stored: posted (or found) and sent now, and as leases end.
  deps.outbox.start();

  let stopping: Promise<void> | undefined;
  return {
    port,
    http,
    bolt,
    stop(graceMs = 7_000, limitMs = SHUTDOWN_LIMIT_MS) {
      stopping ??= (async () => {
        const started = Date.now();
        const deadline = started + graceMs;
        const limit = started + Math.max(graceMs, limitMs);
        if (socketMode) await bolt.stop().catch(() => undefined);
        await http.close(Math.max(0, Math.min(3_000, deadline - Date.now())));
        let finished = await deps.inFlight.idle(Math.max(0, deadline - Date.now()));
        if (!finished) {
          // Nothing new is sent now: its answer would come after the process stopped.
          deps.ops.attempts.stopSending();
          // A call already sent gets until the limit: its answer is what the audit and the requester need.
          // One still unanswered then stays an open attempt, which the next start resolves.
          const sent = deps.ops.attempts.sent.count();
          if (sent > 0) finished = (await deps.ops.attempts.sent.idle(Math.max(0, limit - Date.now()))) && (await deps.inFlight.idle(Math.max(0, Math.min(500, limit - Date.now()))));
          if (!finished) logger.warn('shutting down with work still in flight', { inFlight: deps.inFlight.count(), callsSent: deps.ops.attempts.sent.count() });
        }
        await deps.recovery.stop();
        await deps.stepResume.stop();
        await deps.watcher.stop();
        // Card updates still waiting for Slack's limit stay stored for the next replica; those already due go out now.
        await deps.gateway.idle(Math.max(0, Math.min(1_000, limit - Date.now())));
        await deps.outbox.stop();
        await deps.expiry.stop();
        await deps.store.close().catch(() => undefined);
        await deps.dispatcher.close().catch(() => undefined);
        await deps.smn?.close().catch(() => undefined);
      })();
      return stopping;
    },
  };
}
