import path from 'node:path';
import Database from 'better-sqlite3';
import type { StoredMessage } from '../../../src/sandbox/slack/standIn';
import { DEFAULT_POLICY, startHarness, USERS, waitFor, type Harness, type HarnessOptions } from '../harness';
import type { AuditRow } from '../../../src/store/rows';

/**
 * Shared pieces of the approval end-to-end suites: a harness whose per-person operation budget and
 * chat.update budget cannot get in the way of a suite that asks for many approvals, a fresh channel
 * per test (posts are paced per channel, and each test then reads only its own messages), and
 * readers for cards, buttons, ephemerals, SecMaster operation calls and the SQLite audit table.
 */

/** Not under test here: the rate limits (their own suites cover them) must not slow or refuse requests. */
export const APPROVAL_ENV = { OPERATIONS_PER_USER_PER_MINUTE: '100000', SLACK_UPDATES_PER_MINUTE: '100000' };

export function startApprovalHarness(opts: HarnessOptions = {}): Promise<Harness> {
  return startHarness({ ...opts, env: { ...APPROVAL_ENV, ...opts.env } });
}

/** DEFAULT_POLICY with another approval requirement for responders' TERMINATE. */
export function policyWith(change: { count?: number; expiresAfter?: string; leadUsergroups?: string[] }): string {
  let p = DEFAULT_POLICY;
  if (change.count !== undefined) p = p.replace('count: 1', `count: ${change.count}`);
  if (change.expiresAfter !== undefined) p = p.replace('expires_after: 30m', `expires_after: ${change.expiresAfter}`);
  if (change.leadUsergroups) {
    p = p.replace(`users: [${USERS.lead}, ${USERS.lead2}]`, `users: [${USERS.lead}, ${USERS.lead2}]\n    usergroups: [${change.leadUsergroups.join(', ')}]`);
  }
  if (p === DEFAULT_POLICY) throw new Error('policyWith changed nothing');
  return p;
}

let channelSeq = 0;

/** Adds a channel the bot is a member of and returns its ID. */
export function freshChannel(h: Pick<Harness, 'slack'>): string {
  const id = `C0APR${process.pid}X${++channelSeq}`;
  h.slack.channels.set(id, { id, name: `approvals-${channelSeq}` });
  return id;
}

export interface Button {
  action_id: string;
  value?: string;
  text?: { text?: string };
  confirm?: unknown;
}

/** Every button in a list of blocks (messages and Home views alike). */
export function buttonsIn(blocks: unknown[]): Button[] {
  return (blocks as Array<{ type?: string; elements?: Button[]; accessory?: Button }>).flatMap((b) => [
    ...(b.type === 'actions' ? (b.elements ?? []) : []),
    ...(b.accessory?.action_id ? [b.accessory] : []),
  ]);
}

/** All the text a message shows: its fallback and its blocks (mrkdwn, fields, context). */
export function shown(m: { text?: string; blocks: unknown[] }): string {
  return `${m.text ?? ''}\n${JSON.stringify(m.blocks)}`;
}

export const operationPosts = (h: Pick<Harness, 'sim'>, instanceId: string) =>
  h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${instanceId}/operation`));

/** The approval card the bot posted for this instance in this channel (top level, not a thread reply). */
export function approvalCardFor(h: Pick<Harness, 'slack'>, channel: string, instanceId: string): StoredMessage | undefined {
  return h.slack.messages.find((m) => m.channel === channel && !m.threadTs && m.text.startsWith('Approval needed') && m.text.includes(instanceId));
}

/** The approval ID on a card's Approve button. */
export function approvalIdOn(card: StoredMessage): string {
  const approve = buttonsIn(card.blocks).find((b) => b.action_id === 'playbook_approve');
  if (!approve?.value) throw new Error(`no playbook_approve button on the card: ${shown(card)}`);
  return approve.value;
}

/** Ephemerals (response_url answers) that `user` got in `channel`. */
export function privateTo(h: Pick<Harness, 'slack'>, user: string, channel: string): string[] {
  return h.slack.ephemerals.filter((e) => e.user === user && e.channel === channel).map((e) => shown(e));
}

/** Waits for a private answer to `user` in `channel` matching `pattern` and returns it. */
export function waitForPrivate(h: Pick<Harness, 'slack'>, user: string, channel: string, pattern: RegExp, what: string, timeoutMs = 5000): Promise<string> {
  return waitFor(() => privateTo(h, user, channel).find((t) => pattern.test(t)), timeoutMs, what);
}

/** Asks for a TERMINATE that needs approval and waits for its card and the requester's private note. */
export async function requestTerminate(h: Harness, channel: string, instanceId: string, reason: string, requester: string = USERS.responder) {
  const answer = await h.command(requester, channel, `terminate ${instanceId} ${reason}`);
  if (answer.status !== 200) throw new Error(`the slash command got ${answer.status}: ${answer.text}`);
  const card = await waitFor(() => approvalCardFor(h, channel, instanceId), 5000, 'the approval card');
  const note = await waitForPrivate(h, requester, channel, /needs \d+ approval/, 'the requester is told it waits for approval');
  return { card, approvalId: approvalIdOn(card), note };
}

export function clickOnCard(h: Harness, user: string, channel: string, card: StoredMessage, actionId: 'playbook_approve' | 'playbook_reject', value: string) {
  return h.click({ userId: user, channelId: channel, actionId, value, message: { ts: card.ts, bot_id: h.slack.botId } });
}

/** Waits until the card (updated in place) shows the instance's final status. */
export function waitForStatusCard(card: StoredMessage, status: string, timeoutMs = 8000): Promise<true> {
  return waitFor(() => card.text.startsWith('Playbook instance') && card.text.includes(` is ${status}`), timeoutMs, `the card to become the status card showing ${status}`);
}

export type AuditRowInDb = AuditRow & { id: number };

/** The audit table as stored, read from the SQLite file itself (not through the bot). */
export function auditRowsIn(sqliteFile: string, where: { approvalId?: string; instanceId?: string }): AuditRowInDb[] {
  const db = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  try {
    const clauses: string[] = [];
    const args: string[] = [];
    if (where.approvalId) {
      clauses.push('approval_id = ?');
      args.push(where.approvalId);
    }
    if (where.instanceId) {
      clauses.push('instance_id = ?');
      args.push(where.instanceId);
    }
    return db.prepare(`SELECT * FROM audit ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY id`).all(...args) as AuditRowInDb[];
  } finally {
    db.close();
  }
}

export const auditRows = (h: Pick<Harness, 'dir'>, where: { approvalId?: string; instanceId?: string }) => auditRowsIn(path.join(h.dir, 'bot.sqlite'), where);

/** The `{"message":"audit","audit":{…}}` lines a bot wrote, parsed. */
export function auditLines(lines: string[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of lines) {
    try {
      const j = JSON.parse(line) as { message?: string; audit?: Record<string, unknown> };
      if (j.message === 'audit' && j.audit) out.push(j.audit);
    } catch {
      // not a JSON line
    }
  }
  return out;
}
