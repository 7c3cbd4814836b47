import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { commandBody, sendSigned } from '../../src/sandbox/slack/requests';
import { startSlackStandIn, type EphemeralMessage, type RecordedSlackCall, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { botEnv, CHANNELS, PROJECT, SECRETS, startHarness, TEAM, USERS, waitFor, WS, type Harness } from './harness';
import { instanceReads, operationPosts, startWideHarness, statusOf, type WideHarness } from './cardInspect';
import { spawnBot, type BotProcess } from './processes';

/**
 * `/playbook` end to end: correctly (and incorrectly) signed slash commands through the real bot,
 * against the SecMaster simulator and the Slack stand-in over real HTTP. Checks what SecMaster
 * received, what Slack received (channel cards, ephemeral replies, acks), the audit trail (log line
 * and stored row), and, at the end, that no secret leaked anywhere. Spec sections 1, 2, 4, 5, 7.
 */

/** Every harness of this file, so the last suite can look for secrets in everything they saw. */
const everyHarness: Harness[] = [];
/** Every HTTP answer the bot gave to a Slack request (acks carry help and usage). */
const everyAck: string[] = [];
/** Everything the spawned bots wrote. */
const everyProcessOutput: string[] = [];

interface Ack {
  response_type?: string;
  text?: string;
  blocks?: unknown[];
}

function parseAck(body: string): Ack | undefined {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as Ack;
  } catch {
    return undefined;
  }
}

const show = (m: { text?: string; blocks?: unknown[] }) => `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}`;

/**
 * Sends `/playbook text` as `user` in `channel` and gives ways to read what only the requester sees:
 * the ack's own message, or replies through the request's response_url.
 */
async function send(h: Harness, user: string, channel: string, text: string, opts: { team?: string } = {}) {
  const before = h.slack.ephemerals.length;
  const res = await h.command(user, channel, text, opts);
  everyAck.push(res.text);
  const ack = parseAck(res.text);
  const fresh = (): EphemeralMessage[] => h.slack.ephemerals.slice(before).filter((e) => e.user === user && e.channel === channel);
  return {
    res,
    ack,
    fresh,
    /** The n-th private answer (1-based): the ack's message counts first when it carries one. */
    async reply(n = 1): Promise<string> {
      const inAck = ack?.text ? 1 : 0;
      if (inAck && n === 1) return show(ack!);
      const e = await waitFor(() => fresh()[n - 1 - inAck], 5000, `private reply #${n} to "${text}"`);
      return show(e);
    },
  };
}

/** A private answer proves a request was fully handled; nothing more comes from it afterwards. */
async function privateUsage(h: Harness, user: string, channel: string, text: string): Promise<{ status: number; answer: string; ack?: Ack }> {
  const r = await send(h, user, channel, text);
  return { status: r.res.status, answer: await r.reply(), ack: r.ack };
}

function parseBlocks(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string' && v) return JSON.parse(v) as unknown[];
  return [];
}

/** chat.postMessage calls Slack accepted, in one channel. */
function postsIn(slack: SlackStandIn, channel: string): Array<{ text: string; blocks: unknown[]; threadTs?: string; call: RecordedSlackCall }> {
  return slack.calls
    .filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel && !c.error)
    .map((c) => ({ text: String(c.args.text ?? ''), blocks: parseBlocks(c.args.blocks), threadTs: c.args.thread_ts ? String(c.args.thread_ts) : undefined, call: c }));
}

/** Every mrkdwn text (what Slack parses for mentions and links) in a message, and its fallback `text`. */
function parsedTexts(m: { text: string; blocks: unknown[] }): string[] {
  const out = [m.text];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(m.blocks);
  return out;
}

