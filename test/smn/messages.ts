import { randomBytes } from 'node:crypto';
import { opensslSign, type TestCertificate } from './openssl';

/**
 * SMN-shaped messages for tests, signed the way Huawei's sample code signs them (SMN user guide,
 * appendix "HTTP/HTTPS Messages" → "Sample Code", smn_ug_a9004: `buildNotificationMessage` and
 * `buildSubscriptionMessage`, each line ended by "\n"). Written here from those samples, not taken
 * from the bot, so the verifier is checked against the document.
 */
export type Body = Record<string, unknown>;

export const REGION = 'ap-southeast-1';
export const PROJECT = '0553db98c800d5192f9bc01232b89622';
export const TOPIC = `urn:smn:${REGION}:${PROJECT}:secmaster-alerts`;

export function huaweiStringToSign(msg: Body, finalNewline = true): string {
  let s = `message\n${String(msg.message)}\n`;
  s += `message_id\n${String(msg.message_id)}\n`;
  if (msg.type === 'Notification') {
    // The Node.js sample: `if (msg.subject)`, so an empty subject is left out.
    if (msg.subject) s += `subject\n${String(msg.subject)}\n`;
  } else {
    s += `subscribe_url\n${String(msg.subscribe_url)}\n`;
  }
  s += `timestamp\n${String(msg.timestamp)}\n`;
  s += `topic_urn\n${String(msg.topic_urn)}\n`;
  s += `type\n${String(msg.type)}\n`;
  return finalNewline ? s : s.slice(0, -1);
}

export function messageId(): string {
  return randomBytes(16).toString('hex');
}

/** An ISO timestamp as SMN writes it (whole seconds, Z). */
export function smnTime(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface SignOptions {
  cert: TestCertificate;
  certUrl: string;
  finalNewline?: boolean;
}

export function sign(body: Body, o: SignOptions): Body {
  const out = { ...body, signature_version: 'v1', signing_cert_url: o.certUrl };
  return { ...out, signature: opensslSign(huaweiStringToSign(out, o.finalNewline ?? true), o.cert.keyPem) };
}

export function notification(over: Body = {}): Body {
  return {
    type: 'Notification',
    topic_urn: TOPIC,
    message_id: messageId(),
    message: 'Brute force on ecs-prod-01',
    subject: 'SecMaster alert',
    timestamp: smnTime(),
    unsubscribe_url: `https://console.example/smn/subscription/unsubscribe?subscription_urn=${TOPIC}:abc`,
    ...over,
  };
}

export function confirmation(subscribeUrl: string, over: Body = {}): Body {
  return {
    type: 'SubscriptionConfirmation',
    topic_urn: TOPIC,
    message_id: messageId(),
    message: `You are invited to subscribe to topic: ${TOPIC}. To confirm this subscription, please visit the following SubscribeURL in this message.`,
    subscribe_url: subscribeUrl,
    timestamp: smnTime(),
    ...over,
  };
}

export function unsubscribe(subscribeUrl: string, over: Body = {}): Body {
  return { ...confirmation(subscribeUrl, over), type: 'UnsubscribeConfirmation', message: `You have unsubscribed from topic ${TOPIC}.`, ...over };
}

/** The headers SMN sends with a body (smn_ug_a9002 Table 1). */
export function smnHeaders(body: Body, over: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-smn-message-type': String(body.type),
    'x-smn-message-id': String(body.message_id),
    'x-smn-topic-urn': String(body.topic_urn),
    'x-smn-subscription-urn': `${String(body.topic_urn)}:0123456789abcdef`,
    ...over,
  };
}
