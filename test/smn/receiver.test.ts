import fc from 'fast-check';
import type { AlertPublisher, InstanceAlert, PlainAlert } from '../../src/alerts/publish';
import { createAuditTrail } from '../../src/audit/trail';
import { createLineCollector, createLogger } from '../../src/log';
import { createCertificateSource } from '../../src/smn/certificates';
import type { HttpsGet, HttpsGetResult } from '../../src/smn/httpsGet';
import { createSmnReceiver, type SmnReceiver } from '../../src/smn/receiver';
import { createSmnVerifier } from '../../src/smn/verify';
import { SecMasterError } from '../../src/secmaster/errors';
import { openSqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { makeCertificate, type TestCertificate } from './openssl';
import { confirmation, notification, REGION, sign, smnHeaders, TOPIC, unsubscribe, type Body } from './messages';

/**
 * The receiver behind `POST /smn`, without HTTP: what refuses a message (and that a refusal is one
 * log line, changes nothing and fetches nothing), and what a verified message does: one GET of the
 * confirmation URL per message ID, an audit row per (un)subscription, one card per notification
 * however often SMN delivers it, and a released claim when a post fails.
 */
const HOST = `smn.${REGION}.myhuaweicloud.com`;
const CERT_URL = `https://${HOST}/smn/SMN_${REGION}_0123.pem`;
const SUBSCRIBE_URL = `https://${HOST}/smn/subscription/confirm?token=t1`;
const CHANNEL = 'C0SMNALERTS';

let cert: TestCertificate;
beforeAll(() => {
  cert = makeCertificate();
});

interface World {
  receiver: SmnReceiver;
  store: Store;
  fetched: string[];
  logs: string[];
  instanceAlerts: InstanceAlert[];
  plainAlerts: PlainAlert[];
  subscribeAnswer: HttpsGetResult;
  slackError?: string;
  observed: Array<[string, string]>;
  send(body: Body, headers?: Record<string, string>): ReturnType<SmnReceiver['receive']>;
}

let w: World;

beforeEach(() => {
  const store = openSqliteStore(':memory:');
  const collector = createLineCollector();
  const logger = createLogger({ level: 'info', secrets: [], stream: collector.stream });
  const fetched: string[] = [];
  const world = {
    store,
    fetched,
    logs: collector.lines,
    instanceAlerts: [] as InstanceAlert[],
    plainAlerts: [] as PlainAlert[],
    subscribeAnswer: { ok: true, status: 200, body: Buffer.from('<html>confirmed</html>') } as HttpsGetResult,
    observed: [] as Array<[string, string]>,
  } as World;
  const get: HttpsGet = async (url) => {
    fetched.push(url.href);
    if (url.href === CERT_URL) return { ok: true, status: 200, body: Buffer.from(cert.certPem) };
    if (url.href === SUBSCRIBE_URL) return world.subscribeAnswer;
    return { ok: true, status: 404, body: Buffer.alloc(0) };
  };
  const alerts: AlertPublisher = {
    async instanceAlert(a) {
      world.instanceAlerts.push(a);
      if (a.instanceId === 'unknown-instance') return { ok: false, stage: 'instance', workspaceId: 'ws', error: new SecMasterError({ kind: 'http', call: 'GET /x', status: 400, code: 'SecMaster.20030005', message: 'no such instance', requestId: 'req-1' }) };
      if (world.slackError) return { ok: false, stage: 'slack', error: world.slackError, workspaceId: 'ws' };
      return { ok: true, ts: `1700000000.${world.instanceAlerts.length}`, workspaceId: 'ws' };
    },
    // SMN waits for its post (SMN delivers again when it is refused): the queued form is for /alerts only.
    async instanceAlertOrQueue() {
      throw new Error('SMN never asks for a queued answer');
    },
    async plainAlert(a) {
      world.plainAlerts.push(a);
      return world.slackError ? { ok: false, error: world.slackError } : { ok: true, value: { ts: `1700000001.${world.plainAlerts.length}` } };
    },
  };
  const trustedHosts = new Set([`${HOST}:443`]);
  world.receiver = createSmnReceiver({
    topics: new Map([[TOPIC, CHANNEL]]),
    trustedHosts,
    verifier: createSmnVerifier({ trustedHosts, certificates: createCertificateSource({ get }) }),
    get,
    store,
    audit: createAuditTrail({ store, logger }),
    alerts,
    logger,
    observe: (type, outcome) => world.observed.push([type, outcome]),
  });
  world.send = (body, headers) => world.receiver.receive(headers ?? smnHeaders(body), Buffer.from(JSON.stringify(body)));
  w = world;
});

afterEach(() => w.store.close());

const signed = (body: Body, certUrl = CERT_URL) => sign(body, { cert, certUrl });
const refusals = () => w.logs.filter((l) => l.includes('"SMN message refused"')).map((l) => JSON.parse(l) as { step: string; reason: string });

async function expectRefused(answer: Awaited<ReturnType<SmnReceiver['receive']>>, step: string) {
  expect(answer).toEqual({ status: 403, body: { ok: false, error: 'forbidden' } });
  expect(refusals()).toEqual([expect.objectContaining({ step })]);
  expect(w.instanceAlerts).toEqual([]);
  expect(w.plainAlerts).toEqual([]);
  expect(await w.store.listAudit({})).toEqual([]);
}

describe('refused before anything happens', () => {
  test('a topic that is not in SMN_TOPICS → 403 "topic", and its certificate is not even fetched', async () => {
    const body = signed(notification({ topic_urn: `urn:smn:${REGION}:0553db98c800d5192f9bc01232b89622:someone-elses-topic` }));
    await expectRefused(await w.send(body), 'topic');
    expect(w.fetched).toEqual([]);
  });

  test('X-SMN-MESSAGE-TYPE that disagrees with type → 403 "headers_disagree"', async () => {
    const body = signed(notification());
    await expectRefused(await w.send(body, smnHeaders(body, { 'x-smn-message-type': 'SubscriptionConfirmation' })), 'headers_disagree');
    expect(w.fetched).toEqual([]);
  });

  test('X-SMN-MESSAGE-ID or X-SMN-TOPIC-URN that disagree with the body → 403 "headers_disagree"', async () => {
    const body = signed(notification());
    await expectRefused(await w.send(body, smnHeaders(body, { 'x-smn-message-id': 'feedfacefeedfacefeedfacefeedface' })), 'headers_disagree');
    w.logs.length = 0;
    await expectRefused(await w.send(body, smnHeaders(body, { 'x-smn-topic-urn': `urn:smn:${REGION}:0553db98c800d5192f9bc01232b89622:other` })), 'headers_disagree');
  });

  test('no X-SMN-MESSAGE-TYPE, or an unknown one → 403 "headers"', async () => {
    const body = signed(notification());
    const headers = smnHeaders(body);
    delete headers['x-smn-message-type'];
    await expectRefused(await w.send(body, headers), 'headers');
    w.logs.length = 0;
    await expectRefused(await w.send(body, smnHeaders(body, { 'x-smn-message-type': 'Gossip' })), 'headers');
  });

  test.each<[string, () => string]>([
    ['not JSON', () => '{"type": "Notification", '],
    ['a JSON array', () => '[]'],
    ['JSON null', () => 'null'],
    ['a body without a signature', () => JSON.stringify({ ...notification(), signing_cert_url: CERT_URL, signature_version: 'v1' })],
    ['a topic_urn with a line break', () => JSON.stringify({ ...signed(notification()), topic_urn: `${TOPIC}\ntype` })],
    ['a subject with a line break', () => JSON.stringify({ ...signed(notification()), subject: 'a\ntimestamp' })],
    ['a confirmation without subscribe_url', () => JSON.stringify({ ...signed(notification()), type: 'SubscriptionConfirmation' })],
  ])('%s → 403 "body"', async (_label, makeRaw) => {
    const raw = makeRaw();
    const answer = await w.receiver.receive({ 'x-smn-message-type': raw.includes('SubscriptionConfirmation') ? 'SubscriptionConfirmation' : 'Notification' }, Buffer.from(raw));
    await expectRefused(answer, 'body');
    expect(w.fetched).toEqual([]);
  });

  test("a refused body's own fields are logged cut short and never become a metric label", async () => {
    const raw = JSON.stringify({ type: `Notification${'x'.repeat(5000)}`, message_id: 'm'.repeat(5000), topic_urn: TOPIC });
    await expectRefused(await w.receiver.receive({ 'x-smn-message-type': 'Notification' }, Buffer.from(raw)), 'body');
    expect(w.observed).toEqual([['unknown', 'refused_body']]);
    const line = w.logs.find((l) => l.includes('"SMN message refused"'))!;
    expect(line.length).toBeLessThan(2000);
  });

  test('a certificate URL on an untrusted host → 403 "cert_url", nothing fetched from it', async () => {
    const evil = makeCertificate();
    const body = sign(notification(), { cert: evil, certUrl: 'https://attacker.example/smn/SMN_x.pem' });
    await expectRefused(await w.send(body), 'cert_url');
    expect(w.fetched).toEqual([]);
  });

  test('a signed confirmation whose subscribe_url points at another host → 403 "subscribe_url", nothing fetched', async () => {
    const body = signed(confirmation('https://attacker.example/smn/subscription/confirm?token=t1'));
    await expectRefused(await w.send(body), 'subscribe_url');
    expect(w.fetched).toEqual([]);
  });

  test('a tampered message → 403 "signature": only the trusted certificate was fetched', async () => {
    const body = { ...signed(notification()), message: 'Retry everything now' };
    await expectRefused(await w.send(body), 'signature');
    expect(w.fetched).toEqual([CERT_URL]);
  });

  test('a refusal never reaches the store: the same message, once properly signed, is still handled', async () => {
    const good = signed(notification());
    await w.send({ ...good, message: 'tampered' });
    expect((await w.send(good)).status).toBe(200);
    expect(w.plainAlerts).toHaveLength(1);
  });
});

describe('bodies of any shape', () => {
  test('arbitrary JSON, SMN-like objects and bytes are all refused with 403, never thrown', async () => {
    const smnLike = fc.record(
      {
        type: fc.constantFrom('Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation', 'x'),
        topic_urn: fc.oneof(fc.constant(TOPIC), fc.string()),
        message_id: fc.string(),
        message: fc.string(),
        subject: fc.oneof(fc.string(), fc.constant(null)),
        subscribe_url: fc.oneof(fc.constant(SUBSCRIBE_URL), fc.webUrl()),
        signature: fc.base64String(),
        signature_version: fc.constantFrom('v1', 'V1', 'v2'),
        signing_cert_url: fc.oneof(fc.constant(CERT_URL), fc.webUrl()),
        timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), smnLike.map((v) => JSON.stringify(v)), fc.string()), fc.constantFrom('Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation', ''), async (raw, type) => {
        const answer = await w.receiver.receive(type ? { 'x-smn-message-type': type } : {}, Buffer.from(raw));
        expect(answer.status).toBe(403);
      }),
      { numRuns: 300 },
    );
    expect(w.instanceAlerts).toEqual([]);
    expect(w.plainAlerts).toEqual([]);
    expect(w.fetched.filter((u) => u !== CERT_URL)).toEqual([]);
  });
});

