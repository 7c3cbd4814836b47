import fc from 'fast-check';
import { parsePolicy, PolicyError } from '../../src/policy/load';
import { blockActionPayload, commandBody, sendSigned } from '../../src/sandbox/slack/requests';
import { CHANNELS, SECRETS, startHarness, TEAM, USERS, waitFor, type Harness } from './harness';

/**
 * Hostile input, as properties (fast-check): whatever a person types, whatever a button carries,
 * whatever an alerting tool posts, whatever a forged-but-signed payload holds, the bot answers
 * without a 5xx, nothing throws out of a listener, and nothing reaches SecMaster that did not parse.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { OPERATIONS_PER_USER_PER_MINUTE: '100000', LOG_LEVEL: 'info' } });
});

afterAll(async () => {
  await h?.stop();
});

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Every SecMaster request names an instance that parses as an ID (or none, for a list). */
function secmasterSawOnlyValidIds(): void {
  for (const c of h.sim.calls) {
    const m = /\/instances\/([^/]+)(?:\/operation)?$/.exec(c.path);
    if (m && m[1] !== 'auditlogs') expect(decodeURIComponent(m[1]!)).toMatch(ID);
  }
}

function listenerErrors(): string[] {
  return h.logs.filter((l) => /unhandled|failed/i.test(l) && l.includes('"level":"error"'));
}

const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.constantFrom('retry', 'terminate', 'status', 'list', 'log', 'can', 'help', 'RETRY', 'retry <!channel>', 'retry ../../x', 'retry a b c', 'list FAILED 99999', 'can view extra', 'terminate ' + 'x'.repeat(65)),
);

test('the policy loader answers any text with a policy or a PolicyError, nothing else', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('slack_team_id: T0X\nroles: {}\nrules: []', 'roles:\n  - a', ':', '---\n- 1', '{}', 'null', '&a [*a]')), (text) => {
      try {
        parsePolicy(text);
      } catch (err) {
        expect(err).toBeInstanceOf(PolicyError);
        expect((err as PolicyError).problems.length).toBeGreaterThan(0);
      }
    }),
    { numRuns: 300 },
  );
});

test('any slash-command text: 200, an answer, and SecMaster only ever sees valid IDs', async () => {
  await fc.assert(
    fc.asyncProperty(anyText, async (text) => {
      const res = await h.command(USERS.responder, CHANNELS.incident, text);
      expect(res.status).toBe(200);
    }),
    { numRuns: 60 },
  );
  secmasterSawOnlyValidIds();
  expect(listenerErrors()).toEqual([]);
});

test('any button value on playbook_retry / playbook_terminate / approve / reject: 200, nothing parsed wrongly reaches SecMaster', async () => {
  const ops = h.sim.calls.filter((c) => c.method === 'POST').length;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('playbook_retry', 'playbook_terminate', 'playbook_approve', 'playbook_reject', 'playbook_explain', 'playbook_share', 'playbook_list_page'),
      fc.oneof(fc.string({ maxLength: 100 }), fc.json({ maxDepth: 2 }), fc.constant('{"instance_id":"a b"}'), fc.constant('{"instance_id":"x","workspace_id":"../y"}'), fc.constant('apr_'.padEnd(80, 'x'))),
      async (actionId, value) => {
        const res = await h.click({ userId: USERS.lead, channelId: CHANNELS.incident, actionId, value });
        expect(res.status).toBe(200);
      },
    ),
    { numRuns: 80 },
  );
  secmasterSawOnlyValidIds();
  // Random values name no real instance: no operation can have been sent.
  expect(h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/operation')).length).toBe(ops);
  expect(listenerErrors()).toEqual([]);
});

