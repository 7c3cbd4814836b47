/**
 * Checks a rendered message or Home view against Slack's Block Kit limits
 * (shared/reference/slack-platform.md): past any of them Slack refuses the whole message with
 * `invalid_blocks` (views: `invalid_arguments`). Lengths count code points, as Slack does.
 *
 * Pure data in, list of problems out (each naming where, like `blocks[3].elements[1].text`), so a
 * failing test says exactly which limit broke. `expectWithinBlockKitLimits` wraps it for tests.
 */

export type Surface = 'message' | 'home';

type Json = Record<string, unknown>;

const len = (s: string) => Array.from(s).length;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const SLACK_LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  text: 3000,
  fields: 10,
  field: 2000,
  header: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  blockId: 255,
  /** chat.postMessage `text`: Slack truncates past 40 000, and the bot keeps it far shorter. */
  fallbackText: 40_000,
} as const;

class Checker {
  readonly problems: string[] = [];
  problem(where: string, what: string): void {
    this.problems.push(`${where}: ${what}`);
  }

  /** A text object: `plain_text` or `mrkdwn`, 1..max code points, `emoji` only on plain_text, `verbatim` only on mrkdwn. */
  text(where: string, t: unknown, max: number, only?: 'plain_text' | 'mrkdwn'): void {
    if (!isObj(t)) return this.problem(where, 'missing text object');
    if (t.type !== 'plain_text' && t.type !== 'mrkdwn') return this.problem(where, `text type ${JSON.stringify(t.type)}`);
    if (only && t.type !== only) this.problem(where, `must be ${only}, is ${String(t.type)}`);
    if (typeof t.text !== 'string') return this.problem(where, 'text is not a string');
    const n = len(t.text);
    if (n < 1) this.problem(where, 'empty text');
    if (n > max) this.problem(where, `${n} code points > ${max}`);
    if ('emoji' in t && t.type !== 'plain_text') this.problem(where, '`emoji` is only allowed on plain_text');
    if ('verbatim' in t && t.type !== 'mrkdwn') this.problem(where, '`verbatim` is only allowed on mrkdwn');
    for (const k of Object.keys(t)) if (!['type', 'text', 'emoji', 'verbatim'].includes(k)) this.problem(where, `unknown key "${k}" in a text object`);
  }

  confirm(where: string, c: unknown): void {
    if (!isObj(c)) return this.problem(where, 'confirm is not an object');
    this.text(`${where}.title`, c.title, SLACK_LIMITS.confirmTitle, 'plain_text');
    this.text(`${where}.text`, c.text, SLACK_LIMITS.confirmText);
    this.text(`${where}.confirm`, c.confirm, SLACK_LIMITS.confirmButton, 'plain_text');
    this.text(`${where}.deny`, c.deny, SLACK_LIMITS.confirmButton, 'plain_text');
    this.style(where, c);
  }

  style(where: string, o: Json): void {
    if ('style' in o && o.style !== 'primary' && o.style !== 'danger') this.problem(`${where}.style`, `${JSON.stringify(o.style)} (only "primary" or "danger"; omit it otherwise, null is refused)`);
  }

  button(where: string, b: unknown): void {
    if (!isObj(b)) return this.problem(where, 'element is not an object');
    if (b.type !== 'button') return this.problem(where, `element type ${JSON.stringify(b.type)} (the bot only uses buttons)`);
    this.text(`${where}.text`, b.text, SLACK_LIMITS.buttonText, 'plain_text');
    if (typeof b.action_id !== 'string' || len(b.action_id) < 1 || len(b.action_id) > SLACK_LIMITS.actionId) this.problem(`${where}.action_id`, `must be 1..${SLACK_LIMITS.actionId} characters`);
    if ('value' in b && (typeof b.value !== 'string' || len(b.value) > SLACK_LIMITS.buttonValue)) this.problem(`${where}.value`, `must be a string of at most ${SLACK_LIMITS.buttonValue}`);
    if ('url' in b && (typeof b.url !== 'string' || len(b.url) > SLACK_LIMITS.buttonUrl)) this.problem(`${where}.url`, `must be a string of at most ${SLACK_LIMITS.buttonUrl}`);
    this.style(where, b);
    if ('confirm' in b) this.confirm(`${where}.confirm`, b.confirm);
  }