describe('SubscriptionConfirmation', () => {
  test('confirmed by one GET of subscribe_url, audited, and answered 200; a redelivery GETs nothing', async () => {
    const body = signed(confirmation(SUBSCRIBE_URL));
    expect(await w.send(body)).toEqual({ status: 200, body: { ok: true, confirmed: true } });
    expect(await w.send(body)).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    expect(await w.send(body)).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    expect(w.fetched.filter((u) => u === SUBSCRIBE_URL)).toHaveLength(1);
    const rows = await w.store.listAudit({});
    expect(rows).toEqual([expect.objectContaining({ event: 'smn_subscription', outcome: 'confirmed', user: 'smn', channel: CHANNEL, detail: expect.stringContaining(TOPIC) })]);
    expect(w.logs.filter((l) => l.includes('"message":"audit"'))).toHaveLength(1);
    expect(w.instanceAlerts).toEqual([]);
    expect(w.plainAlerts).toEqual([]);
  });

  test('a GET that fails is audited as confirm_failed, answered 502, and tried again on the next delivery', async () => {
    const body = signed(confirmation(SUBSCRIBE_URL));
    w.subscribeAnswer = { ok: true, status: 500, body: Buffer.alloc(0) };
    expect(await w.send(body)).toEqual({ status: 502, body: { ok: false, error: 'confirm_failed' } });
    w.subscribeAnswer = { ok: true, status: 200, body: Buffer.alloc(0) };
    expect((await w.send(body)).status).toBe(200);
    expect(w.fetched.filter((u) => u === SUBSCRIBE_URL)).toHaveLength(2);
    expect((await w.store.listAudit({})).map((r) => r.outcome)).toEqual(['confirm_failed', 'confirmed']);
  });
});

