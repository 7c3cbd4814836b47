import { sign as rsaSign } from 'node:crypto';
import { createSandboxPki, type SandboxPki } from '../../src/sandbox/smn/pki';
import { startSmnTopic, type SmnBody, type SmnTopicStandIn } from '../../src/sandbox/smn/topic';
import { actionIdsOf, buttonsOf, instanceReads } from './cardInspect';
import { startWideHarness, type WideHarness } from './cardInspect';
import { startHarness, waitFor } from './harness';

/**
 * `POST /smn` (spec section 9) through the real bot on a port: an SMN topic stand-in on loopback
 * HTTPS (its own CA, TLS certificate and SHA256withRSA signing certificate, made at start) is the
 * topic; the bot trusts its host through SMN_TRUSTED_HOSTS and its CA through the injected
 * `smnCa`. Cards are read back from the Slack stand-in, SecMaster calls from the simulator.
 */
let h: WideHarness;
let pki: SandboxPki;
let topic: SmnTopicStandIn;
let topicChannel: string;

beforeAll(async () => {
  pki = await createSandboxPki();
  topic = await startSmnTopic({ pki });
  h = await startWideHarness({
    extra: 12,
    smnCa: pki.caPem,
    env: { SMN_TOPICS: `${topic.topicUrn}=C0WIDE0`, SMN_TRUSTED_HOSTS: topic.host, SLACK_UPDATES_PER_MINUTE: '100000' },
  });
  topicChannel = h.freshChannel();
  expect(topicChannel).toBe('C0WIDE0');
});

afterAll(async () => {
  await h?.stop();
  await topic?.close();
});

const endpoint = () => `${h.url}/smn`;
const logLines = () => h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

