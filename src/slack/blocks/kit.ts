import { cutMrkdwn, truncate } from '../mrkdwn';

/**
 * The few Block Kit shapes the bot uses, as small typed builders that enforce Slack's limits
 * (https://api.slack.com/reference/block-kit/blocks): a block past them fails the whole message.
 * Text given to `mrkdwn` builders must already be escaped; plain_text is cut here.
 */

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
}

export interface ConfirmDialog {
  title: PlainText;
  text: MrkdwnText;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}

export interface ButtonElement {
  type: 'button';
  text: PlainText;
  action_id: string;
  value?: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
  url?: string;
}

export type Block =
  | { type: 'header'; text: PlainText; block_id?: string }
  | { type: 'section'; text?: MrkdwnText; fields?: MrkdwnText[]; block_id?: string; accessory?: ButtonElement }
  | { type: 'context'; elements: MrkdwnText[]; block_id?: string }
  | { type: 'divider'; block_id?: string }
  | { type: 'actions'; elements: ButtonElement[]; block_id?: string };

/** A message or ephemeral reply: blocks always come with a non-empty `text` fallback. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export interface HomeView {
  type: 'home';
  blocks: Block[];
}

export const LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  fallbackText: 3000,
} as const;

const plain = (text: string, max: number): PlainText => ({ type: 'plain_text', text: truncate(text || ' ', max), emoji: true });
const md = (text: string, max: number): MrkdwnText => ({ type: 'mrkdwn', text: cutMrkdwn(text || ' ', max) });

export function header(text: string): Block {
  return { type: 'header', text: plain(text, LIMITS.header) };
}

export function section(text: string, accessory?: ButtonElement): Block {
  return { type: 'section', text: md(text, LIMITS.sectionText), ...(accessory ? { accessory } : {}) };
}

export function fields(items: string[]): Block {
  return { type: 'section', fields: items.slice(0, LIMITS.fields).map((f) => md(f, LIMITS.field)) };
}

export function context(items: string[]): Block {
  const shown = items.filter(Boolean).slice(0, LIMITS.contextElements);
  // Slack refuses a context block without elements.
  return { type: 'context', elements: (shown.length > 0 ? shown : [' ']).map((t) => md(t, LIMITS.sectionText)) };
}

export function divider(): Block {
  return { type: 'divider' };
}

export function actions(elements: ButtonElement[], blockId?: string): Block | undefined {
  if (elements.length === 0) return undefined;
  return { type: 'actions', elements: elements.slice(0, 25), ...(blockId ? { block_id: blockId } : {}) };
}

export function button(opts: { text: string; actionId: string; value?: string; style?: 'primary' | 'danger'; confirm?: ConfirmDialog }): ButtonElement {
  return {
    type: 'button',
    text: plain(opts.text, LIMITS.buttonText),
    action_id: opts.actionId,
    ...(opts.value !== undefined ? { value: opts.value.slice(0, LIMITS.buttonValue) } : {}),
    // Slack refuses `style: null`: only set it when there is one.
    ...(opts.style ? { style: opts.style } : {}),
    ...(opts.confirm ? { confirm: opts.confirm } : {}),
  };
}

export function confirmDialog(opts: { title: string; text: string; confirm: string; deny?: string; style?: 'primary' | 'danger' }): ConfirmDialog {
  return {
    title: plain(opts.title, LIMITS.confirmTitle),
    text: md(opts.text, LIMITS.confirmText),
    confirm: plain(opts.confirm, LIMITS.confirmButton),
    deny: plain(opts.deny ?? 'Cancel', LIMITS.confirmButton),
    ...(opts.style ? { style: opts.style } : {}),
  };
}

/** Drops empty blocks and caps the count; the fallback text is cut to its limit. */
export function message(text: string, blocks: Array<Block | undefined>, maxBlocks: number = LIMITS.messageBlocks): SlackMessage {
  return { text: truncate(text || ' ', LIMITS.fallbackText), blocks: blocks.filter((b): b is Block => b !== undefined).slice(0, maxBlocks) };
}

/** A message of one mrkdwn line, which is its own fallback (notifications read the same words). */
export function lineMessage(line: string): SlackMessage {
  return message(line, [section(line)]);
}