function plainTexts(blocks: unknown[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'plain_text' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}

type AuditLine = Record<string, unknown>;

function auditLines(h: Harness): AuditLine[] {
  const out: AuditLine[] = [];
  for (const line of h.logs) {
    try {
      const j = JSON.parse(line) as { message?: string; audit?: AuditLine };
      if (j.message === 'audit' && j.audit) out.push(j.audit);
    } catch {
      // not JSON
    }
  }
  return out;
}

const AUDIT_FIELDS = ['event', 'operation', 'instance_id', 'workspace_id', 'user', 'channel', 'outcome', 'request_id', 'at'];

function auditRows(h: Harness, instanceId: string): Array<Record<string, unknown>> {
  const file = h.env.DATABASE_URL!.replace(/^sqlite:/, '');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT * FROM audit WHERE instance_id = ? ORDER BY id').all(instanceId) as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

/** Calls the Slack stand-in got after index `from`, by method. */
const slackMethodsSince = (h: Harness, from: number) => h.slack.calls.slice(from).map((c) => c.method);

/**
 * A pass-through proxy in front of the simulator that keeps each request's method, path and
 * headers: the simulator's call log has no headers, and the content type is part of the contract.
 */
interface HeaderLog {
  url: string;
  seen: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

async function startHeaderLog(target: string): Promise<HeaderLog> {
  const seen: HeaderLog['seen'] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers } });
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const FAST = { OPERATIONS_PER_USER_PER_MINUTE: '1000', SLACK_UPDATES_PER_MINUTE: '100000' };

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('requests that must not reach SecMaster (help, usage, signatures, denials, can)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: FAST });
    everyHarness.push(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Nothing in this suite may ever call SecMaster or post in a channel. */
  function expectUntouched() {
    expect(h.sim.calls).toEqual([]);
    expect(h.slack.messages).toEqual([]);
    expect(h.slack.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update')).toEqual([]);
  }

  test.each([
    ['empty text', ''],
    ['help', 'help'],
    ['HELP (subcommands are case-insensitive)', 'HELP'],
  ])('%s → the usage, privately, and nothing else', async (_label, text) => {
    const { status, answer, ack } = await privateUsage(h, USERS.outsider, CHANNELS.general, text);
    expect(status).toBe(200);
    // It rides on the ack itself (no network call at all), as an ephemeral answer.
    expect(ack?.response_type).toBe('ephemeral');
    for (const sub of ['retry', 'terminate', 'status', 'list', 'log', 'can', 'help']) expect(answer).toContain(`/playbook ${sub}`);
    // The bot's own `<instance_id>` must not be read by Slack as a link either.
    expect(answer).toContain('/playbook retry &lt;instance_id&gt;');
    expectUntouched();
  });

  test.each([
    ['an unknown subcommand', 'frobnicate 123', /unknown subcommand "frobnicate"/],
    ['an ID with angle brackets', 'retry <script>', /is not an instance ID/],
    ['a 65-character ID', `retry ${'a'.repeat(65)}`, /is not an instance ID/],
    ['retry alone', 'retry', /`retry` needs an instance ID/],
    ['terminate with a path', 'terminate ../../etc', /is not an instance ID/],
    ['status with two words', 'status a b', /`status` takes one instance ID/],
    ['list with a bad status', 'list sleeping', /`list` takes an optional status/],
    ['can with no permission', 'can', /`can` takes one of/],
  ])('usage error: %s → usage shown only to the requester, HTTP 200, no SecMaster call', async (_label, text, problem) => {
    const { status, answer, ack } = await privateUsage(h, USERS.lead, CHANNELS.incident, text);
    expect(status).toBe(200);
    if (ack?.text) expect(ack.response_type).toBe('ephemeral');
    expect(answer).toMatch(/^Usage: /);
    expect(answer).toMatch(problem);
    expect(answer).toContain('Nothing was done');
    // Whatever the person typed is escaped when shown back.
    expect(answer).not.toContain('<script>');
    expectUntouched();
  });

  test('a bad signature → 401, and nothing happens', async () => {
    const id = h.addInstance('FAILED');
    const slackCalls = h.slack.calls.length;
    const body = commandBody({ teamId: TEAM, userId: USERS.lead, channelId: CHANNELS.incident, text: `retry ${id}`, responseUrl: h.slack.responseUrl(USERS.lead, CHANNELS.incident) });
    const res = await sendSigned(`${h.url}/slack/events`, 'not-the-signing-secret', body);
    everyAck.push(res.text);
    expect(res.status).toBe(401);
    // A correctly signed request after it is answered: by then the refused one would have shown.
    // A responder's `can view` needs no user-group read, so its only Slack call is its reply.
    const sentinel = await send(h, USERS.responder, CHANNELS.incident, 'can view');
    expect(await sentinel.reply()).toMatch(/You may \*view\*/);
    expect(slackMethodsSince(h, slackCalls)).toEqual(['response_url']);
    expect(h.slack.ephemerals.filter((e) => JSON.stringify(e).includes(id))).toEqual([]);
    expect(h.sim.state.get(WS, id)!.status).toBe('FAILED');
    expectUntouched();
  });

  test('a correctly signed request with a 6-minute-old timestamp → 401, and nothing happens', async () => {
    const id = h.addInstance('FAILED');
    const slackCalls = h.slack.calls.length;
    const body = commandBody({ teamId: TEAM, userId: USERS.lead, channelId: CHANNELS.incident, text: `retry ${id}`, responseUrl: h.slack.responseUrl(USERS.lead, CHANNELS.incident) });
    const res = await sendSigned(`${h.url}/slack/events`, SECRETS.signing, body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    everyAck.push(res.text);
    expect(res.status).toBe(401);
    // A responder's `can view` needs no user-group read, so its only Slack call is its reply.
    const sentinel = await send(h, USERS.responder, CHANNELS.incident, 'can view');
    expect(await sentinel.reply()).toMatch(/You may \*view\*/);
    expect(slackMethodsSince(h, slackCalls)).toEqual(['response_url']);
    expect(h.sim.state.get(WS, id)!.status).toBe('FAILED');
    expectUntouched();
  });

  test('an outsider asks to retry → private denial naming why, no SecMaster call, audited (log line and stored row)', async () => {
    const id = h.addInstance('FAILED');
    const r = await send(h, USERS.outsider, CHANNELS.incident, `retry ${id} because I can`);
    expect(r.res.status).toBe(200);
    const answer = await r.reply();
    expect(answer).toMatch(/You may not \*retry\* here/);
    expect(answer).toMatch(/needs one of the roles: responder, lead/);
    expect(answer).toContain('Nothing was sent to SecMaster');
    expect(h.sim.state.get(WS, id)!.status).toBe('FAILED');
    expectUntouched();

    const line = await waitFor(() => auditLines(h).find((a) => a.instance_id === id), 5000, 'the audit line');
    for (const field of AUDIT_FIELDS) expect(line).toHaveProperty(field);
    expect(line).toMatchObject({ event: 'denied', operation: 'RETRY', instance_id: id, workspace_id: WS, user: USERS.outsider, channel: CHANNELS.incident, outcome: 'not_in_role', request_id: null });
    expect(new Date(String(line.at)).toISOString()).toBe(line.at);

    const rows = await waitFor(() => {
      const found = auditRows(h, id);
      return found.length > 0 && found;
    }, 5000, 'the stored audit row');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event: 'denied', operation: 'RETRY', instance_id: id, workspace_id: WS, user_id: USERS.outsider, channel: CHANNELS.incident, outcome: 'not_in_role', at: line.at });
  });

  test('a request from another Slack team → denied, nothing called (no SecMaster, no user-group read)', async () => {
    const id = h.addInstance('FAILED');
    const slackCalls = h.slack.calls.length;
    const r = await send(h, USERS.lead, CHANNELS.incident, `retry ${id}`, { team: 'T0OTHER' });
    expect(r.res.status).toBe(200);
    const answer = await r.reply();
    expect(answer).toMatch(/You may not \*retry\* here/);
    expect(answer).toContain('T0OTHER');
    expect(slackMethodsSince(h, slackCalls)).toEqual(['response_url']);
    expect(h.sim.state.get(WS, id)!.status).toBe('FAILED');
    expectUntouched();
    const line = await waitFor(() => auditLines(h).find((a) => a.instance_id === id), 5000, 'the audit line');
    expect(line).toMatchObject({ event: 'denied', outcome: 'foreign_team', user: USERS.lead });
  });

  test.each([
    ['status', (id: string) => `status ${id}`],
    ['list', () => 'list'],
    ['list failed', () => 'list failed'],
    ['log', (id: string) => `log ${id}`],
  ])('an outsider asks for %s → denied (VIEW), no SecMaster call', async (_label, text) => {
    const id = h.addInstance('FAILED');
    const answer = await (await send(h, USERS.outsider, CHANNELS.incident, text(id))).reply();
    expect(answer).toMatch(/You may not \*view\* here/);
    expect(answer).toContain('Nothing was sent to SecMaster');
    expectUntouched();
  });

  test.each([
    ['a responder: can retry in #incident → yes, at once, by rules[1]', USERS.responder, CHANNELS.incident, 'can retry', [/You may \*retry\* in this channel, at once/, /rules\[1\]/, /responder/]],
    [
      'can names the SecMaster workspace it is about, and which workspaces the rule covers',
      USERS.responder,
      CHANNELS.incident,
      'can retry',
      [new RegExp(`In SecMaster workspace \`${WS}\`, the one \`/playbook\` commands act on\\. \`rules\\[1\\]\` covers only that one \\(it names no \`workspaces:\`\\)`)],
    ],
    ['a responder: can retry in #general → no, only in #incident', USERS.responder, CHANNELS.general, 'can retry', [/You may not \*retry\* here/, /<#C0INCIDENT>/, /rules\[1\]/]],
    ['a responder: can terminate → after approval by a lead', USERS.responder, CHANNELS.general, 'can terminate', [/You may \*terminate\* here after approval/, /1 approval from `lead`/, /30m|30 min/, /rules\[3\]/]],
    ['a lead: can terminate → yes, at once', USERS.lead, CHANNELS.general, 'CAN Terminate', [/You may \*terminate\* in this channel, at once/, /rules\[2\]/, /`lead`/]],
    ['an outsider: can view → no', USERS.outsider, CHANNELS.incident, 'can view', [/You may not \*view\* here/, /needs one of the roles: responder, lead/]],
  ])('%s', async (_label, user, channel, text, expected) => {
    const answer = await (await send(h, user, channel, text)).reply();
    for (const re of expected) expect(answer).toMatch(re);
    expectUntouched();
  });

  test('GET /healthz → 200 {"status":"ok"}; GET /readyz → 200', async () => {
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('user-group grant: a member of S0SOC holds the responder role', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: FAST });
    everyHarness.push(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const groupReads = () => h.slack.calls.filter((c) => c.method === 'usergroups.users.list');

  test('U0GROUPIE retries (usergroups.users.list read once); a second request within the TTL reads no more', async () => {
    expect(groupReads()).toEqual([]);
    const id = h.addInstance('FAILED');
    const r = await send(h, USERS.groupie, CHANNELS.incident, `retry ${id}`);
    expect(await r.reply()).toMatch(/\*retry\* sent for/);
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect(groupReads()).toHaveLength(1);
    expect(groupReads()[0]!.args.usergroup).toBe('S0SOC');

    const second = await send(h, USERS.groupie, CHANNELS.incident, `status ${id}`);
    const card = await second.reply();
    expect(card).toContain(id);
    expect(card).not.toMatch(/may not/);
    const third = await send(h, USERS.groupie, CHANNELS.incident, 'can retry');
    expect(await third.reply()).toMatch(/You may \*retry\* in this channel, at once/);
    expect(groupReads()).toHaveLength(1);
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('operations end to end (retry, terminate, refusals, status, list, cards)', () => {
  let h: WideHarness;
  let sim: Simulator;
  let headers: HeaderLog;

  beforeAll(async () => {
    sim = await startSimulator({ projectId: PROJECT, timing: { stepMs: 150, runningMs: 0 }, credentials: { staticTokens: [SECRETS.secmasterToken] } });
    headers = await startHeaderLog(sim.url);
    h = await startWideHarness({ simulator: sim, env: { ...FAST, SECMASTER_ENDPOINT: headers.url } });
    everyHarness.push(h);
  });
  afterAll(async () => {
    await h?.stop();
    await headers?.close();
    await sim?.close();
  });

  const sawHeadersOf = (id: string, method: string) => headers.seen.filter((s) => s.method === method && s.path.includes(`/instances/${id}`));

  test('retry of a FAILED instance: one RETRY call, a status card in the channel, a private confirmation, the card follows it to FINISHED', async () => {
    const channel = CHANNELS.incident;
    const id = h.addInstance('FAILED', { name: 'Nightly IOC sweep', playbook: { id: 'pb-1', version_id: 'pv-7', name: 'Contain compromised host', version: 'v3.4' } });
    const r = await send(h, USERS.responder, channel, `retry ${id} WAF quota raised, try again`);
    expect(r.res.status).toBe(200);

    // SecMaster: read first, then exactly one operation call with the documented body and type.
    const confirmation = await r.reply();
    const ops = operationPosts(h.sim, id);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.path).toBe(`/v1/${PROJECT}/workspaces/${WS}/soc/playbooks/instances/${id}/operation`);
    expect(ops[0]!.body).toEqual({ operation: 'RETRY' });
    const readBefore = instanceReads(h.sim, id).filter((c) => c.at <= ops[0]!.at);
    expect(readBefore.length).toBeGreaterThanOrEqual(1);
    const posted = sawHeadersOf(id, 'POST');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.headers['content-type']).toBe('application/json;charset=UTF-8');
    const requestId = ops[0]!.requestId;

    // The channel: a status card posted with chat.postMessage in the request's channel.
    const cards = postsIn(h.slack, channel).filter((p) => !p.threadTs && p.text.includes(id));
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card.text.trim()).not.toBe('');
    const all = show(card);
    for (const fact of ['Nightly IOC sweep', id, 'Contain compromised host', 'v3.4', 'RETRYING', `<@${USERS.responder}>`, 'WAF quota raised, try again', requestId]) expect(all).toContain(fact);
    expect(statusOf(card)).toBe('RETRYING');

    // The requester: a private confirmation naming the instance and the request ID.
    expect(confirmation).toMatch(/:white_check_mark: \*retry\* sent for \*Nightly IOC sweep\*/);
    expect(confirmation).toContain(id);
    expect(confirmation).toContain(requestId);

    // Later: the same card updated to FINISHED, and a thread reply mentioning the requester.
    const stored = h.slack.messages.find((m) => m.channel === channel && !m.threadTs && m.text.includes(id))!;
    expect(stored.botId).toBe(h.slack.botId);
    await waitFor(() => statusOf(stored) === 'FINISHED', 10_000, 'the card to show FINISHED');
    const updates = h.slack.calls.filter((c) => c.method === 'chat.update' && c.args.channel === channel && c.args.ts === stored.ts && !c.error);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(String(updates.at(-1)!.args.text)).toMatch(/is FINISHED/);
    const reply = await waitFor(() => h.slack.messages.find((m) => m.channel === channel && m.threadTs === stored.ts), 5000, 'the final thread reply');
    expect(show(reply)).toContain(`<@${USERS.responder}>`);
    expect(show(reply)).toContain('FINISHED');
    // Still exactly one operation call after all of it.
    expect(operationPosts(h.sim, id)).toHaveLength(1);

    const line = await waitFor(() => auditLines(h).find((a) => a.instance_id === id), 5000, 'the audit line');
    expect(line).toMatchObject({ event: 'operation', operation: 'RETRY', outcome: 'done', request_id: requestId, user: USERS.responder, channel });
  });

  test('a lead terminates a RUNNING instance → TERMINATING, the card reaches TERMINATED', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('RUNNING');
    const r = await send(h, USERS.lead, channel, `terminate ${id} runaway playbook`);
    expect(await r.reply()).toMatch(/\*terminate\* sent for .* it is now \*TERMINATING\*/);
    const ops = operationPosts(h.sim, id);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.body).toEqual({ operation: 'TERMINATE' });
    const card = await waitFor(() => h.slack.messages.find((m) => m.channel === channel && !m.threadTs && m.text.includes(id)), 5000, 'the status card');
    expect(postsIn(h.slack, channel).filter((p) => !p.threadTs)[0]!.text).toMatch(/is TERMINATING/);
    await waitFor(() => statusOf(card) === 'TERMINATED', 10_000, 'the card to show TERMINATED');
    expect(h.sim.state.get(WS, id)!.status).toBe('TERMINATED');
  });

  test.each([
    ['retry of a RUNNING instance', USERS.responder, 'retry', 'RUNNING', /needs FAILED or TERMINATED/],
    ['terminate of a FINISHED instance', USERS.lead, 'terminate', 'FINISHED', /needs RUNNING or RETRYING/],
  ])('%s is refused with the status shown; only the read reaches SecMaster', async (_label, user, verb, status, needs) => {
    const channel = h.freshChannel();
    const id = h.addInstance(status);
    const answer = await (await send(h, user, channel, `${verb} ${id}`)).reply();
    expect(answer).toContain(`*${status}*`);
    expect(answer).toMatch(needs);
    expect(answer).toContain('Nothing was sent');
    const calls = h.sim.calls.filter((c) => c.path.includes(`/instances/${id}`));
    expect(calls.map((c) => c.method)).toEqual(['GET']);
    expect(postsIn(h.slack, channel)).toEqual([]);
    expect(h.sim.state.get(WS, id)!.status).toBe(status);
  });

  test('SecMaster refuses the operation (403) → the requester sees the code, message and request ID; audited as failed', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    h.sim.faults.add({ fault: { kind: 'status', status: 403, code: 'SecMaster.20010001', message: 'no permission' }, when: 'before', method: 'POST', pathIncludes: id, times: 1 });
    const answer = await (await send(h, USERS.responder, channel, `retry ${id}`)).reply();
    const ops = operationPosts(h.sim, id);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.status).toBe(403);
    expect(answer).toMatch(/SecMaster refused the retry/);
    expect(answer).toContain('SecMaster.20010001');
    expect(answer).toContain('no permission');
    expect(answer).toContain(ops[0]!.requestId);
    expect(postsIn(h.slack, channel)).toEqual([]);
    const line = await waitFor(() => auditLines(h).find((a) => a.instance_id === id), 5000, 'the audit line');
    expect(line).toMatchObject({ event: 'operation', operation: 'RETRY', outcome: 'failed', request_id: ops[0]!.requestId });
  });

  test('an instance SecMaster does not know → SecMaster.20030005, "No playbook instance", nothing operated', async () => {
    const channel = h.freshChannel();
    const id = `no-such-instance-${Date.now()}`;
    const answer = await (await send(h, USERS.responder, channel, `retry ${id}`)).reply();
    expect(answer).toContain('SecMaster.20030005');
    expect(answer).toContain('No playbook instance');
    expect(answer).toContain(id);
    expect(operationPosts(h.sim, id)).toEqual([]);
    expect(postsIn(h.slack, channel)).toEqual([]);
  });

  test('a hostile instance name and reason are escaped on the card, its updates, the thread reply and the confirmation', async () => {
    const channel = h.freshChannel();
    const name = '<!channel> <@U999> <https://evil.example|click> & co';
    const id = h.addInstance('FAILED', { name });
    const r = await send(h, USERS.responder, channel, `retry ${id} <!here> see <@U999>`);
    const confirmation = await r.reply();
    const card = await waitFor(() => h.slack.messages.find((m) => m.channel === channel && !m.threadTs), 5000, 'the status card');
    await waitFor(() => statusOf(card) === 'FINISHED', 10_000, 'the card to show FINISHED');
    await waitFor(() => h.slack.messages.find((m) => m.channel === channel && m.threadTs === card.ts), 5000, 'the final thread reply');

    const sent = [
      ...postsIn(h.slack, channel),
      ...h.slack.calls.filter((c) => c.method === 'chat.update' && c.args.channel === channel).map((c) => ({ text: String(c.args.text ?? ''), blocks: parseBlocks(c.args.blocks) })),
    ];
    expect(sent.length).toBeGreaterThanOrEqual(3);
    const parsed = sent.flatMap(parsedTexts).join('\n');
    for (const raw of ['<!channel>', '<@U999>', '<https://evil', '<!here>']) {
      expect(parsed).not.toContain(raw);
      expect(confirmation).not.toContain(raw);
    }
    expect(parsed).toContain('&lt;!channel&gt; &lt;@U999&gt; &lt;https://evil.example|click&gt; &amp; co');
    expect(parsed).toContain('&lt;!here&gt; see &lt;@U999&gt;');
    expect(confirmation).toContain('&lt;!channel&gt;');
    // The requester is still mentioned for real.
    expect(parsed).toContain(`<@${USERS.responder}>`);
    // Beyond mrkdwn: the whole of each message (text, blocks, button values, confirm dialogs) holds no
    // raw form outside plain_text objects (the header), which Slack shows literally and never parses.
    const outsidePlain = (m: { text: string; blocks: unknown[] }) =>
      JSON.stringify({ text: m.text, blocks: m.blocks }, (_k, v: unknown) => ((v as { type?: string } | null)?.type === 'plain_text' ? undefined : v));
    for (const m of sent) for (const raw of ['<!channel>', '<@U999>', '<https://evil', '<!here>']) expect(outsidePlain(m)).not.toContain(raw);
    expect(plainTexts(postsIn(h.slack, channel)[0]!.blocks)[0]).toBe(`Playbook instance · ${name}`);
  });

  test.each([
    ['status', (id: string) => `status ${id}`, (id: string) => `/instances/${id}`],
    ['list', () => 'list', () => '/instances'],
    ['log', (id: string) => `log ${id}`, (id: string) => `/instances/${id}`],
  ])('a hostile SecMaster error message is escaped in the private answer to `%s` (fallback text and blocks)', async (_label, text, pathOf) => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED');
    h.sim.faults.add({ fault: { kind: 'status', status: 403, code: 'SecMaster.20010001', message: '<!channel> denied, see <https://evil.example|here>' }, when: 'before', method: 'GET', pathIncludes: pathOf(id), times: 1 });
    const r = await send(h, USERS.responder, channel, text(id));
    await r.reply();
    const e = r.fresh()[0]!;
    const parsed = parsedTexts(e).join('\n');
    expect(parsed).toContain('SecMaster.20010001');
    expect(parsed).toContain('&lt;!channel&gt; denied');
    expect(parsed).not.toContain('<!channel>');
    expect(parsed).not.toContain('<https://evil');
  });

  test('a responder may not retry in #general (names #incident); the same retry in #incident runs', async () => {
    const id = h.addInstance('FAILED');
    const denied = await (await send(h, USERS.responder, CHANNELS.general, `retry ${id}`)).reply();
    expect(denied).toMatch(/You may not \*retry\* here/);
    expect(denied).toContain(`<#${CHANNELS.incident}>`);
    expect(h.sim.calls.filter((c) => c.path.includes(id))).toEqual([]);
    expect(postsIn(h.slack, CHANNELS.general)).toEqual([]);
    const line = await waitFor(() => auditLines(h).find((a) => a.instance_id === id), 5000, 'the audit line');
    expect(line).toMatchObject({ event: 'denied', outcome: 'channel_not_allowed', channel: CHANNELS.general });

    const allowed = await (await send(h, USERS.responder, CHANNELS.incident, `retry ${id}`)).reply();
    expect(allowed).toMatch(/\*retry\* sent for/);
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    await waitFor(() => postsIn(h.slack, CHANNELS.incident).find((p) => !p.threadTs && p.text.includes(id)), 5000, 'the card in #incident');
  });

  test('`status <id>` → the card, privately (with the buttons its status allows); nothing in the channel', async () => {
    const channel = h.freshChannel();
    const id = h.addInstance('FAILED', { name: 'Quarantine laptop' });
    const r = await send(h, USERS.responder, channel, `STATUS ${id}`);
    const answer = await r.reply();
    expect(answer).toContain('Quarantine laptop');
    expect(answer).toContain(id);
    expect(answer).toMatch(/is FAILED/);
    expect(answer).toContain('playbook_retry');
    expect(r.fresh()[0]!.user).toBe(USERS.responder);
    expect(postsIn(h.slack, channel)).toEqual([]);
    expect(operationPosts(h.sim, id)).toEqual([]);
  });

  test('`list` and `list failed` → a private list; the filter goes to SecMaster as status=FAILED', async () => {
    const channel = h.freshChannel();
    const failed = h.addInstance('FAILED', { name: 'List me failed' });
    const running = h.addInstance('RUNNING', { name: 'List me running' });
    const listCalls = () => h.sim.calls.filter((c) => c.method === 'GET' && /\/instances$/.test(c.path));

    const before = listCalls().length;
    const all = await (await send(h, USERS.responder, channel, 'list')).reply();
    expect(all).toContain(failed);
    expect(all).toContain(running);
    const unfiltered = listCalls().slice(before);
    expect(unfiltered).toHaveLength(1);
    expect(unfiltered[0]!.query.status).toBeUndefined();

    const mid = listCalls().length;
    const onlyFailed = await (await send(h, USERS.responder, channel, 'list failed')).reply();
    expect(onlyFailed).toMatch(/FAILED instances/);
    expect(onlyFailed).toContain(failed);
    expect(onlyFailed).not.toContain(running);
    const filtered = listCalls().slice(mid);
    expect(filtered).toHaveLength(1);
    expect(filtered[0]!.query).toMatchObject({ status: 'FAILED', offset: '0' });
    expect(postsIn(h.slack, channel)).toEqual([]);
  });

  test('retry in a private channel the bot is not in (G0PRIVATE) → the requester learns to /invite, and that the retry ran', async () => {
    const id = h.addInstance('FAILED');
    const r = await send(h, USERS.responder, CHANNELS.private, `retry ${id}`);
    const first = await r.reply(1);
    const second = await r.reply(2);
    const both = `${first}\n${second}`;
    expect(both).toContain('/invite');
    expect(both).toMatch(/operation itself was carried out/);
    expect(both).toMatch(/\*retry\* sent for/);
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect(h.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNELS.private).map((c) => c.error)).toEqual(['not_in_channel']);
    expect(h.slack.messages.filter((m) => m.channel === CHANNELS.private)).toEqual([]);
  });

  test('retry in an archived channel (C0ARCHIVED) → the requester is told it is archived, and that the retry ran', async () => {
    const id = h.addInstance('FAILED');
    const r = await send(h, USERS.responder, CHANNELS.archived, `retry ${id}`);
    const both = `${await r.reply(1)}\n${await r.reply(2)}`;
    expect(both).toMatch(/is archived/);
    expect(both).toMatch(/operation itself was carried out/);
    expect(operationPosts(h.sim, id)).toHaveLength(1);
    expect(h.slack.messages.filter((m) => m.channel === CHANNELS.archived)).toEqual([]);
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('the process (dist/main.js): bad configuration, a refused token, SIGTERM', () => {
  let dir: string;
  let slack: SlackStandIn;
  let sim: Simulator;
  const spawned: BotProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'playbook-cmd-proc-'));
    sim = await startSimulator({ projectId: PROJECT, timing: { stepMs: 150, runningMs: 0 }, credentials: { staticTokens: [SECRETS.secmasterToken] } });
    sim.state.addWorkspace(WS);
    slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: [{ id: CHANNELS.incident, name: 'incident' }] });
  });
  afterAll(async () => {
    for (const p of spawned) {
      everyProcessOutput.push(...p.stdout, ...p.stderr);
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }
    await slack?.close();
    await sim?.close();
  });

  function env(name: string, overrides: Record<string, string | undefined> = {}, policy = `slack_team_id: ${TEAM}\nroles:\n  lead:\n    users: [${USERS.lead}]\nrules:\n  - operations: [VIEW]\n    roles: [lead]\n`): Record<string, string> {
    const policyFile = path.join(dir, `${name}.yml`);
    writeFileSync(policyFile, policy);
    const base: Record<string, string | undefined> = {
      ...botEnv({ slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile, databaseUrl: `sqlite:${path.join(dir, `${name}.sqlite`)}` }, { ALERT_WEBHOOK_TOKEN: SECRETS.alert }),
      ...overrides,
    };
    return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
  }

  function spawn(e: Record<string, string>): BotProcess {
    const p = spawnBot(e);
    spawned.push(p);
    return p;
  }

  /** The exit code, or a failure if the process is still running after `ms`. */
  async function exitWithin(p: BotProcess, ms: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ms);
    });
    const code = await Promise.race([p.exited, late]);
    clearTimeout(timer);
    if (code === 'late') throw new Error(`the bot was still running after ${ms} ms; stderr: ${p.stderr.join('')}`);
    return code;
  }

  const stderrOf = (p: BotProcess) => p.stderr.join('');

  test('no SLACK_BOT_TOKEN → exits non-zero, stderr names SLACK_BOT_TOKEN', async () => {
    const p = spawn(env('no-token', { SLACK_BOT_TOKEN: undefined }));
    const code = await exitWithin(p, 10_000);
    expect(code).not.toBe(0);
    expect(stderrOf(p)).toMatch(/SLACK_BOT_TOKEN: required/);
    expect(p.stdout.some((l) => l.includes('playbook bot started'))).toBe(false);
  });

  test('a policy file with an unknown role → exits non-zero, stderr names the field path', async () => {
    const policy = `slack_team_id: ${TEAM}\nroles:\n  lead:\n    users: [${USERS.lead}]\nrules:\n  - operations: [VIEW]\n    roles: [ghost]\n`;
    const p = spawn(env('unknown-role', {}, policy));
    const code = await exitWithin(p, 10_000);
    expect(code).not.toBe(0);
    expect(stderrOf(p)).toMatch(/rules\[0\]\.roles\[0\]: unknown role "ghost"/);
  });

  test('a bot token Slack refuses → exits non-zero naming SLACK_BOT_TOKEN, no unhandled rejection, no stack', async () => {
    const wrong = 'xoxb-not-the-token-the-stand-in-knows-42';
    const p = spawn(env('refused-token', { SLACK_BOT_TOKEN: wrong }));
    const code = await exitWithin(p, 10_000);
    expect(code).not.toBe(0);
    const err = stderrOf(p);
    expect(err).toMatch(/SLACK_BOT_TOKEN: Slack refused the token \(invalid_auth\)/);
    const everything = `${err}\n${p.stdout.join('\n')}`;
    expect(everything).not.toMatch(/unhandled/i);
    expect(everything).not.toMatch(/\n\s+at /);
    expect(everything).not.toContain(wrong);
    // It did reach Slack with that token, and was refused.
    expect(slack.calls.some((c) => c.method === 'auth.test' && c.error === 'invalid_auth')).toBe(true);
  });

  test('SIGTERM on a running bot → exits 0', async () => {
    const p = spawn(env('sigterm'));
    const port = await p.port();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await exitWithin(p, 10_000)).toBe(0);
    expect(p.stdout.some((l) => l.includes('SIGTERM received'))).toBe(true);
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('secrets', () => {
  test('no secret value appears in any log line, Slack message, ephemeral, ack, Slack call or SecMaster call record', () => {
    expect(everyHarness.length).toBe(3);
    const haystacks: Array<[string, string]> = [];
    for (const [i, h] of everyHarness.entries()) {
      expect(h.logs.length).toBeGreaterThan(0);
      h.logs.forEach((l, n) => haystacks.push([`harness ${i} log line ${n}`, l]));
      h.slack.messages.forEach((m, n) => haystacks.push([`harness ${i} channel message ${n}`, show(m)]));
      h.slack.ephemerals.forEach((e, n) => haystacks.push([`harness ${i} ephemeral ${n}`, show(e)]));
      h.slack.calls.forEach((c, n) => haystacks.push([`harness ${i} Slack call ${n} (${c.method})`, JSON.stringify(c.args)]));
      h.sim.calls.forEach((c, n) => haystacks.push([`harness ${i} SecMaster call ${n}`, JSON.stringify(c)]));
    }
    everyAck.forEach((a, n) => haystacks.push([`ack ${n}`, a]));
    everyProcessOutput.forEach((o, n) => haystacks.push([`process output ${n}`, o]));
    expect(haystacks.length).toBeGreaterThan(100);
    const leaks: string[] = [];
    for (const [where, text] of haystacks) {
      for (const [name, secret] of Object.entries(SECRETS)) if (text.includes(secret)) leaks.push(`${name} in ${where}`);
    }
    expect(leaks).toEqual([]);
  });
});
