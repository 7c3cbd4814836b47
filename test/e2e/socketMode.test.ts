import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { blockActionPayload } from '../../src/sandbox/slack/requests';
import { CHANNELS, SECRETS, startHarness, TEAM, USERS, waitFor, WS, type Harness } from './harness';
import { startSocketStandIn, type SocketStandIn } from './socketStandIn';

/**
 * Socket Mode (SLACK_APP_TOKEN set): the same core scenario as HTTP mode, delivered over a local
 * stand-in of Slack's WebSocket side, with /healthz and /alerts still on PORT, and reconnects.
 */
const APP_TOKEN = 'xapp-1-A0PLAYBOOK-socket-e2e-0123456789';

let socket: SocketStandIn;
let slack: SlackStandIn;
let h: Harness;

beforeAll(async () => {
  socket = await startSocketStandIn();
  slack = await startSlackStandIn({
    botToken: SECRETS.bot,
    teamId: TEAM,
    appToken: APP_TOKEN,
    socketUrl: () => socket.url(),
    channels: [{ id: CHANNELS.incident, name: 'incident' }, { id: CHANNELS.general, name: 'general' }],
  });
  h = await startHarness({ slack, env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '' } });
  await socket.waitForConnections(1);
});

afterAll(async () => {
  await h?.stop();
  await slack?.close();
  await socket?.close();
});

function commandPayload(user: string, channel: string, text: string) {
  return {
    token: 'ignored',
    team_id: TEAM,
    team_domain: 'sandbox',
    channel_id: channel,
    channel_name: channel.toLowerCase(),
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/playbook',
    text,
    api_app_id: 'A0PLAYBOOK',
    is_enterprise_install: 'false',
    response_url: slack.responseUrl(user, channel),
    trigger_id: '1.2.3',
  };
}

test('the app opened a Socket Mode connection with its app token', () => {
  const opens = slack.calls.filter((c) => c.method === 'apps.connections.open');
  expect(opens.length).toBeGreaterThanOrEqual(1);
  expect(opens.every((c) => !c.error)).toBe(true);
});

test('help is acknowledged over the socket with the usage in the ack payload', async () => {
  const ack = await socket.deliver('slash_commands', commandPayload(USERS.responder, CHANNELS.incident, 'help'));
  expect(JSON.stringify(ack)).toContain('retry');
  expect(h.sim.calls).toHaveLength(0);
});

test('retry end to end: acked, one operation, a status card that reaches FINISHED', async () => {
  const id = h.addInstance('FAILED', { name: 'Socket brute force' });
  await socket.deliver('slash_commands', commandPayload(USERS.responder, CHANNELS.incident, `retry ${id} via socket`));
  const card = await waitFor(() => slack.messages.find((m) => m.channel === CHANNELS.incident && m.text.includes(id)), 5000, 'status card');
  await waitFor(() => card.text.includes('FINISHED'), 5000, 'FINISHED');
  expect(h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${id}/operation`))).toHaveLength(1);
  expect(slack.ephemerals.some((e) => e.user === USERS.responder && e.text.includes('*retry* sent'))).toBe(true);
});

test('a denied request over the socket calls nothing', async () => {
  const id = h.addInstance('FAILED');
  const before = h.sim.calls.length;
  await socket.deliver('slash_commands', commandPayload(USERS.outsider, CHANNELS.incident, `retry ${id}`));
  await waitFor(() => slack.ephemerals.find((e) => e.user === USERS.outsider && e.text.includes('You may not *retry*')), 5000, 'denial');
  expect(h.sim.calls.length).toBe(before);
});

test('a button click on an alert card over the socket: the card becomes the status card', async () => {
  const id = h.addInstance('FAILED', { name: 'Socket alert' });
  const res = await fetch(`${h.url}/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRETS.alert}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: CHANNELS.incident, instance_id: id, title: 'Socket alert', severity: 'high' }),
  });
  expect(res.status).toBe(200);
  const { ts } = (await res.json()) as { ts: string };
  const card = slack.messages.find((m) => m.ts === ts)!;
  await socket.deliver(
    'interactive',
    blockActionPayload({ teamId: TEAM, userId: USERS.responder, channelId: CHANNELS.incident, actionId: 'playbook_retry', value: id, responseUrl: slack.responseUrl(USERS.responder, CHANNELS.incident), message: { ts, bot_id: slack.botId, blocks: card.blocks, text: card.text } }),
  );
  await waitFor(() => card.text.includes('FINISHED'), 5000, 'alert card reaches FINISHED');
  expect(card.edits).toBeGreaterThanOrEqual(2);
  expect(slack.messages.filter((m) => m.channel === CHANNELS.incident && m.text.includes(id) && !m.threadTs)).toHaveLength(1);
});

test('HTTP stays up in Socket Mode: /healthz answers and /slack/events says why it is not used', async () => {
  expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  const events = await fetch(`${h.url}/slack/events`, { method: 'POST', body: 'x' });
  expect(events.status).toBe(404);
  expect(await events.json()).toEqual({ ok: false, error: 'socket_mode' });
});

test('reconnects when Slack asks (disconnect) and when the connection drops, then keeps working', async () => {
  const before = socket.connections();
  socket.askToReconnect();
  await socket.waitForConnections(before + 1);
  socket.dropAll();
  await socket.waitForConnections(before + 2, 20_000);
  const id = h.addInstance('FAILED', { name: 'After reconnect' });
  await waitFor(async () => {
    try {
      await socket.deliver('slash_commands', commandPayload(USERS.responder, CHANNELS.incident, `retry ${id}`), 1000);
      return true;
    } catch {
      return false;
    }
  }, 15_000, 'an acknowledged envelope after reconnecting');
  await waitFor(() => slack.messages.find((m) => m.channel === CHANNELS.incident && m.text.includes(id)), 5000, 'card after reconnect');
  expect(h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${id}/operation`))).toHaveLength(1);
  expect(WS).toBe('ws-e2e');
}, 40_000);
