import type { Simulator } from '../../src/sandbox/simulator';
import { startSlackStandIn, type RecordedSlackCall, type SlackStandIn, type StoredMessage } from '../../src/sandbox/slack/standIn';
import { CHANNELS, DEFAULT_POLICY, SECRETS, STANDARD_CHANNELS, startHarness, TEAM, USERS, type Harness, type HarnessOptions } from './harness';

/**
 * Small readers shared by the alert, button and watch suites: what a card shows (its status word,
 * its buttons), which SecMaster calls touched one instance, and the `/alerts` webhook client.
 */

export interface CardButton {
  action_id: string;
  value?: string;
  confirm?: unknown;
}

/** Every button in a message's `actions` blocks, in order. */
export function buttonsOf(blocks: unknown[]): CardButton[] {
  const out: CardButton[] = [];
  for (const b of blocks as Array<{ type?: string; elements?: CardButton[] }>) {
    if (b?.type === 'actions') out.push(...(b.elements ?? []));
  }
  return out;
}

export function actionIdsOf(blocks: unknown[]): string[] {
  return buttonsOf(blocks).map((b) => b.action_id);
}

/** The raw status word the card's fallback text ends with ("… is RETRYING"). */
export function statusOf(m: { text: string }): string | undefined {
  return /\bis ([A-Z_]+)\b/.exec(m.text)?.[1];
}

export function find(slack: SlackStandIn, channel: string, ts: string): StoredMessage {
  const m = slack.messages.find((x) => x.channel === channel && x.ts === ts);
  if (!m) throw new Error(`no message ${channel}/${ts}`);
  return m;
}

/** Messages that mention an instance ID (its cards and replies). */
export function messagesAbout(slack: SlackStandIn, id: string): StoredMessage[] {
  return slack.messages.filter((m) => m.text.includes(id) || JSON.stringify(m.blocks).includes(id));
}

export function operationPosts(sim: Simulator, id: string) {
  return sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/instances/${id}/operation`));
}

export function instanceReads(sim: Simulator, id: string) {
  return sim.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/instances/${id}`));
}

/** `chat.update` calls the bot made on one message (the stand-in records each, with its args). */
export function updatesOf(slack: SlackStandIn, channel: string, ts: string): RecordedSlackCall[] {
  return slack.calls.filter((c) => c.method === 'chat.update' && c.args.channel === channel && c.args.ts === ts && !c.error);
}

/** What an update call carried: the status word and the buttons. */
export function updateShows(c: RecordedSlackCall): { status?: string; actions: string[]; text: string; blocks: unknown[] } {
  const text = String(c.args.text ?? '');
  const raw = c.args.blocks;
  const blocks = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? [])) as unknown[];
  return { status: statusOf({ text }), actions: actionIdsOf(blocks), text, blocks };
}

/** POST /alerts with the webhook token (or the headers given). */
export async function postAlert(
  url: string,
  body: unknown,
  opts: { auth?: string | null; raw?: string; contentType?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  const auth = opts.auth === undefined ? `Bearer ${SECRETS.alert}` : opts.auth;
  if (auth !== null) headers.authorization = auth;
  const res = await fetch(`${url}/alerts`, { method: 'POST', headers, body: opts.raw ?? JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json };
}

/**
 * A harness whose Slack stand-in has `extra` more public channels where the default policy's RETRY
 * rule applies (`C0WIDE0`, `C0WIDE1`, …). The bot paces posts to about one a second per channel, as
 * Slack asks; giving each test its own channel keeps tests from waiting on one another's posts.
 */
export interface WideHarness extends Harness {
  /** A channel no other test has used, where responders may retry. */
  freshChannel(): string;
}

export async function startWideHarness(opts: Omit<HarnessOptions, 'slack' | 'policy'> & { extra?: number; /** YAML list items appended to the default policy's rules. */ extraRules?: string } = {}): Promise<WideHarness> {
  const extra = Array.from({ length: opts.extra ?? 30 }, (_, i) => `C0WIDE${i}`);
  const slack = await startSlackStandIn({
    botToken: SECRETS.bot,
    teamId: TEAM,
    channels: [
      ...STANDARD_CHANNELS,
      ...extra.map((id) => ({ id, name: id.toLowerCase() })),
    ],
    usergroups: { S0SOC: [USERS.groupie] },
  });
  const wide = DEFAULT_POLICY.replace(`${CHANNELS.archived}]`, `${CHANNELS.archived}, ${extra.join(', ')}]`);
  if (extra.length > 0 && wide === DEFAULT_POLICY) throw new Error('the default policy changed shape: update startWideHarness');
  const policy = opts.extraRules ? `${wide.trimEnd()}
${opts.extraRules}` : wide;
  const h = await startHarness({ ...opts, slack, policy });
  let next = 0;
  return {
    ...h,
    freshChannel() {
      const c = extra[next++];
      if (!c) throw new Error('out of fresh channels: raise `extra`');
      return c;
    },
    async stop() {
      await h.stop();
      await slack.close();
    },
  };
}
