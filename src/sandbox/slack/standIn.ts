import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStandInRateLimiter, type MethodLimit } from './rateLimits';

/**
 * A stand-in for Slack's side, used by the sandbox and by the end-to-end tests: the Web API methods
 * the bot calls (with Slack's answers and errors: `invalid_auth`, `not_in_channel`,
 * `channel_not_found`, `is_archived`, rate limits), `response_url` endpoints for ephemeral
 * replies, and `apps.connections.open` for Socket Mode. It keeps every message the bot posts and
 * every edit, per channel and thread, with its `metadata` (read back by `conversations.history` and
 * `conversations.replies` with `include_all_metadata`), and records every call. Slack's rate limits
 * apply by default (see `rateLimits.ts`): a call over its tier gets `429` + `Retry-After`, and is counted.
 */

export interface StandInChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
  /** Whether the bot is a member (needed to post in a private channel). */
  botMember?: boolean;
  archived?: boolean;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks: unknown[];
  /** Set for messages the bot posted; other apps' messages (seeded by tests) carry their own. */
  botId?: string;
  user?: string;
  /** Message metadata as posted (`event_type`, `event_payload`). */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  edits: number;
  updatedAt: number;
}

export interface EphemeralMessage {
  id: number;
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
  at: number;
  /** A response_url post with replace_original replaces the message it answered (Slack's behaviour). */
  replaced?: boolean;
}

export interface RecordedSlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  error?: string;
}

/** How a Workflow Builder step was ended: what `functions.completeSuccess` / `functions.completeError` received. */
export interface FunctionCompletion {
  executionId: string;
  method: 'functions.completeSuccess' | 'functions.completeError';
  outputs?: Record<string, unknown>;
  error?: string;
  at: number;
}

export interface InjectedSlackFault {
  method: string;
  /** Answer `{ok:false,error}` … */
  error?: string;
  /** … or an HTTP status (5xx) … */
  status?: number;
  /** … or a 429 with this Retry-After. */
  rateLimitS?: number;
  times: number;
  /** Only calls whose arguments contain this text (an instance ID, a channel). */
  match?: string;
}

export interface SlackStandInOptions {
  botToken: string;
  teamId?: string;
  botId?: string;
  botUserId?: string;
  channels?: StandInChannel[];
  usergroups?: Record<string, string[]>;
  /**
   * Users whose own team is another one (Slack Connect guests): `users.info` reports it as their
   * `team_id`. Everyone else is in `teamId`.
   */
  userTeams?: Record<string, string>;
  /** Socket Mode: the URL apps.connections.open answers with. */
  socketUrl?: () => string;
  appToken?: string;
  /** Slack's rate limits by method (default: the real tiers); `false` turns them off (the benchmark's ack phases). */
  rateLimits?: Readonly<Record<string, MethodLimit>> | false;
  /**
   * Called with every Web API call after Slack has acted on it and before the answer leaves (a test
   * kills the bot here: Slack accepted the post, the bot never learns its ts).
   */
  onCall?: (call: RecordedSlackCall) => void;
}

export interface SlackStandIn {
  url: string;
  apiUrl: string;
  messages: StoredMessage[];
  ephemerals: EphemeralMessage[];
  calls: RecordedSlackCall[];
  homeViews: Map<string, unknown>;
  /** Workflow steps ended, in order; a second completion of the same execution is refused as Slack does. */
  completions: FunctionCompletion[];
  channels: Map<string, StandInChannel>;
  usergroups: Map<string, string[]>;
  /** Calls refused with a 429 because their rate window was full (not injected faults), by method. */
  rateLimited: Map<string, number>;
  /** Users whose own team is not `teamId` (see the option). */
  userTeams: Map<string, string>;
  teamId: string;
  botId: string;
  botUserId: string;
  /**
   * A response_url for a request by `user` in `channel`; posts to it become ephemeral messages.
   * `replaces`: the ephemeral message a click came from, which a `replace_original` post replaces.
   */
  responseUrl(user: string, channel: string, replaces?: number): string;
  /** Shows what an acknowledgement carried (Slack shows an ack's message to the requester alone). */
  addEphemeral(user: string, channel: string, text: string, blocks: unknown[]): void;
  /** Adds a message as another app would (a foreign alert card). */
  addForeignMessage(channel: string, text: string, blocks: unknown[], botId?: string): StoredMessage;
  fault(f: InjectedSlackFault): void;
  clearFaults(): void;
  /** Called after every change (the sandbox page streams them). */
  onChange(listener: () => void): () => void;
  version(): number;
  close(): Promise<void>;
}

