import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readBody } from '../http/body';
import { sendJson } from '../http/json';
import type { Route } from '../http/server';
import type { Logger } from '../log';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from './demo';
import { resetDemoInstances, type Simulator } from './simulator';
import { blockActionBody, commandBody, eventBody, functionExecutedEvent, sendSigned } from './slack/requests';
import { WORKFLOW_STEP_FUNCTIONS } from '../core';
import type { SlackStandIn } from './slack/standIn';
import type { SmnTopicStandIn } from './smn/topic';
import { SLACK_EVENTS_PATH } from '../slack/ids';
import { parseJsonOrUndefined } from '../util/json';
import { loopbackOnly, sameOriginJson } from './requestGuard';

/**
 * The sandbox page and its small API. The page never talks to the bot's listeners directly: what a
 * person types or clicks is turned into the request Slack would send, signed with the sandbox's
 * signing secret and posted to the bot's own `POST /slack/events`, exactly Slack's path.
 */
export interface SandboxRouteDeps {
  self: { url: string };
  slack: SlackStandIn;
  simulator: Simulator;
  /** The SMN topic stand-in (its alerts reach the bot through the signed `POST /smn`). */
  smn: SmnTopicStandIn;
  signingSecret: string;
  alertToken: string;
  workspaceId: string;
  teamId: string;
  logger: Logger;
}

const PAGE_DIR = [path.join(__dirname, 'page'), path.join(__dirname, '..', '..', 'src', 'sandbox', 'page')].find((d) => existsSync(path.join(d, 'index.html')));
// A Map: the file name comes from the URL, and `/sandbox/assets/constructor` must not find Object's.
const ASSETS = new Map([
  ['page.js', 'text/javascript; charset=utf-8'],
  ['page.css', 'text/css; charset=utf-8'],
]);

const userId = z.enum(SANDBOX_USERS.map((u) => u.id) as [string, ...string[]]);
const channelId = z.enum(SANDBOX_CHANNELS.map((c) => c.id) as [string, ...string[]]);
const commandInput = z.strictObject({ user: userId, channel: channelId, text: z.string().max(4000) });
const actionInput = z.strictObject({
  user: userId,
  channel: channelId.optional(),
  messageTs: z.string().max(40).optional(),
  ephemeral: z.boolean().optional(),
  /** The ephemeral message clicked, when `ephemeral`: its response_url replaces that one. */
  ephemeralId: z.number().int().nonnegative().optional(),
  home: z.boolean().optional(),
  actionId: z.string().max(255),
  value: z.string().max(2000).optional(),
  blockId: z.string().max(255).optional(),
});
const alertInput = z.strictObject({ channel: channelId, instanceId: z.string().max(64), title: z.string().max(200).optional(), severity: z.string().max(40).optional() });
const homeInput = z.strictObject({ user: userId });
const resetInput = z.strictObject({});
const workflowStepInput = z.strictObject({
  user: userId,
  step: z.enum(Object.keys(WORKFLOW_STEP_FUNCTIONS) as [string, ...string[]]),
  instanceId: z.string().max(200),
  executionId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ (at most 40)'),
  reason: z.string().max(1000).optional(),
});
/** How long the page's "run as workflow step" waits for the bot to end the step. */
const STEP_WAIT_MS = 15_000;
const smnAlertInput = z.strictObject({ channel: channelId, instanceId: z.string().max(64).optional(), title: z.string().max(200).optional(), severity: z.string().max(40).optional() });