  block(where: string, b: unknown, blockIds: Set<string>): void {
    if (!isObj(b)) return this.problem(where, 'block is not an object');
    if ('block_id' in b) {
      const id = b.block_id;
      if (typeof id !== 'string' || len(id) < 1 || len(id) > SLACK_LIMITS.blockId) this.problem(`${where}.block_id`, `must be 1..${SLACK_LIMITS.blockId} characters`);
      else if (blockIds.has(id)) this.problem(`${where}.block_id`, `"${id}" is not unique in the message`);
      else blockIds.add(id);
    }
    switch (b.type) {
      case 'header':
        this.text(`${where}.text`, b.text, SLACK_LIMITS.header, 'plain_text');
        break;
      case 'section': {
        if (b.text === undefined && b.fields === undefined) this.problem(where, 'a section needs text or fields');
        if (b.text !== undefined) this.text(`${where}.text`, b.text, SLACK_LIMITS.text);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields) || b.fields.length < 1) this.problem(`${where}.fields`, 'must be a non-empty array');
          else {
            if (b.fields.length > SLACK_LIMITS.fields) this.problem(`${where}.fields`, `${b.fields.length} fields > ${SLACK_LIMITS.fields}`);
            b.fields.forEach((f, i) => this.text(`${where}.fields[${i}]`, f, SLACK_LIMITS.field));
          }
        }
        if (b.accessory !== undefined) this.button(`${where}.accessory`, b.accessory);
        break;
      }
      case 'context': {
        const els = b.elements;
        if (!Array.isArray(els) || els.length < 1 || els.length > SLACK_LIMITS.contextElements) {
          this.problem(`${where}.elements`, `must have 1..${SLACK_LIMITS.contextElements} elements, has ${Array.isArray(els) ? els.length : 'none'}`);
        }
        if (Array.isArray(els)) els.forEach((e, i) => this.text(`${where}.elements[${i}]`, e, SLACK_LIMITS.text));
        break;
      }
      case 'actions': {
        const els = b.elements;
        if (!Array.isArray(els) || els.length < 1 || els.length > SLACK_LIMITS.actionsElements) {
          this.problem(`${where}.elements`, `must have 1..${SLACK_LIMITS.actionsElements} elements, has ${Array.isArray(els) ? els.length : 'none'}`);
        }
        if (Array.isArray(els)) {
          const ids = new Set<string>();
          els.forEach((e, i) => {
            this.button(`${where}.elements[${i}]`, e);
            const id = isObj(e) ? e.action_id : undefined;
            if (typeof id === 'string') {
              if (ids.has(id)) this.problem(`${where}.elements[${i}].action_id`, `"${id}" is not unique in the block`);
              ids.add(id);
            }
          });
        }
        break;
      }
      case 'divider':
        break;
      default:
        this.problem(where, `unexpected block type ${JSON.stringify(b.type)}`);
    }
  }
}

/** Every Block Kit limit `msg` breaks; empty when Slack would accept it. */
export function blockKitProblems(msg: unknown, surface: Surface = 'message'): string[] {
  const c = new Checker();
  if (!isObj(msg)) return ['(message): not an object'];
  if (surface === 'message') {
    if (typeof msg.text !== 'string' || msg.text.trim() === '') c.problem('text', 'the fallback text must be non-empty when there are blocks');
    else if (len(msg.text) > SLACK_LIMITS.fallbackText) c.problem('text', `${len(msg.text)} code points > ${SLACK_LIMITS.fallbackText}`);
  } else if (msg.type !== 'home') {
    c.problem('type', `a Home tab view has type "home", not ${JSON.stringify(msg.type)}`);
  }
  const blocks = msg.blocks;
  if (!Array.isArray(blocks)) return [...c.problems, 'blocks: not an array'];
  const max = surface === 'home' ? SLACK_LIMITS.homeBlocks : SLACK_LIMITS.messageBlocks;
  if (blocks.length > max) c.problem('blocks', `${blocks.length} blocks > ${max}`);
  if (blocks.length === 0) c.problem('blocks', 'no blocks');
  const ids = new Set<string>();
  blocks.forEach((b, i) => c.block(`blocks[${i}]`, b, ids));
  // Anything JSON would drop or mangle (undefined, NaN, functions) means the object is not what is sent.
  const mangled = (v: unknown, where: string): void => {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint' || (typeof v === 'number' && !Number.isFinite(v))) {
      c.problem(where, `${String(v)} does not survive a JSON round trip`);
    } else if (Array.isArray(v)) v.forEach((x, i) => mangled(x, `${where}[${i}]`));
    else if (isObj(v)) for (const [k, x] of Object.entries(v)) mangled(x, `${where}.${k}`);
  };
  mangled(msg, '(message)');
  return c.problems;
}