describe('UnsubscribeConfirmation', () => {
  test('audited once, answered 200, nothing posted and nothing fetched but the certificate', async () => {
    const body = signed(unsubscribe(SUBSCRIBE_URL));
    expect(await w.send(body)).toEqual({ status: 200, body: { ok: true } });
    expect((await w.send(body)).body).toEqual({ ok: true, duplicate: true });
    expect(await w.store.listAudit({})).toEqual([expect.objectContaining({ event: 'smn_unsubscribe', outcome: 'unsubscribed', channel: CHANNEL })]);
    expect(w.fetched).toEqual([CERT_URL]);
    expect(w.instanceAlerts).toEqual([]);
    expect(w.plainAlerts).toEqual([]);
  });
});

describe('Notification', () => {
  test('JSON with the /alerts fields → the instance alert, in the topic channel; three deliveries post once', async () => {
    const body = signed(notification({ message: JSON.stringify({ instance_id: 'inst-42', workspace_id: 'ws-2', title: 'Beacon', severity: 'high' }) }));
    for (let i = 0; i < 3; i++) expect((await w.send(body)).status).toBe(200);
    expect(w.instanceAlerts).toEqual([{ channel: CHANNEL, instanceId: 'inst-42', workspaceId: 'ws-2', title: 'Beacon', severity: 'high' }]);
    expect(w.plainAlerts).toEqual([]);
  });

  test('ten concurrent deliveries of one message post once', async () => {
    const body = signed(notification({ message: 'Playbook 3f2b8c1e-5d4a-4e8b-9c71-0a6f2d9e4b13 failed' }));
    const answers = await Promise.all(Array.from({ length: 10 }, () => w.send(body)));
    expect(w.instanceAlerts).toHaveLength(1);
    // The one that claimed it answers 200; the others 200 (already handled) or 503 (still in hand: SMN retries).
    expect(answers.map((a) => a.status).every((s) => s === 200 || s === 503)).toBe(true);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(1);
  });

  test("the JSON's channel overrides the topic's", async () => {
    await w.send(signed(notification({ message: JSON.stringify({ instance_id: 'inst-1', channel: 'C0OTHER' }) })));
    expect(w.instanceAlerts[0]!.channel).toBe('C0OTHER');
  });

  test('an instance SecMaster does not know still reaches people: a plain card that says why', async () => {
    expect((await w.send(signed(notification({ message: JSON.stringify({ instance_id: 'unknown-instance', title: 'Ghost' }) })))).status).toBe(200);
    expect(w.plainAlerts).toEqual([expect.objectContaining({ channel: CHANNEL, title: 'Ghost', note: expect.stringContaining('SecMaster does not know this instance') })]);
    expect(w.plainAlerts[0]!.note).toContain('SecMaster.20030005');
  });

  test('a card Slack refuses releases the claim (502); the next delivery posts it', async () => {
    const body = signed(notification({ message: 'no instance here' }));
    w.slackError = 'not_in_channel';
    expect(await w.send(body)).toEqual({ status: 502, body: { ok: false, error: 'not_in_channel' } });
    w.slackError = undefined;
    expect((await w.send(body)).status).toBe(200);
    expect(w.plainAlerts).toHaveLength(2);
    expect((await w.send(body)).body).toEqual({ ok: true, duplicate: true });
  });

  test('the verified line names the message; the posted line names the card', async () => {
    const body = signed(notification({ message: 'no instance here' }));
    await w.send(body);
    const verified = w.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'SMN message verified');
    expect(verified).toMatchObject({ type: 'Notification', message_id: body.message_id, topic_urn: TOPIC, hash: 'sha256' });
    expect(w.logs.some((l) => l.includes('"SMN alert card posted"') && l.includes('"card":"plain"'))).toBe(true);
  });
});