export function sandboxRoutes(deps: SandboxRouteDeps): Route[] {
  const { slack, simulator } = deps;
  const events = () => `${deps.self.url}${SLACK_EVENTS_PATH}`;

  async function json<T>(req: Parameters<Route['handler']>[0], schema: z.ZodType<T>): Promise<T | string> {
    const raw = await readBody(req, 16 * 1024);
    if (!raw) return 'body too large';
    const json = parseJsonOrUndefined(raw.toString('utf8'));
    if (json === undefined) return 'not JSON';
    const parsed = schema.safeParse(json);
    return parsed.success ? parsed.data : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  }

  const page = (file: string, type: string): Route['handler'] => (_req, res) => {
    // readFileSync gives a Buffer: the icon's bytes go out as they are.
    if (!PAGE_DIR) return sendJson(res, 500, { ok: false, error: 'sandbox page files are missing' });
    const body = readFileSync(path.join(PAGE_DIR, file));
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'" });
    res.end(body);
  };

  return [
    { method: 'GET', path: '/sandbox', handler: loopbackOnly(page('index.html', 'text/html; charset=utf-8')) },
    // Browsers ask for /favicon.ico on their own; without it every page load logs a 404.
    { method: 'GET', path: '/favicon.ico', handler: loopbackOnly(page('favicon.ico', 'image/x-icon')) },
    {
      method: 'GET',
      path: '/sandbox/assets/*',
      handler: loopbackOnly((req, res, url) => {
        const file = url.pathname.slice('/sandbox/assets/'.length);
        const type = ASSETS.get(file);
        if (!type) return sendJson(res, 404, { ok: false, error: 'not_found' });
        return page(file, type)(req, res, url);
      }),
    },
    {
      method: 'GET',
      path: '/sandbox/api/state',
      handler: loopbackOnly((_req, res, url) => {
        const user = url.searchParams.get('user') ?? '';
        sendJson(res, 200, {
          team: deps.teamId,
          workspace: deps.workspaceId,
          version: slack.version(),
          users: SANDBOX_USERS,
          channels: SANDBOX_CHANNELS,
          messages: slack.messages.map((m) => ({ channel: m.channel, ts: m.ts, threadTs: m.threadTs, text: m.text, blocks: m.blocks, fromBot: m.botId === slack.botId, botId: m.botId, edits: m.edits })),
          ephemerals: slack.ephemerals.filter((e) => e.user === user).map((e) => ({ id: e.id, channel: e.channel, text: e.text, blocks: e.blocks, replaced: Boolean(e.replaced), at: e.at })),
          home: slack.homeViews.get(user) ?? null,
          smn: (({ subscription, confirmations, deliveries }) => ({ topic: deps.smn.topicUrn, subscription, confirmations, deliveries }))(deps.smn.state()),
          instances: simulator.state
            .list(deps.workspaceId)
            .map((i) => ({ id: i.id, name: i.name, status: i.status, playbook: i.playbook.name, start_time: i.start_time })),
        });
      }),
    },
    {
      method: 'GET',
      path: '/sandbox/api/events',
      handler: loopbackOnly((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(`event: change\ndata: ${slack.version()}\n\n`);
        let pending: NodeJS.Timeout | undefined;
        const notify = () => {
          // Coalesce bursts (a card edited several times in a row) into one refresh.
          pending ??= setTimeout(() => {
            pending = undefined;
            res.write(`event: change\ndata: ${slack.version()}\n\n`);
          }, 50);
        };
        const offSlack = slack.onChange(notify);
        const offSimulator = simulator.state.onChange(notify);
        const offSmn = deps.smn.onChange(notify);
        const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
        req.on('close', () => {
          offSlack();
          offSimulator();
          offSmn();
          clearInterval(keepAlive);
          if (pending) clearTimeout(pending);
        });
      }),
    },
    {
      method: 'POST',
      path: '/sandbox/api/command',
      handler: sameOriginJson(async (req, res) => {
        const input = await json(req, commandInput);
        if (typeof input === 'string') return sendJson(res, 400, { ok: false, error: input });
        const text = input.text.replace(/^\s*\/playbook\b/i, '').trim();
        const body = commandBody({ teamId: deps.teamId, userId: input.user, channelId: input.channel, text, responseUrl: slack.responseUrl(input.user, input.channel) });
        const answer = await sendSigned(events(), deps.signingSecret, body);
        // Slack shows the acknowledgement's own message (help, usage) to the requester alone.
        if (answer.status === 200 && answer.text.trim().startsWith('{')) {
          const ack = JSON.parse(answer.text) as { text?: string; blocks?: unknown[] };
          if (ack.text || ack.blocks) slack.addEphemeral(input.user, input.channel, ack.text ?? '', ack.blocks ?? []);
        }
        sendJson(res, 200, { ok: answer.status === 200, status: answer.status });
      }),
    },
    {
      method: 'POST',
      path: '/sandbox/api/action',
      handler: sameOriginJson(async (req, res) => {
        const input = await json(req, actionInput);
        if (typeof input === 'string') return sendJson(res, 400, { ok: false, error: input });
        const message = input.messageTs ? slack.messages.find((m) => m.channel === input.channel && m.ts === input.messageTs) : undefined;
        // Slack's response_url for a click on an ephemeral message is that message's: a reply with
        // replace_original (the list's Older/Newer pages) replaces it. Only the clicker's own counts.
        const clicked = input.ephemeral && input.ephemeralId !== undefined ? slack.ephemerals.find((e) => e.id === input.ephemeralId && e.user === input.user && e.channel === input.channel) : undefined;
        const body = blockActionBody({
          teamId: deps.teamId,
          userId: input.user,
          channelId: input.home ? undefined : input.channel,
          actionId: input.actionId,
          value: input.value,
          blockId: input.blockId,
          homeView: input.home,
          isEphemeral: input.ephemeral,
          responseUrl: input.home ? undefined : slack.responseUrl(input.user, input.channel ?? '', clicked?.id),
          message: message ? { ts: message.ts, text: message.text, blocks: message.blocks, bot_id: message.botId, thread_ts: message.threadTs } : undefined,
        });
        const answer = await sendSigned(events(), deps.signingSecret, body);
        sendJson(res, 200, { ok: answer.status === 200, status: answer.status });
      }),
    },
    {
      method: 'POST',
      path: '/sandbox/api/alert',
      handler: sameOriginJson(async (req, res) => {
        const input = await json(req, alertInput);
        if (typeof input === 'string') return sendJson(res, 400, { ok: false, error: input });
        const answer = await fetch(`${deps.self.url}/alerts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${deps.alertToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ channel: input.channel, instance_id: input.instanceId, title: input.title, severity: input.severity }),
        });
        sendJson(res, 200, { status: answer.status, answer: JSON.parse(await answer.text()) as unknown });
      }),
    },
    {
      method: 'POST',
      path: '/sandbox/api/smn-alert',
      handler: sameOriginJson(async (req, res) => {
        const input = await json(req, smnAlertInput);
        if (typeof input === 'string') return sendJson(res, 400, { ok: false, error: input });
        // The message SecMaster's playbook would publish: JSON with the /alerts fields (README, "Alerts from SMN").
        const message = JSON.stringify({ instance_id: input.instanceId, title: input.title, severity: input.severity, channel: input.channel });
        const delivery = await deps.smn.publish({ subject: input.title ?? 'SecMaster alert', message });
        sendJson(res, 200, { status: delivery.status, answer: parseJsonOrUndefined(delivery.answer) ?? delivery.answer, message_id: delivery.body.message_id });
      }),
    },
    {
      method: 'POST',
      path: '/sandbox/api/reset',
      handler: sameOriginJson(async (req, res) => {
        const input = await json(req, resetInput);
        if (typeof input === 'string') return sendJson(res, 400, { ok: false, error: input });
        // The instances only: the channels keep their cards, whose watches and approvals the bot
        // stores; a card then follows the instance as it is again.
        resetDemoInstances(simulator.state, deps.workspaceId);
        deps.logger.info('sandbox reset: the demo instances are back as seeded', { instances: simulator.state.list(deps.workspaceId).length });
        sendJson(res, 200, { ok: true, instances: simulator.state.list(deps.workspaceId).length });
      }),
    },
    {
      method: 'POST',
      path: '/sandbox/api/workflow-step',
      // A Workflow Builder step reaching the bot: the signed function_executed Slack would send (the
      // same execution ID again is Slack's redelivery), then what Slack would receive to end it.
      handler: sameOriginJson(async (req, res) => {
        const input = await json(req, workflowStepInput);
        if (typeof input === 'string') return sendJson(res, 400, { ok: false, error: input });
        const ended = () => slack.completions.find((c) => c.executionId === input.executionId);
        const before = ended();
        const inputs = { instance_id: input.instanceId, requested_by: input.user, ...(input.reason ? { reason: input.reason } : {}) };
        const event = functionExecutedEvent({ teamId: deps.teamId, callbackId: input.step, functionExecutionId: input.executionId, workflowExecutionId: `Wx${input.executionId}`, inputs });
        const body = eventBody({ teamId: deps.teamId, eventId: `Ev${randomUUID().replace(/-/g, '').slice(0, 10)}`, event });
        const answer = await sendSigned(events(), deps.signingSecret, body, { contentType: 'application/json' });
        const deadline = Date.now() + STEP_WAIT_MS;
        while (!before && !ended() && answer.status === 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const completion = ended();
        const calls = slack.calls.filter((c) => c.method.startsWith('functions.') && c.args.function_execution_id === input.executionId).length;
        sendJson(res, 200, {
          ok: answer.status === 200,
          status: answer.status,
          executionId: input.executionId,
          redelivery: Boolean(before),
          inputs,
          completion: completion ? { method: completion.method, ...(completion.outputs ? { outputs: completion.outputs } : { error: completion.error }) } : null,
          completionCalls: calls,
        });
      }),
    },
    {
      method: 'POST',
      path: '/sandbox/api/home',
      handler: sameOriginJson(async (req, res) => {
        const input = await json(req, homeInput);
        if (typeof input === 'string') return sendJson(res, 400, { ok: false, error: input });
        const body = eventBody({ teamId: deps.teamId, eventId: `Ev${randomUUID().replace(/-/g, '').slice(0, 10)}`, event: { type: 'app_home_opened', user: input.user, channel: 'D0HOME', tab: 'home', event_ts: String(Date.now() / 1000) } });
        const answer = await sendSigned(events(), deps.signingSecret, body, { contentType: 'application/json' });
        sendJson(res, 200, { ok: answer.status === 200, status: answer.status });
      }),
    },
  ];
}
