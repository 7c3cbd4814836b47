import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { CHANNELS, SECRETS, STANDARD_CHANNELS, startHarness, TEAM, WS, type Harness } from './harness';
import { actionIdsOf, buttonsOf, find, instanceReads, postAlert } from './cardInspect';

/**
 * `POST /alerts` (spec section 6) against the real bot: the bearer token, body checks that name the
 * field, the size limit, and the alert card it posts with exactly the buttons the status allows.
 */
let h: Harness;
let slack: SlackStandIn;
// Slack allows about one post a second per channel (the bot paces itself): one channel per card test.
let nextChannel = 0;
const freshChannel = () => `C0ALERT${nextChannel++}`;

beforeAll(async () => {
  slack = await startSlackStandIn({
    botToken: SECRETS.bot,
    teamId: TEAM,
    channels: [
      ...STANDARD_CHANNELS,
      ...Array.from({ length: 20 }, (_, i) => ({ id: `C0ALERT${i}`, name: `alerts-${i}` })),
    ],
  });
  h = await startHarness({ slack, env: { SLACK_UPDATES_PER_MINUTE: '100000' } });
});

afterAll(async () => {
  await h?.stop();
  await slack?.close();
});

/** Runs `fn` and returns how many SecMaster calls and Slack channel messages/calls it caused. */
async function sideEffects(fn: () => Promise<void>): Promise<{ secmaster: number; posted: number; slackCalls: number }> {
  const calls = h.sim.calls.length;
  const messages = h.slack.messages.length;
  const slackCalls = h.slack.calls.length;
  await fn();
  // Give anything the bot might still do in the background a moment to show up.
  await new Promise((r) => setTimeout(r, 100));
  return { secmaster: h.sim.calls.length - calls, posted: h.slack.messages.length - messages, slackCalls: h.slack.calls.length - slackCalls };
}

describe('POST /alerts: authentication', () => {
  test('answers 404 when ALERT_WEBHOOK_TOKEN is unset, even to a request that carries a token', async () => {
    const off = await startHarness({ env: { ALERT_WEBHOOK_TOKEN: '' }, simulator: h.sim, slack: h.slack });
    try {
      const id = h.addInstance('FAILED');
      const effects = await sideEffects(async () => {
        const res = await postAlert(off.url, { channel: CHANNELS.incident, instance_id: id });
        expect(res.status).toBe(404);
        const none = await postAlert(off.url, { channel: CHANNELS.incident, instance_id: id }, { auth: null });
        expect(none.status).toBe(404);
      });
      expect(effects).toEqual({ secmaster: 0, posted: 0, slackCalls: 0 });
    } finally {
      await off.stop();
    }
  });

  test.each([
    ['no Authorization header', null],
    ['a wrong token', 'Bearer not-the-alert-token-at-all'],
    ['the token with a suffix', `Bearer ${SECRETS.alert}x`],
    ['a prefix of the token', `Bearer ${SECRETS.alert.slice(0, -1)}`],
    ['the right token under another scheme', `Basic ${SECRETS.alert}`],
    ['an empty bearer', 'Bearer '],
  ])('%s → 401, nothing read and nothing posted', async (_label, auth) => {
    const id = h.addInstance('FAILED');
    const effects = await sideEffects(async () => {
      const res = await postAlert(h.url, { channel: CHANNELS.incident, instance_id: id }, { auth });
      expect(res.status).toBe(401);
      expect(res.json.ok).toBe(false);
    });
    expect(effects).toEqual({ secmaster: 0, posted: 0, slackCalls: 0 });
  });
});