export function expectWithinBlockKitLimits(msg: unknown, surface: Surface = 'message'): void {
  expect(blockKitProblems(msg, surface)).toEqual([]);
}

/* ---------- escaping ---------- */

/** Mentions, broadcasts and links that outside data could try to inject. */
export const HOSTILE_TOKENS = ['<!channel>', '<!here>', '<!everyone>', '<@U123>', '<https://', '<http://', '<!subteam^S0EVIL>', '<mailto:'] as const;

/**
 * Every string of `msg` that Slack parses for mentions and links: the `text` fallback, every
 * mrkdwn text object, and every other string value except the `text` of plain_text objects.
 * Slack never parses plain_text for mentions or links and shows it literally (a header showing an
 * instance named `<!channel>` shows those characters, and notifies nobody).
 */
export function parsedStrings(msg: unknown): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  const walk = (v: unknown, where: string) => {
    if (typeof v === 'string') out.push({ where, text: v });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (isObj(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && v.type === 'plain_text') continue;
        walk(x, where ? `${where}.${k}` : k);
      }
    }
  };
  walk(msg, '');
  return out;
}

/** The `text` of every plain_text object (shown literally by Slack). */
export function plainTexts(msg: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v)) {
      if (v.type === 'plain_text' && typeof v.text === 'string') out.push(v.text);
      Object.values(v).forEach(walk);
    }
  };
  walk(msg);
  return out;
}

/**
 * The `<…>` sequences the bot itself makes on purpose: user, user-group and channel mentions of
 * checked IDs, and date tokens. Anything else in angle brackets came from outside data.
 */
const DELIBERATE = /<@[UW][A-Z0-9]+>|<!subteam\^S[A-Z0-9]+>|<#[CGD][A-Z0-9]+>|<!date\^\d+\^\{date_short_pretty\} \{time_secs\}\|[0-9: -]+UTC>/g;

/** Places where outside data could have injected a mention or a link. */
export function injectionProblems(msg: unknown, deliberate: RegExp = DELIBERATE): string[] {
  const problems: string[] = [];
  for (const { where, text } of parsedStrings(msg)) {
    for (const token of HOSTILE_TOKENS) if (text.includes(token)) problems.push(`${where}: contains ${token}`);
    const rest = text.replace(deliberate, '');
    if (/[<>]/.test(rest)) problems.push(`${where}: has < or > outside a deliberate mention: ${JSON.stringify(rest.slice(Math.max(0, rest.search(/[<>]/) - 30), rest.search(/[<>]/) + 30))}`);
  }
  return problems;
}

/** No mention or link from outside data anywhere Slack parses the message. */
export function expectNoInjection(msg: unknown): void {
  expect(injectionProblems(msg)).toEqual([]);
}

/* ---------- hostile data ---------- */

/** Outside text that tries every trick; `&` and emoji check escaping order and cutting. */
export const HOSTILE_NAME = '🔥 <!channel> ping <@U123> & <https://evil.example|click here> <!here> <!subteam^S0EVIL> `code` *bold* 😀';
/** A SecMaster error message quoting user input, as some APIs do. */
export const HOSTILE_ERROR = 'Instance <!channel> not found for <@U123>; see <https://evil.example/reset|the docs> & retry';
/** 10 000 characters with entities and emoji throughout, to hit every cut. */
export const HUGE_NAME = ('<@U123> & 😀 ' + 'x'.repeat(38)).repeat(200);