export async function startSlackStandIn(opts: SlackStandInOptions): Promise<SlackStandIn> {
  const teamId = opts.teamId ?? 'T0SANDBOX';
  const botId = opts.botId ?? 'B0PLAYBOOK';
  const botUserId = opts.botUserId ?? 'U0PLAYBOOKBOT';
  const channels = new Map((opts.channels ?? []).map((c) => [c.id, { ...c }]));
  const usergroups = new Map(Object.entries(opts.usergroups ?? {}));
  const userTeams = new Map(Object.entries(opts.userTeams ?? {}));
  const messages: StoredMessage[] = [];
  const ephemerals: EphemeralMessage[] = [];
  const calls: RecordedSlackCall[] = [];
  const homeViews = new Map<string, unknown>();
  const completions: FunctionCompletion[] = [];
  const responseTargets = new Map<string, { user: string; channel: string; lastEphemeral?: number }>();
  let faults: InjectedSlackFault[] = [];
  const listeners = new Set<() => void>();
  let version = 0;
  let lastTs = 0;
  let ephemeralId = 0;
  const limiter = opts.rateLimits === false ? undefined : createStandInRateLimiter(opts.rateLimits);

  const changed = () => {
    version++;
    for (const l of listeners) l();
  };

  const nextTs = () => {
    // Slack ts: seconds.microseconds, unique and increasing per workspace.
    const micros = Math.max(Date.now() * 1000, lastTs + 1);
    lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  };

  function channelError(id: string | undefined): string | undefined {
    if (!id) return 'channel_not_found';
    const c = channels.get(id);
    if (!c) return 'channel_not_found';
    if (c.archived) return 'is_archived';
    if (c.isPrivate && !c.botMember) return 'not_in_channel';
    return undefined;
  }

  function parseBlocks(v: unknown): unknown[] {
    if (Array.isArray(v)) return v;
    if (typeof v === 'string' && v.length > 0) {
      try {
        const parsed: unknown = JSON.parse(v);
        return Array.isArray(parsed) ? parsed : [];
      } catch {
        return [];
      }
    }
    return [];
  }

  type Answer = { status?: number; headers?: Record<string, string>; body: Record<string, unknown> };

  function api(method: string, args: Record<string, unknown>, token: string | undefined): Answer {
    const fault = faults.find((f) => f.method === method && f.times > 0 && (!f.match || JSON.stringify(args).includes(f.match)));
    if (fault) {
      fault.times--;
      faults = faults.filter((f) => f.times > 0);
      if (fault.rateLimitS !== undefined) return { status: 429, headers: { 'retry-after': String(fault.rateLimitS) }, body: { ok: false, error: 'ratelimited' } };
      if (fault.status !== undefined) return { status: fault.status, body: { ok: false, error: 'internal_error' } };
      return { body: { ok: false, error: fault.error ?? 'internal_error' } };
    }
    if (method === 'apps.connections.open') {
      if (!opts.appToken || token !== opts.appToken) return { body: { ok: false, error: 'invalid_auth' } };
      return { body: { ok: true, url: opts.socketUrl?.() ?? 'ws://127.0.0.1:1/' } };
    }
    if (token !== opts.botToken) return { body: { ok: false, error: 'invalid_auth' } };
    const admitted = limiter?.admit(method, typeof args.channel === 'string' ? args.channel : undefined, Date.now());
    if (admitted && !admitted.allowed) return { status: 429, headers: { 'retry-after': String(admitted.retryAfterS) }, body: { ok: false, error: 'ratelimited' } };

    switch (method) {
      case 'auth.test':
        return { body: { ok: true, url: 'https://sandbox.slack.local/', team: 'Sandbox', user: 'playbooks', team_id: teamId, user_id: botUserId, bot_id: botId, app_id: 'A0PLAYBOOK' } };
      case 'chat.postMessage': {
        const channel = String(args.channel ?? '');
        const err = channelError(channel);
        if (err) return { body: { ok: false, error: err } };
        const text = String(args.text ?? '');
        const blocks = parseBlocks(args.blocks);
        if (!text && blocks.length === 0) return { body: { ok: false, error: 'no_text' } };
        const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
        if (threadTs && !messages.some((m) => m.channel === channel && m.ts === threadTs)) return { body: { ok: false, error: 'thread_not_found' } };
        const metadata = parseMetadata(args.metadata);
        const msg: StoredMessage = { channel, ts: nextTs(), threadTs, text, blocks, botId, edits: 0, updatedAt: Date.now(), ...(metadata ? { metadata } : {}) };
        messages.push(msg);
        changed();
        return { body: { ok: true, channel, ts: msg.ts, message: { text, blocks, bot_id: botId, ts: msg.ts } } };
      }
      case 'conversations.history':
      case 'conversations.replies': {
        const channel = String(args.channel ?? '');
        if (!channels.has(channel)) return { body: { ok: false, error: 'channel_not_found' } };
        const oldest = Number(args.oldest ?? 0);
        const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
        const parent = String(args.ts ?? '');
        const found =
          method === 'conversations.history'
            ? messages.filter((m) => m.channel === channel && !m.threadTs && Number(m.ts) >= oldest).reverse()
            : messages.filter((m) => m.channel === channel && (m.ts === parent || m.threadTs === parent) && Number(m.ts) >= oldest);
        const limit = Math.min(1000, Math.max(1, Number(args.limit ?? 100)));
        // Slack pages with an opaque cursor; here it is the offset of the next page.
        const from = Math.max(0, Number(args.cursor ?? 0) || 0);
        const more = found.length > from + limit;
        return {
          body: {
            ok: true,
            messages: found.slice(from, from + limit).map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(m.threadTs ? { thread_ts: m.threadTs } : {}), ...(m.botId ? { bot_id: m.botId } : {}), ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}) })),
            has_more: more,
            ...(more ? { response_metadata: { next_cursor: String(from + limit) } } : {}),
          },
        };
      }
      case 'chat.update': {
        const channel = String(args.channel ?? '');
        const msg = messages.find((m) => m.channel === channel && m.ts === String(args.ts ?? ''));
        if (!msg) return { body: { ok: false, error: channels.has(channel) ? 'message_not_found' : 'channel_not_found' } };
        if (msg.botId !== botId) return { body: { ok: false, error: 'cant_update_message' } };
        msg.text = String(args.text ?? msg.text);
        if (args.blocks !== undefined) msg.blocks = parseBlocks(args.blocks);
        msg.edits++;
        msg.updatedAt = Date.now();
        changed();
        return { body: { ok: true, channel, ts: msg.ts, text: msg.text } };
      }
      case 'chat.postEphemeral': {
        const channel = String(args.channel ?? '');
        const err = channelError(channel);
        if (err) return { body: { ok: false, error: err } };
        ephemerals.push({ id: ++ephemeralId, channel, user: String(args.user ?? ''), text: String(args.text ?? ''), blocks: parseBlocks(args.blocks), at: Date.now() });
        changed();
        return { body: { ok: true, message_ts: nextTs() } };
      }
      case 'usergroups.users.list': {
        const members = usergroups.get(String(args.usergroup ?? ''));
        if (!members) return { body: { ok: false, error: 'no_such_subteam' } };
        return { body: { ok: true, users: members } };
      }
      case 'users.info': {
        const user = String(args.user ?? '');
        return { body: { ok: true, user: { id: user, team_id: userTeams.get(user) ?? teamId, name: user.toLowerCase() } } };
      }
      case 'views.publish': {
        const view = typeof args.view === 'string' ? (JSON.parse(args.view) as unknown) : args.view;
        homeViews.set(String(args.user_id ?? ''), view);
        changed();
        return { body: { ok: true, view: { id: 'V0HOME', type: 'home' } } };
      }
      case 'functions.completeSuccess':
      case 'functions.completeError': {
        // https://docs.slack.dev/reference/methods/functions.completeSuccess (and completeError): an
        // execution ends once; completing it again is `execution_not_in_running_state`.
        const executionId = String(args.function_execution_id ?? '');
        if (!executionId) return { body: { ok: false, error: 'invalid_arguments' } };
        if (completions.some((c) => c.executionId === executionId)) return { body: { ok: false, error: 'execution_not_in_running_state' } };
        const at = Date.now();
        if (method === 'functions.completeSuccess') {
          const outputs = typeof args.outputs === 'string' ? parseObject(args.outputs) : args.outputs;
          if (!outputs || typeof outputs !== 'object' || Array.isArray(outputs)) return { body: { ok: false, error: 'invalid_arguments' } };
          completions.push({ executionId, method, outputs: outputs as Record<string, unknown>, at });
        } else {
          const error = String(args.error ?? '');
          if (!error) return { body: { ok: false, error: 'invalid_arguments' } };
          completions.push({ executionId, method, error, at });
        }
        changed();
        return { body: { ok: true } };
      }
      default:
        return { body: { ok: false, error: 'unknown_method' } };
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://standin.local');
      const raw = Buffer.concat(chunks).toString('utf8');
      const args = parseArgs(raw, String(req.headers['content-type'] ?? ''));
      const send = (a: Answer) => {
        const text = JSON.stringify(a.body);
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...(a.headers ?? {}) });
        res.end(text);
      };

      const api_ = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname);
      if (api_ && req.method === 'POST') {
        const auth = String(req.headers.authorization ?? '');
        const token = auth.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : undefined;
        const answer = api(api_[1]!, args, token);
        const call: RecordedSlackCall = { method: api_[1]!, args, at: Date.now(), ...(answer.body.ok === false ? { error: String(answer.body.error) } : {}) };
        calls.push(call);
        opts.onCall?.(call);
        return send(answer);
      }

      const response = /^\/response\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
      if (response && req.method === 'POST') {
        const target = responseTargets.get(response[1]!);
        if (!target) return send({ status: 404, body: { ok: false, error: 'expired_url' } });
        calls.push({ method: 'response_url', args, at: Date.now() });
        const replace = args.replace_original === true || args.replace_original === 'true';
        const prev = replace && target.lastEphemeral !== undefined ? ephemerals.find((e) => e.id === target.lastEphemeral) : undefined;
        if (prev) prev.replaced = true;
        // A replaced message keeps its place in the channel, as in Slack.
        const e: EphemeralMessage = { id: ++ephemeralId, channel: target.channel, user: target.user, text: String(args.text ?? ''), blocks: parseBlocks(args.blocks), at: prev?.at ?? Date.now() };
        ephemerals.push(e);
        target.lastEphemeral = e.id;
        changed();
        return send({ body: { ok: true } });
      }
      send({ status: 404, body: { ok: false, error: 'not_found' } });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiUrl: `${base}/api/`,
    messages,
    ephemerals,
    calls,
    homeViews,
    completions,
    channels,
    usergroups,
    rateLimited: limiter?.refused ?? new Map<string, number>(),
    userTeams,
    teamId,
    botId,
    botUserId,
    responseUrl(user, channel, replaces) {
      const id = randomBytes(12).toString('base64url');
      responseTargets.set(id, { user, channel, lastEphemeral: replaces });
      return `${base}/response/${id}`;
    },
    addEphemeral(user, channel, text, blocks) {
      ephemerals.push({ id: ++ephemeralId, channel, user, text, blocks, at: Date.now() });
      changed();
    },
    addForeignMessage(channel, text, blocks, foreignBotId = 'B0OTHERAPP') {
      const msg: StoredMessage = { channel, ts: nextTs(), text, blocks, botId: foreignBotId, edits: 0, updatedAt: Date.now() };
      messages.push(msg);
      changed();
      return msg;
    },
    fault(f) {
      faults.push({ ...f });
    },
    clearFaults() {
      faults = [];
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    version: () => version,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Its own small JSON reader: the stand-in imports nothing of the bot it stands in for. */
function parseObject(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** `metadata` arrives as a JSON string (form-encoded calls) or an object (JSON calls). */
function parseMetadata(v: unknown): StoredMessage['metadata'] {
  let m: unknown = v;
  if (typeof v === 'string') {
    try {
      m = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (!m || typeof m !== 'object') return undefined;
  const { event_type, event_payload } = m as { event_type?: unknown; event_payload?: unknown };
  if (typeof event_type !== 'string' || !event_payload || typeof event_payload !== 'object') return undefined;
  return { event_type, event_payload: event_payload as Record<string, unknown> };
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (raw.length === 0) return {};
  if (contentType.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  const out: Record<string, unknown> = {};
  new URLSearchParams(raw).forEach((v, k) => {
    out[k] = v;
  });
  return out;
}