describe('POST /alerts: body checks', () => {
  test('a body that is not JSON → 400, nothing read or posted', async () => {
    const effects = await sideEffects(async () => {
      const res = await postAlert(h.url, undefined, { raw: '{"channel": "C0INCIDENT", instance_id' });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('invalid_json');
    });
    expect(effects).toEqual({ secmaster: 0, posted: 0, slackCalls: 0 });
  });

  test.each<[string, string, Record<string, unknown>]>([
    ['missing channel', 'channel', { instance_id: 'abc' }],
    ['a channel name instead of an ID', 'channel', { channel: '#incident', instance_id: 'abc' }],
    ['a channel that is a number', 'channel', { channel: 42, instance_id: 'abc' }],
    ['missing instance_id', 'instance_id', { channel: CHANNELS.incident }],
    ['an instance_id with a space', 'instance_id', { channel: CHANNELS.incident, instance_id: 'a b' }],
    ['an instance_id with a path', 'instance_id', { channel: CHANNELS.incident, instance_id: '../x' }],
    ['an instance_id of 65 characters', 'instance_id', { channel: CHANNELS.incident, instance_id: 'a'.repeat(65) }],
    ['a workspace_id with a slash', 'workspace_id', { channel: CHANNELS.incident, instance_id: 'abc', workspace_id: 'ws/x' }],
    ['a title of 201 characters', 'title', { channel: CHANNELS.incident, instance_id: 'abc', title: 't'.repeat(201) }],
    ['a severity that is an object', 'severity', { channel: CHANNELS.incident, instance_id: 'abc', severity: { level: 1 } }],
  ])('%s → 400 naming %s, nothing read or posted', async (_label, field, body) => {
    const effects = await sideEffects(async () => {
      const res = await postAlert(h.url, body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ ok: false, error: 'invalid_body', field });
      expect(String(res.json.message)).toContain(field);
    });
    expect(effects).toEqual({ secmaster: 0, posted: 0, slackCalls: 0 });
  });

  test('a JSON array or null is a bad body too (400)', async () => {
    for (const raw of ['[]', 'null', '"C0INCIDENT"']) {
      const res = await postAlert(h.url, undefined, { raw });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('invalid_body');
    }
  });

  test('a body over 16 KB → 413, nothing read or posted', async () => {
    const id = h.addInstance('FAILED');
    const effects = await sideEffects(async () => {
      const res = await postAlert(h.url, { channel: CHANNELS.incident, instance_id: id, padding: 'x'.repeat(17 * 1024) });
      expect(res.status).toBe(413);
    });
    expect(effects).toEqual({ secmaster: 0, posted: 0, slackCalls: 0 });
  });

  test('a chunked body (no content-length) over 16 KB → 413 too', async () => {
    const id = h.addInstance('FAILED');
    const effects = await sideEffects(async () => {
      const chunk = new TextEncoder().encode(`{"channel":"${CHANNELS.incident}","instance_id":"${id}","padding":"${'x'.repeat(4096)}`);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 5) controller.enqueue(chunk);
          else {
            controller.enqueue(new TextEncoder().encode('"}'));
            controller.close();
          }
        },
      });
      const res = await fetch(`${h.url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.alert}` },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
    });
    expect(effects).toEqual({ secmaster: 0, posted: 0, slackCalls: 0 });
  });

  test('a body just under 16 KB is read (unknown fields are ignored)', async () => {
    const id = h.addInstance('FINISHED');
    const body = { channel: CHANNELS.incident, instance_id: id, padding: '' };
    body.padding = 'x'.repeat(16 * 1024 - JSON.stringify(body).length - 1);
    const res = await postAlert(h.url, body);
    expect(res.status).toBe(200);
  });
});

