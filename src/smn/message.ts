import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';

/**
 * The messages SMN POSTs to an HTTP(S) subscriber, as Huawei documents them: SMN user guide,
 * appendix "HTTP/HTTPS Messages" → "HTTP/HTTPS Message Format" (smn_ug_a9002; also in Open Telekom
 * Cloud's copy of the guide) and the example body of the RGC API page "AcceptSmnMessage".
 *
 * - Headers `X-SMN-MESSAGE-TYPE`, `X-SMN-MESSAGE-ID`, `X-SMN-TOPIC-URN`, `X-SMN-SUBSCRIPTION-URN`
 *   (case-insensitive, RFC 7230 §3.2; Node lower-cases them).
 * - Body: `type`, `topic_urn`, `message_id`, `message`, `signature` (base64), `signature_version`
 *   (`v1`; the guide's table writes `V1`), `signing_cert_url`, `timestamp` (`2016-08-15T07:29:16Z`);
 *   `subject` and `unsubscribe_url` on notifications; `subscribe_url` on subscription and
 *   unsubscription confirmations (where it is signed too).
 *
 * Fields outside the signed set are kept to shapes SMN produces, so a value can never smuggle a line
 * break into the string to sign. Unknown fields (the RGC example carries an `auth`) are ignored.
 */
export const SMN_MESSAGE_TYPES = ['SubscriptionConfirmation', 'Notification', 'UnsubscribeConfirmation'] as const;
export type SmnMessageType = (typeof SMN_MESSAGE_TYPES)[number];

/** `urn:smn:{region}:{project_id}:{topic_name}`; topic names are letters, digits, `-` and `_`, at most 255. */
export const TOPIC_URN_PATTERN = /^urn:smn:[A-Za-z0-9-]{1,64}:[A-Za-z0-9]{1,64}:[A-Za-z0-9_-]{1,255}$/;
/** SMN's message IDs are 32 hex digits; allow the same alphabet a little wider, never a separator. */
const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** ISO-8601 UTC as SMN writes it, optionally with fractions of a second. */
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
/** Base64 of an RSA signature: up to 8192-bit keys. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{4,1366}={0,2}$/;
const NO_LINE_BREAK = /^[^\r\n]*$/;

const url = z.string().max(2048).regex(NO_LINE_BREAK, 'must be one line');

const common = {
  topic_urn: z.string().regex(TOPIC_URN_PATTERN, 'must be an SMN topic URN "urn:smn:{region}:{project}:{topic}"'),
  message_id: z.string().regex(MESSAGE_ID_PATTERN, 'must be an SMN message ID'),
  message: z.string(),
  signature: z.string().regex(SIGNATURE_PATTERN, 'must be base64'),
  signature_version: z.string().max(8),
  signing_cert_url: url,
  timestamp: z.string().regex(TIMESTAMP_PATTERN, 'must be an ISO-8601 UTC time like 2016-08-15T07:29:16Z'),
};

const notification = z.object({
  ...common,
  type: z.literal('Notification'),
  // SMN topics take subjects of up to 512 characters (one line).
  subject: z.string().max(512).regex(NO_LINE_BREAK, 'must be one line').nullish(),
  unsubscribe_url: url.optional(),
});

const confirmation = z.object({ ...common, type: z.literal('SubscriptionConfirmation'), subscribe_url: url });
const unsubscribe = z.object({ ...common, type: z.literal('UnsubscribeConfirmation'), subscribe_url: url });

export const smnMessageSchema = z.discriminatedUnion('type', [notification, confirmation, unsubscribe]);
export type SmnMessage = z.infer<typeof smnMessageSchema>;
export type SmnNotification = z.infer<typeof notification>;
export type SmnConfirmation = z.infer<typeof confirmation>;
export type SmnUnsubscribe = z.infer<typeof unsubscribe>;

const headerValue = z.string().max(1024).regex(NO_LINE_BREAK);
export const smnHeadersSchema = z.object({
  'x-smn-message-type': z.enum(SMN_MESSAGE_TYPES, { error: 'X-SMN-MESSAGE-TYPE must be SubscriptionConfirmation, Notification or UnsubscribeConfirmation' }),
  'x-smn-message-id': headerValue.optional(),
  'x-smn-topic-urn': headerValue.optional(),
  'x-smn-subscription-urn': headerValue.optional(),
});
export type SmnHeaders = z.infer<typeof smnHeadersSchema>;

/** The SMN headers of a request; a header sent twice is refused rather than guessed at. */
export function smnHeadersOf(headers: IncomingHttpHeaders): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['x-smn-message-type', 'x-smn-message-id', 'x-smn-topic-urn', 'x-smn-subscription-urn']) {
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/**
 * Where the headers and the body disagree: the type always (the rule: header and `type`
 * must agree), the message ID and topic URN whenever the header is present. Undefined when they agree.
 */
export function headerDisagreement(h: SmnHeaders, m: SmnMessage): string | undefined {
  if (h['x-smn-message-type'] !== m.type) return `X-SMN-MESSAGE-TYPE is ${h['x-smn-message-type']} but type is ${m.type}`;
  if (h['x-smn-message-id'] !== undefined && h['x-smn-message-id'] !== m.message_id) return 'X-SMN-MESSAGE-ID differs from message_id';
  if (h['x-smn-topic-urn'] !== undefined && h['x-smn-topic-urn'] !== m.topic_urn) return 'X-SMN-TOPIC-URN differs from topic_urn';
  return undefined;
}
