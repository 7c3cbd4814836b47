import type { SmnMessage } from './message';

/**
 * The text SMN signs, built as Huawei documents it: SMN user guide, appendix "HTTP/HTTPS Messages" →
 * "Message Signature Verification" (smn_ug_a9003): the signed fields in alphabetical order, each name
 * on a line and its value on the next;
 * - Notification: `message`, `message_id`, `subject` (left out when empty), `timestamp`, `topic_urn`, `type`;
 * - SubscriptionConfirmation and UnsubscribeConfirmation: `message`, `message_id`, `subscribe_url`,
 *   `timestamp`, `topic_urn`, `type`.
 * The guide's page shows the lines without saying whether the last one ends in `\n`; its "Sample Code"
 * page (smn_ug_a9004: Java, Node.js and Go) ends every line, the last one included, with `\n`. That
 * form comes first; the form without the final `\n` is accepted too (shared/spec/interface.md §9):
 * both cover exactly the same fields and values.
 */
export function stringsToSign(m: SmnMessage): [withFinalNewline: string, withoutFinalNewline: string] {
  const fields: Array<[string, string]> = [
    ['message', m.message],
    ['message_id', m.message_id],
  ];
  if (m.type === 'Notification') {
    if (m.subject) fields.push(['subject', m.subject]);
  } else {
    fields.push(['subscribe_url', m.subscribe_url]);
  }
  fields.push(['timestamp', m.timestamp], ['topic_urn', m.topic_urn], ['type', m.type]);
  const text = fields.map(([name, value]) => `${name}\n${value}\n`).join('');
  return [text, text.slice(0, -1)];
}