describe('POST /alerts: the alert card', () => {
  test('FAILED → 200 {ok, channel, ts} and a card with the title, severity, facts, Retry and "why"', async () => {
    const channel = freshChannel();
    const id = h.addInstance('FAILED', { name: 'Isolate host db-07', playbook: { id: 'p', version_id: 'v', name: 'Isolate compromised host', version: 'v3.1' } });
    const res = await postAlert(h.url, { channel, instance_id: id, title: 'Ransomware beacon on db-07', severity: 'critical' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, channel, ts: expect.any(String) });

    const card = find(h.slack, channel, String(res.json.ts));
    expect(card.botId).toBe(h.slack.botId);
    expect(card.threadTs).toBeUndefined();
    expect(card.text.length).toBeGreaterThan(0);
    const shown = `${card.text}\n${JSON.stringify(card.blocks)}`;
    for (const fact of ['Ransomware beacon on db-07', 'critical', id, 'Isolate host db-07', 'Isolate compromised host', 'v3.1', 'FAILED']) {
      expect(shown).toContain(fact);
    }
    expect(actionIdsOf(card.blocks)).toEqual(['playbook_retry', 'playbook_explain']);
    expect(buttonsOf(card.blocks)[0]!.value).toBe(id);
    // One read, no operation.
    expect(instanceReads(h.sim, id)).toHaveLength(1);
    expect(h.sim.calls.filter((c) => c.path.includes(id) && c.method === 'POST')).toHaveLength(0);
  });

  test('RUNNING → only Terminate, and it carries a confirm dialog', async () => {
    const channel = freshChannel();
    const id = h.addInstance('RUNNING');
    const res = await postAlert(h.url, { channel, instance_id: id, title: 'Still running' });
    expect(res.status).toBe(200);
    const card = find(h.slack, channel, String(res.json.ts));
    expect(actionIdsOf(card.blocks)).toEqual(['playbook_terminate']);
    const terminate = buttonsOf(card.blocks)[0]!;
    expect(terminate.value).toBe(id);
    expect(terminate.confirm).toMatchObject({ title: { type: 'plain_text' }, text: { type: 'mrkdwn' }, confirm: { type: 'plain_text' }, deny: { type: 'plain_text' } });
  });

  test('FINISHED → no buttons at all', async () => {
    const channel = freshChannel();
    const id = h.addInstance('FINISHED');
    const res = await postAlert(h.url, { channel, instance_id: id });
    expect(res.status).toBe(200);
    const card = find(h.slack, channel, String(res.json.ts));
    expect(actionIdsOf(card.blocks)).toEqual([]);
    expect(`${card.text}${JSON.stringify(card.blocks)}`).toContain('FINISHED');
  });

  test('TERMINATED → Retry only (no "why", that is for FAILED)', async () => {
    const channel = freshChannel();
    const id = h.addInstance('TERMINATED');
    const res = await postAlert(h.url, { channel, instance_id: id });
    expect(res.status).toBe(200);
    expect(actionIdsOf(find(h.slack, channel, String(res.json.ts)).blocks)).toEqual(['playbook_retry']);
  });

  test('another workspace: read there, and the buttons carry the workspace as JSON', async () => {
    const channel = freshChannel();
    h.sim.state.addWorkspace('ws-alerts-other');
    const id = h.sim.state.add('ws-alerts-other', { status: 'FAILED' }).id;
    const res = await postAlert(h.url, { channel, instance_id: id, workspace_id: 'ws-alerts-other' });
    expect(res.status).toBe(200);
    expect(instanceReads(h.sim, id)[0]!.path).toContain('/workspaces/ws-alerts-other/');
    const retry = buttonsOf(find(h.slack, channel, String(res.json.ts)).blocks)[0]!;
    expect(JSON.parse(retry.value!)).toEqual({ instance_id: id, workspace_id: 'ws-alerts-other' });
  });

  test('title and severity from the caller are escaped: no @channel, no mention, no forged link', async () => {
    const channel = freshChannel();
    const id = h.addInstance('FINISHED');
    const res = await postAlert(h.url, { channel, instance_id: id, title: '<!channel> hi <@U0LEAD> <https://evil.example|click>', severity: '<!here>' });
    expect(res.status).toBe(200);
    const card = find(h.slack, channel, String(res.json.ts));
    const shown = `${card.text}\n${JSON.stringify(card.blocks)}`;
    expect(shown).not.toMatch(/<!channel>|<!here>|<@U0LEAD>|<https:/);
    expect(shown).toContain('&lt;!channel&gt;');
  });

  test('an unknown instance → 404 with the SecMaster code, nothing posted', async () => {
    const effects = await sideEffects(async () => {
      const res = await postAlert(h.url, { channel: CHANNELS.incident, instance_id: 'no-such-instance' });
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ ok: false, error: 'instance_not_found', code: 'SecMaster.20030005' });
      expect(res.json.request_id).toEqual(expect.any(String));
    });
    expect(effects.posted).toBe(0);
    expect(instanceReads(h.sim, 'no-such-instance')).toHaveLength(1);
  });

  test('SecMaster unavailable → 502 with its code, nothing posted', async () => {
    const id = h.addInstance('FAILED');
    h.sim.faults.add({ fault: { kind: 'status', status: 503, code: 'SecMaster.00000503', message: 'busy' }, when: 'before', pathIncludes: id });
    const res = await postAlert(h.url, { channel: CHANNELS.incident, instance_id: id });
    h.sim.faults.clear();
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ ok: false, code: 'SecMaster.00000503' });
    expect(h.slack.messages.filter((m) => JSON.stringify(m.blocks).includes(id))).toHaveLength(0);
  });

  test.each([
    [CHANNELS.private, 'not_in_channel'],
    [CHANNELS.archived, 'is_archived'],
    ['C0NOSUCHCHAN', 'channel_not_found'],
  ])('a channel the bot cannot post in (%s) → 400 %s, nothing posted', async (channel, error) => {
    const id = h.addInstance('FAILED');
    const res = await postAlert(h.url, { channel, instance_id: id });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ ok: false, error });
    expect(h.slack.messages.filter((m) => m.channel === channel)).toHaveLength(0);
  });

  test('a default-workspace alert is read in the default workspace', async () => {
    const id = h.addInstance('FINISHED');
    const res = await postAlert(h.url, { channel: CHANNELS.general, instance_id: id });
    expect(res.status).toBe(200);
    expect(instanceReads(h.sim, id).map((c) => c.path)).toEqual([expect.stringContaining(`/workspaces/${WS}/`)]);
  });
});
