import { safeText } from '../mrkdwn';
import { context, header, message, section, type SlackMessage } from './kit';

/**
 * The card of an alert that names no playbook instance (spec section 9: "a plain alert card without
 * buttons"): its title, severity and text, all escaped, and a note on where it came from. Pure.
 */
export interface PlainAlertCardInput {
  title: string;
  severity?: string;
  text?: string;
  /** Already mrkdwn. */
  note?: string;
}

export function renderPlainAlertCard(input: PlainAlertCardInput): SlackMessage {
  const headline = `:rotating_light: *${safeText(input.title, 300)}*${input.severity ? `  ·  severity *${safeText(input.severity, 40)}*` : ''}`;
  const body = input.text && input.text.trim() !== input.title.trim() ? safeText(input.text, 2800) : undefined;
  return message(safeText(`Alert: ${input.title}${input.severity ? ` (${input.severity})` : ''}`, 2800), [
    header(`Alert · ${input.title}`),
    section(headline),
    body ? section(body) : undefined,
    input.note ? context([input.note]) : undefined,
  ]);
}