test('forged-but-signed payloads with missing or odd fields: never a 5xx, never an operation', async () => {
  const events = `${h.url}/slack/events`;
  const ops = h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/operation')).length;
  const id = h.addInstance('FAILED');
  const base = blockActionPayload({ teamId: TEAM, userId: USERS.lead, channelId: CHANNELS.incident, actionId: 'playbook_retry', value: id, responseUrl: h.slack.responseUrl(USERS.lead, CHANNELS.incident) });
  const mutations = fc.record({
    drop: fc.subarray(['team', 'user', 'channel', 'container', 'actions', 'response_url', 'type'] as const),
    teamId: fc.oneof(fc.constant(TEAM), fc.string({ maxLength: 20 }), fc.constant(null)),
    userId: fc.oneof(fc.constant(USERS.outsider), fc.string({ maxLength: 20 }), fc.integer()),
    actions: fc.oneof(fc.constant([]), fc.constant('x'), fc.array(fc.record({ action_id: fc.string(), value: fc.anything() }), { maxLength: 2 })),
  });
  await fc.assert(
    fc.asyncProperty(mutations, async (m) => {
      const p: Record<string, unknown> = JSON.parse(JSON.stringify(base));
      for (const k of m.drop) delete p[k];
      if (p.team) p.team = { id: m.teamId };
      if (p.user) p.user = { id: m.userId };
      if (!m.drop.includes('actions')) p.actions = m.actions;
      const body = new URLSearchParams({ payload: JSON.stringify(p) }).toString();
      const res = await sendSigned(events, SECRETS.signing, body);
      expect(res.status).toBeLessThan(500);
    }),
    // A payload no listener matches is answered by Bolt with 404 after its 3 s wait: keep the runs few.
    { numRuns: 15 },
  );
  // Garbage bodies, signed: not JSON, wrong content type, a command without fields.
  // …and the shapes a fast-check run once found: `actions` that Bolt routes as a click whatever the type.
  const odd = [{ ...base, type: undefined, actions: 'x' }, { ...base, type: 'interactive_message', actions: ['x'] }, { ...base, type: undefined, actions: [null] }];
  for (const body of [...odd.map((p) => new URLSearchParams({ payload: JSON.stringify(p) }).toString()), 'payload=%7Bnot-json', 'payload=', '', 'command=%2Fplaybook', commandBody({ teamId: '', userId: '', channelId: '', text: 'retry x', responseUrl: '' })]) {
    const res = await sendSigned(events, SECRETS.signing, body);
    expect(res.status).toBeLessThan(500);
  }
  expect(h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/operation')).length).toBe(ops);
  expect(listenerErrors()).toEqual([]);
}, 120_000);

test('a signed body that is not a JSON object (null, payload=null, a number, a string, an array) → 400 at once, nothing thrown', async () => {
  const events = `${h.url}/slack/events`;
  const ops = h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/operation')).length;
  const cases: Array<[string, string]> = [
    ['null', 'application/json'],
    ['42', 'application/json'],
    ['"ssl_check"', 'application/json'],
    ['[]', 'application/json'],
    ['true', 'application/json'],
    ['payload=null', 'application/x-www-form-urlencoded'],
    ['payload=42', 'application/x-www-form-urlencoded'],
    ['payload=%5B%5D', 'application/x-www-form-urlencoded'],
  ];
  for (const [body, contentType] of cases) {
    const started = Date.now();
    const res = await sendSigned(events, SECRETS.signing, body, { contentType });
    expect({ body, status: res.status }).toEqual({ body, status: 400 });
    expect(JSON.parse(res.text)).toEqual({ ok: false, error: 'malformed_body' });
    // Answered by the guard, not by a listener's 3 s timeout.
    expect(Date.now() - started).toBeLessThan(2000);
  }
  // Unsigned, the same bodies are refused for their signature first, as every request is.
  for (const [body, contentType] of cases) expect((await sendSigned(events, 'not-the-signing-secret', body, { contentType })).status).toBe(401);
  expect(h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/operation')).length).toBe(ops);
  expect(listenerErrors()).toEqual([]);
});

test('any signed JSON value as the body or as the payload field: answered, never a 5xx', async () => {
  const events = `${h.url}/slack/events`;
  await fc.assert(
    fc.asyncProperty(fc.jsonValue({ maxDepth: 2 }), fc.boolean(), async (value, asForm) => {
      const text = JSON.stringify(value) ?? 'null';
      const body = asForm ? new URLSearchParams({ payload: text }).toString() : text;
      const res = await sendSigned(events, SECRETS.signing, body, { contentType: asForm ? 'application/x-www-form-urlencoded' : 'application/json' });
      expect(res.status).toBeLessThan(500);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) expect(res.status).toBe(400);
    }),
    // An object no listener matches is answered by Bolt with 404 after its 3 s wait: keep the runs few.
    { numRuns: 20 },
  );
  expect(listenerErrors()).toEqual([]);
}, 120_000);

test('forged-but-signed Events API bodies (odd `event` fields, odd app_home_opened): never a 5xx, nothing thrown', async () => {
  const events = `${h.url}/slack/events`;
  const views = h.slack.calls.filter((c) => c.method === 'views.publish').length;
  const eventField = fc.oneof(
    fc.constantFrom<unknown>('x', null, 42, [], ['x'], {}),
    fc.record({ type: fc.oneof(fc.constant('app_home_opened'), fc.string({ maxLength: 20 })), user: fc.oneof(fc.constant(USERS.lead), fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)), tab: fc.oneof(fc.constant('home'), fc.constant('messages'), fc.anything()), channel: fc.anything(), item: fc.anything() }, { requiredKeys: [] }),
  );
  await fc.assert(
    fc.asyncProperty(eventField, fc.option(fc.string({ maxLength: 12 })), async (event, eventId) => {
      const body = JSON.stringify({ type: 'event_callback', team_id: TEAM, api_app_id: 'A0PLAYBOOK', event, ...(eventId === null ? {} : { event_id: eventId }), event_time: 1 });
      const res = await sendSigned(events, SECRETS.signing, body, { contentType: 'application/json' });
      expect(res.status).toBeLessThan(500);
    }),
    { numRuns: 25 },
  );
  for (const event of ['x', null, 42, ['x'], { type: 'app_home_opened', tab: 'home' }, { type: 'app_home_opened', user: null, tab: 'home' }, { type: 'app_home_opened', user: 42, tab: 'home' }, { type: 'message', item: null }]) {
    const res = await sendSigned(events, SECRETS.signing, JSON.stringify({ type: 'event_callback', team_id: TEAM, event, event_id: 'Ev0ODD' }), { contentType: 'application/json' });
    expect(res.status).toBeLessThan(500);
  }
  // No view was published for a viewer that does not parse as a Slack user.
  const published = h.slack.calls.filter((c) => c.method === 'views.publish').slice(views);
  for (const c of published) expect(String((c.args as { user_id?: unknown }).user_id)).toMatch(/^[A-Z0-9]{2,40}$/);
  expect(listenerErrors()).toEqual([]);
}, 120_000);

