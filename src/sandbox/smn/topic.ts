import { randomBytes, sign as rsaSign, type KeyObject } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import type { SandboxPki } from './pki';

/**
 * A stand-in for one SMN topic with one HTTP(S) subscription, so the whole path (subscribe, confirm,
 * publish, verify, card) runs without a cloud account. It follows Huawei's documents, not the bot's
 * code:
 * - it serves its signing certificate over HTTPS at `/smn/SMN_{region}_{id}.pem` (SMN API
 *   "DownloadHttpCert": `GET /smn/{certificate_id}`; URL shape from RGC "AcceptSmnMessage");
 * - it POSTs the three message kinds with the `X-SMN-*` headers and bodies of the SMN user guide's
 *   "HTTP/HTTPS Message Format" (smn_ug_a9002);
 * - it signs them as the guide's "Sample Code" (smn_ug_a9004) builds the string: the signed fields in
 *   alphabetical order, name and value each on a line ended by "\n", `subject` only when not empty,
 *   RSA PKCS#1 v1.5 over SHA-256 with the key of its SHA256withRSA certificate;
 * - the subscription stays unconfirmed until someone GETs its `subscribe_url`.
 * It delivers each message once when asked; redeliveries (SMN retries on failures) are explicit.
 */
export type SmnBody = Record<string, string>;

export interface SmnDelivery {
  body: SmnBody;
  status: number;
  answer: string;
  at: number;
}

export type SubscriptionState = 'none' | 'unconfirmed' | 'confirmed' | 'cancelled';

export interface SmnTopicStandIn {
  /** `host:port` of its HTTPS server, for `SMN_TRUSTED_HOSTS`. */
  host: string;
  topicUrn: string;
  certUrl: string;
  state(): { subscription: SubscriptionState; endpoint?: string; confirmations: number; deliveries: number };
  readonly deliveries: SmnDelivery[];
  /** Every request its HTTPS server received (`GET /path?query`): who fetched the certificate, who confirmed. */
  readonly requests: string[];
  /** Signs a body with this topic's key and names its certificate URL (tests build variants with it). */
  sign(body: SmnBody): SmnBody;
  /** Adds the HTTP(S) subscription and sends its SubscriptionConfirmation. */
  subscribe(endpoint: string): Promise<SmnDelivery>;
  /** Publishes a message to the topic: one Notification to the subscriber. */
  publish(p: { message: string; subject?: string }): Promise<SmnDelivery>;
  /** Sends a message again exactly as it was (SMN's at-least-once delivery). */
  deliver(body: SmnBody): Promise<SmnDelivery>;
  unsubscribe(): Promise<SmnDelivery>;
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface SmnTopicOptions {
  pki: SandboxPki;
  region?: string;
  projectId?: string;
  topicName?: string;
  now?: () => number;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** The string to sign, per smn_ug_a9004's `buildNotificationMessage` / `buildSubscriptionMessage`. */
function huaweiStringToSign(b: SmnBody): string {
  const lines = [['message', b.message], ['message_id', b.message_id]];
  if (b.type === 'Notification') {
    if (b.subject) lines.push(['subject', b.subject]);
  } else {
    lines.push(['subscribe_url', b.subscribe_url]);
  }
  lines.push(['timestamp', b.timestamp], ['topic_urn', b.topic_urn], ['type', b.type]);
  return lines.map(([k, v]) => `${k}\n${v ?? ''}\n`).join('');
}

function signBody(body: SmnBody, key: KeyObject, certUrl: string): SmnBody {
  const out = { ...body, signature_version: 'v1', signing_cert_url: certUrl };
  return { ...out, signature: rsaSign('sha256', Buffer.from(huaweiStringToSign(out), 'utf8'), key).toString('base64') };
}

export async function startSmnTopic(opts: SmnTopicOptions): Promise<SmnTopicStandIn> {
  const now = opts.now ?? Date.now;
  const region = opts.region ?? 'sandbox-1';
  const projectId = opts.projectId ?? '0553db98c800d5192f9bc01232b89622';
  const topicUrn = `urn:smn:${region}:${projectId}:${opts.topicName ?? 'secmaster-alerts'}`;
  const certPath = `/smn/SMN_${region}_${hex(16)}.pem`;
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  const deliveries: SmnDelivery[] = [];
  const requests: string[] = [];
  let subscription: SubscriptionState = 'none';
  let endpoint: string | undefined;
  let token = '';
  let subscriptionUrn = '';
  let confirmations = 0;

  const server = https.createServer({ key: opts.pki.tls.keyPem, cert: opts.pki.tls.certPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.method === 'GET' && url.pathname === certPath) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(opts.pki.signing.certPem);
    }
    if (req.method === 'GET' && url.pathname === '/smn/subscription/confirm' && token && url.searchParams.get('token') === token) {
      confirmations++;
      if (subscription === 'unconfirmed') subscription = 'confirmed';
      changed();
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ request_id: hex(16), subscription_urn: subscriptionUrn }));
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 'SMN.00010001', message: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = `https://${host}`;
  const certUrl = `${base}${certPath}`;
  const timestamp = () => new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z');

  async function deliver(body: SmnBody): Promise<SmnDelivery> {
    if (!endpoint) throw new Error('the topic has no subscriber');
    let status = 0;
    let answer = '';
    try {
      const res = await request(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=UTF-8',
          'x-smn-message-type': body.type!,
          'x-smn-message-id': body.message_id!,
          'x-smn-topic-urn': body.topic_urn!,
          'x-smn-subscription-urn': subscriptionUrn,
        },
        body: JSON.stringify(body),
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
      });
      status = res.statusCode;
      answer = await res.body.text();
    } catch (err) {
      answer = (err as Error).message;
    }
    const d = { body, status, answer, at: now() };
    deliveries.push(d);
    changed();
    return d;
  }

  const sign = (b: SmnBody) => signBody(b, opts.pki.signing.privateKey, certUrl);

  return {
    host,
    topicUrn,
    certUrl,
    deliveries,
    requests,
    sign,
    state: () => ({ subscription, endpoint, confirmations, deliveries: deliveries.length }),
    async subscribe(to) {
      endpoint = to;
      token = hex(24);
      subscriptionUrn = `${topicUrn}:${hex(16)}`;
      subscription = 'unconfirmed';
      changed();
      return deliver(
        sign({
          type: 'SubscriptionConfirmation',
          topic_urn: topicUrn,
          message_id: hex(16),
          message: `You are invited to subscribe to topic: ${topicUrn}. To confirm this subscription, please visit the following SubscribeURL in this message.`,
          subscribe_url: `${base}/smn/subscription/confirm?token=${token}`,
          timestamp: timestamp(),
        }),
      );
    },
    async publish(p) {
      const body: SmnBody = { type: 'Notification', topic_urn: topicUrn, message_id: hex(16), message: p.message, timestamp: timestamp(), unsubscribe_url: `${base}/smn/subscription/unsubscribe?subscription_urn=${subscriptionUrn}` };
      if (p.subject !== undefined) body.subject = p.subject;
      return deliver(sign(body));
    },
    deliver,
    async unsubscribe() {
      subscription = 'cancelled';
      const d = await deliver(
        sign({
          type: 'UnsubscribeConfirmation',
          topic_urn: topicUrn,
          message_id: hex(16),
          message: `You have unsubscribed from topic ${topicUrn}.`,
          subscribe_url: `${base}/smn/subscription/confirm?token=${token}`,
          timestamp: timestamp(),
        }),
      );
      token = '';
      return d;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