/** Sends a body as SMN would (headers from the body unless given). */
async function post(body: SmnBody, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(endpoint(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-smn-message-type': body.type ?? '', 'x-smn-message-id': body.message_id ?? '', 'x-smn-topic-urn': body.topic_urn ?? '', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/**
 * Counts what `fn` caused: Slack messages, SecMaster reads of forged instances (their IDs start with
 * `x-`; the watcher keeps reading earlier cards' instances meanwhile), and requests to the trusted
 * topic's server other than its certificate (fetching that to check a signature is expected).
 */
async function effects(fn: () => Promise<void>): Promise<{ posted: number; secmaster: number; topicRequests: number }> {
  const forgedReads = () => h.sim.calls.filter((c) => c.path.includes('/instances/x-')).length;
  const confirms = () => topic.requests.filter((r) => !r.endsWith('.pem')).length;
  const before = { posted: h.slack.messages.length, secmaster: forgedReads(), topicRequests: confirms() };
  await fn();
  await new Promise((r) => setTimeout(r, 150));
  return { posted: h.slack.messages.length - before.posted, secmaster: forgedReads() - before.secmaster, topicRequests: confirms() - before.topicRequests };
}

const newId = () => Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256))).toString('hex');
const smnTime = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('SubscriptionConfirmation', () => {
  test('the bot confirms by GET subscribe_url once, however often SMN sends the confirmation, and audits it', async () => {
    const first = await topic.subscribe(endpoint());
    expect(first.status).toBe(200);
    expect(JSON.parse(first.answer)).toEqual({ ok: true, confirmed: true });
    expect(topic.state()).toMatchObject({ subscription: 'confirmed', confirmations: 1 });

    for (let i = 0; i < 2; i++) {
      const again = await topic.deliver(first.body);
      expect(again.status).toBe(200);
      expect(JSON.parse(again.answer)).toEqual({ ok: true, duplicate: true });
    }
    expect(topic.state().confirmations).toBe(1);
    expect(topic.requests.filter((r) => r.startsWith('GET /smn/subscription/confirm'))).toHaveLength(1);
    // The certificate was fetched once and then served from the cache.
    expect(topic.requests.filter((r) => r.endsWith('.pem'))).toHaveLength(1);

    const audit = await h.bot.deps.store.listAudit({});
    expect(audit.filter((r) => r.event === 'smn_subscription')).toEqual([expect.objectContaining({ outcome: 'confirmed', user: 'smn', channel: topicChannel, detail: expect.stringContaining(topic.topicUrn) })]);
    expect(logLines().filter((l) => l.message === 'audit' && (l.audit as { event: string }).event === 'smn_subscription')).toHaveLength(1);
  });
});

describe('Notification', () => {
  test('a signed notification for a FAILED instance posts one alert card in the topic channel, with Retry', async () => {
    const id = h.addInstance('FAILED', { name: 'Contain brute force on ecs-07' });
    const posted = await effects(async () => {
      const d = await topic.publish({ subject: 'SecMaster alert', message: JSON.stringify({ instance_id: id, title: 'Brute force on ecs-07', severity: 'high' }) });
      expect(d.status).toBe(200);
      expect(JSON.parse(d.answer)).toMatchObject({ ok: true, channel: topicChannel });
    });
    expect(posted.posted).toBe(1);
    const card = h.channelMessages(topicChannel).find((m) => JSON.stringify(m.blocks).includes(id))!;
    expect(card.botId).toBe(h.slack.botId);
    const shown = `${card.text}\n${JSON.stringify(card.blocks)}`;
    for (const fact of ['Brute force on ecs-07', 'high', id, 'FAILED', 'Contain brute force on ecs-07']) expect(shown).toContain(fact);
    expect(actionIdsOf(card.blocks)).toEqual(['playbook_retry', 'playbook_explain']);
    expect(buttonsOf(card.blocks)[0]!.value).toBe(id);
    expect(instanceReads(h.sim, id)).toHaveLength(1);

    const verified = logLines().find((l) => l.message === 'SMN message verified' && l.type === 'Notification');
    expect(verified).toMatchObject({ topic_urn: topic.topicUrn, hash: 'sha256' });
    console.log(`verified: ${h.logs.find((l) => l.includes('"SMN message verified"') && l.includes('"Notification"'))}`);
    console.log(`card text: ${card.text}`);
    console.log(`card buttons: ${JSON.stringify(buttonsOf(card.blocks).map((b) => ({ action_id: b.action_id, value: b.value })))}`);
    console.log(`card blocks: ${JSON.stringify(card.blocks)}`);
  });

  test('free text naming a RUNNING instance by its UUID: the text is the title; Terminate with its confirm dialog', async () => {
    const id = h.addInstance('RUNNING');
    const channel = h.freshChannel();
    // Free text cannot name a channel, so this one goes to the topic's channel.
    const d = await topic.publish({ message: `Playbook instance ${id} is still running after 2h` });
    expect(d.status).toBe(200);
    const card = (await waitFor(() => h.channelMessages(topicChannel).find((m) => JSON.stringify(m.blocks).includes(id)), 5000, 'the card'))!;
    expect(card.text).toContain(`still running after 2h`);
    expect(actionIdsOf(card.blocks)).toEqual(['playbook_terminate']);
    expect(buttonsOf(card.blocks)[0]!.confirm).toBeDefined();
    expect(h.channelMessages(channel)).toHaveLength(0);
  });

  test('a message that names no instance posts a plain card without buttons, and reads nothing', async () => {
    const channel = h.freshChannel();
    const calls = h.sim.calls.length;
    // The watcher keeps reading the earlier tests' RUNNING instances; this message may add no other read.
    const readBefore = new Set(h.sim.calls.map((c) => c.path));
    const d = await topic.publish({ subject: 'Daily digest', message: JSON.stringify({ channel, title: '3 unclosed high alerts', severity: 'medium' }) });
    expect(d.status).toBe(200);
    const [card] = h.channelMessages(channel);
    expect(card).toBeDefined();
    expect(`${card!.text}${JSON.stringify(card!.blocks)}`).toContain('3 unclosed high alerts');
    expect(actionIdsOf(card!.blocks)).toEqual([]);
    expect(h.sim.calls.slice(calls).filter((c) => !readBefore.has(c.path))).toEqual([]);
  });

  test('the same message delivered three times posts once', async () => {
    const id = h.addInstance('TERMINATED');
    const channel = h.freshChannel();
    const first = await topic.publish({ message: JSON.stringify({ channel, instance_id: id, title: 'Once only' }) });
    expect(first.status).toBe(200);
    const again = [await topic.deliver(first.body), await topic.deliver(first.body)];
    expect(again.map((d) => [d.status, JSON.parse(d.answer)])).toEqual([
      [200, { ok: true, duplicate: true }],
      [200, { ok: true, duplicate: true }],
    ]);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.channelMessages(channel)).toHaveLength(1);
    expect(actionIdsOf(h.channelMessages(channel)[0]!.blocks)).toEqual(['playbook_retry']);
    expect(instanceReads(h.sim, id)).toHaveLength(1);
  });

  test('a post lost on the wire (Slack 500): 200 queued, so SMN does not deliver again; the card is looked for, posted once, and a redelivery posts nothing', async () => {
    const id = h.addInstance('FAILED');
    const channel = h.freshChannel();
    h.slack.fault({ method: 'chat.postMessage', status: 500, times: 1, match: id });
    const first = await topic.publish({ message: JSON.stringify({ channel, instance_id: id, title: 'Lost on the wire' }) });
    expect([first.status, JSON.parse(first.answer)]).toEqual([200, { ok: true, channel, queued: true }]);
    const card = await waitFor(() => h.channelMessages(channel).find((m) => JSON.stringify(m.blocks).includes(id)), 30_000, 'the card, posted by the outbox loop');
    expect(h.slack.calls.some((c) => c.method === 'conversations.history' && c.args.channel === channel)).toBe(true);
    const again = await topic.deliver(first.body);
    expect([again.status, JSON.parse(again.answer)]).toEqual([200, { ok: true, duplicate: true }]);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.channelMessages(channel)).toEqual([card]);
  }, 60_000);

  test('an instance SecMaster does not know is still shown: a plain card that says why, no buttons', async () => {
    const channel = h.freshChannel();
    const d = await topic.publish({ message: JSON.stringify({ channel, instance_id: 'no-such-instance', title: 'Ghost alert' }) });
    expect(d.status).toBe(200);
    const [card] = h.channelMessages(channel);
    expect(JSON.stringify(card!.blocks)).toContain('SecMaster does not know this instance');
    expect(actionIdsOf(card!.blocks)).toEqual([]);
  });
});