test('any alert webhook body: 400/404 naming the problem or 200, never a 5xx, nothing posted for a bad one', async () => {
  const posted = h.slack.messages.length;
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.json({ maxDepth: 3 }),
        fc.record({ channel: fc.oneof(fc.constant(CHANNELS.incident), fc.string({ maxLength: 20 })), instance_id: fc.oneof(fc.string({ maxLength: 70 }), fc.integer()), title: fc.option(fc.string({ maxLength: 250 })), severity: fc.option(fc.string({ maxLength: 50 })) }).map((o) => JSON.stringify(o)),
      ),
      async (body) => {
        const res = await fetch(`${h.url}/alerts`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.alert}`, 'content-type': 'application/json' }, body });
        expect(res.status).toBeLessThan(500);
        const answer = (await res.json()) as { ok: boolean; field?: string };
        if (res.status === 400 && (answer as { error?: string }).error === 'invalid_body') expect(answer.field).toBeTruthy();
        if (res.status === 200) accepted++;
      },
    ),
    { numRuns: 100 },
  );
  // Random instance IDs exist nowhere, so nothing can have been posted.
  expect(accepted).toBe(0);
  expect(h.slack.messages.length).toBe(posted);
});

test('request bodies have a size limit: an oversized Slack request or alert gets 413 and changes nothing', async () => {
  const big = 'x'.repeat(100 * 1024);
  const slack = await sendSigned(`${h.url}/slack/events`, SECRETS.signing, commandBody({ teamId: TEAM, userId: USERS.responder, channelId: CHANNELS.incident, text: `help ${big}`, responseUrl: 'http://127.0.0.1:1/' }));
  expect(slack.status).toBe(413);
  const alert = await fetch(`${h.url}/alerts`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.alert}` }, body: JSON.stringify({ channel: CHANNELS.incident, instance_id: 'x', title: big }) });
  expect(alert.status).toBe(413);
});

test('the per-user rate limit answers clearly and sends nothing more', async () => {
  const limited = await startHarness({ env: { OPERATIONS_PER_USER_PER_MINUTE: '2' }, slack: h.slack, simulator: h.sim });
  try {
    const ids = [h.addInstance('FAILED'), h.addInstance('FAILED'), h.addInstance('FAILED')];
    for (const id of ids) {
      await limited.command(USERS.responder2, CHANNELS.incident, `retry ${id}`);
      await waitFor(() => h.slack.ephemerals.find((e) => e.user === USERS.responder2 && e.text.includes(id)) ?? h.slack.ephemerals.find((e) => e.user === USERS.responder2 && e.text.includes('operations in the last minute') && !e.text.includes('seen')), 5000, `answer for ${id}`);
    }
    const answer = h.slack.ephemerals.filter((e) => e.user === USERS.responder2).map((e) => e.text).join('\n');
    expect(answer).toMatch(/You have asked for 2 operations in the last minute, the most allowed\. Try again in \d+ s/);
    expect(h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${ids[2]}/operation`))).toHaveLength(0);
    expect(h.sim.calls.filter((c) => c.method === 'POST' && (c.path.endsWith(`/${ids[0]}/operation`) || c.path.endsWith(`/${ids[1]}/operation`)))).toHaveLength(2);
    expect(limited.logs.some((l) => l.includes('"outcome":"rate_limited"'))).toBe(true);
  } finally {
    await limited.bot.stop();
  }
});