describe('forged and malformed messages: 403, nothing posted, nothing read', () => {
  /** A validly signed body made by the trusted topic's own key, then changed by `change`. */
  const trusted = (body: SmnBody, change: (b: SmnBody) => SmnBody = (b) => b) => change(topic.sign(body));
  const notification = (over: SmnBody = {}): SmnBody => ({ type: 'Notification', topic_urn: topic.topicUrn, message_id: newId(), message: JSON.stringify({ instance_id: 'x-forged' }), subject: 'forged', timestamp: smnTime(), ...over });

  test.each<[string, () => SmnBody, Record<string, string>]>([
    ['a tampered message', () => trusted(notification(), (b) => ({ ...b, message: JSON.stringify({ instance_id: 'x-other' }) })), {}],
    ['a tampered subject', () => trusted(notification(), (b) => ({ ...b, subject: 'changed' })), {}],
    ['a tampered topic_urn', () => trusted(notification(), (b) => ({ ...b, topic_urn: `${topic.topicUrn}-x` })), {}],
    ['a signature over another message', () => ({ ...notification(), signature: trusted(notification()).signature!, signature_version: 'v1', signing_cert_url: topic.certUrl }), {}],
    ['no signature', () => ({ ...notification(), signature_version: 'v1', signing_cert_url: topic.certUrl }), {}],
    ['signature_version v2', () => trusted(notification(), (b) => ({ ...b, signature_version: 'v2' })), {}],
    ['the certificate URL over http://', () => trusted(notification(), (b) => ({ ...b, signing_cert_url: topic.certUrl.replace('https:', 'http:') })), {}],
    ['the certificate URL on another host', () => trusted(notification(), (b) => ({ ...b, signing_cert_url: topic.certUrl.replace('127.0.0.1', 'localhost') })), {}],
    ['a message older than seven days, validly signed', () => trusted(notification({ timestamp: smnTime(Date.now() - 8 * 24 * 3_600_000) })), {}],
    ['a topic that is not in SMN_TOPICS, validly signed', () => trusted(notification({ topic_urn: topic.topicUrn.replace('secmaster-alerts', 'other-topic') })), {}],
    ['a header type that disagrees with the body', () => trusted(notification()), { 'x-smn-message-type': 'SubscriptionConfirmation' }],
    ['a confirmation whose subscribe_url is on another host, validly signed', () => trusted({ type: 'SubscriptionConfirmation', topic_urn: topic.topicUrn, message_id: newId(), message: 'confirm', subscribe_url: 'https://attacker.example/confirm', timestamp: smnTime() }), {}],
  ])('%s → 403', async (_label, make, headers) => {
    const body = make();
    const caused = await effects(async () => {
      const res = await post(body, headers);
      expect(res).toEqual({ status: 403, json: { ok: false, error: 'forbidden' } });
    });
    expect(caused.posted).toBe(0);
    expect(caused.secmaster).toBe(0);
    expect(caused.topicRequests).toBe(0);
  });

  test('a message signed with a certificate from an untrusted host: 403, logged, and that host is never contacted', async () => {
    const attackerPki = await createSandboxPki();
    const attacker = await startSmnTopic({ pki: attackerPki });
    try {
      expect(attacker.topicUrn).toBe(topic.topicUrn);
      const caused = await effects(async () => {
        const confirm = await attacker.subscribe(endpoint());
        expect(confirm.status).toBe(403);
        const notify = await attacker.publish({ message: JSON.stringify({ instance_id: 'x-attacker', channel: topicChannel }) });
        expect(notify.status).toBe(403);
      });
      expect(caused).toEqual({ posted: 0, secmaster: 0, topicRequests: 0 });
      expect(attacker.requests).toEqual([]);
      const refused = logLines().filter((l) => l.message === 'SMN message refused' && String(l.signing_cert_url).startsWith(`https://${attacker.host}/`));
      expect(refused.map((l) => [l.type, l.step])).toEqual([
        ['SubscriptionConfirmation', 'subscribe_url'],
        ['Notification', 'cert_url'],
      ]);
      console.log(`refused: ${h.logs.find((l) => l.includes('"SMN message refused"') && l.includes('"Notification"') && l.includes(attacker.host))}`);
    } finally {
      await attacker.close();
    }
  });

  test('a key the trusted host does not serve: signed by another key, naming the trusted certificate URL → 403', async () => {
    const other = await createSandboxPki();
    const body = notification();
    const withCert = { ...body, signature_version: 'v1', signing_cert_url: topic.certUrl };
    const text = ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type'].map((k) => `${k}\n${(withCert as SmnBody)[k]}\n`).join('');
    const forged = { ...withCert, signature: rsaSign('sha256', Buffer.from(text), other.signing.privateKey).toString('base64') };
    const caused = await effects(async () => {
      expect((await post(forged)).status).toBe(403);
    });
    expect(caused.posted).toBe(0);
    expect(logLines().some((l) => l.message === 'SMN message refused' && l.step === 'signature' && l.message_id === body.message_id)).toBe(true);
  });

  test('every refusal is one warning line naming its step; no error lines', () => {
    const refusals = logLines().filter((l) => l.message === 'SMN message refused');
    expect(refusals.length).toBeGreaterThanOrEqual(14);
    for (const r of refusals) expect(r).toMatchObject({ level: 'warn', step: expect.any(String), reason: expect.any(String) });
    expect(logLines().filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('/smn is off without SMN_TOPICS', () => {
  test('404, and nothing happens', async () => {
    const off = await startHarness({ simulator: h.sim, slack: h.slack });
    try {
      const res = await fetch(`${off.url}/smn`, { method: 'POST', headers: { 'x-smn-message-type': 'Notification' }, body: '{}' });
      expect(res.status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});

describe('/smn body limit', () => {
  test('a body over 512 KB → 413 before anything is parsed', async () => {
    const res = await fetch(endpoint(), { method: 'POST', headers: { 'x-smn-message-type': 'Notification' }, body: 'x'.repeat(513 * 1024) });
    expect(res.status).toBe(413);
  });
});
