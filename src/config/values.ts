import { z } from 'zod';
import { SLACK_CHANNEL_ID_PATTERN } from '../core';
import { TOPIC_URN_PATTERN } from '../smn/message';
import { parseTrustedHost } from '../smn/trustedUrl';

/**
 * Parsers of one variable's value. Each receives a value that is set (a blank one counts as unset
 * and never reaches a parser) exactly as the environment holds it, and says in its issue messages
 * what is wrong; `env.ts` prefixes them with the variable's name.
 */

/** The value without surrounding white space (what every variable but a password means). */
export const text = z.string().trim();

/** The value exactly as given: a password may begin or end with a space. */
export const verbatim = z.string();

export function textMatching(pattern: RegExp, message: string) {
  return text.refine((s) => pattern.test(s), message);
}

export function textStartingWith(prefix: string, message: string) {
  return text.refine((s) => s.startsWith(prefix), message);
}

export function textAtLeast(length: number, message: string) {
  return text.refine((s) => s.length >= length, message);
}

/** One of a closed list of words. */
export function oneOf<const T extends string>(words: readonly T[], message: string) {
  return text.refine((s): s is T => (words as readonly string[]).includes(s), message).transform((s) => s as T);
}

/** `1` or `0`, as a switch. */
export const flag = text.refine((s) => s === '1' || s === '0', 'must be 1 (or unset)').transform((s) => s === '1');

export const httpUrl = text.refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

/** A base URL the client appends paths to: no trailing `/`. */
export const baseUrl = httpUrl.transform((s) => s.replace(/\/+$/, ''));

/** A base URL that method names are appended to: ending in `/`. */
export const baseUrlWithSlash = httpUrl.transform((s) => (s.endsWith('/') ? s : `${s}/`));

/** A whole number in a range; the message quotes the value as it was written. */
export function wholeNumber(min: number, max: number) {
  return z.string().transform((s, ctx) => {
    if (!/^\d+$/.test(s.trim())) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number, got "${s}"` });
      return z.NEVER;
    }
    const n = Number(s.trim());
    if (n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}, got ${n}` });
      return z.NEVER;
    }
    return n;
  });
}

export const databaseUrl = text.refine((s) => /^sqlite:.+/.test(s) || /^postgres(ql)?:\/\/.+/.test(s), 'must be "sqlite:<path>" or a "postgres://…" URL');

/** Comma-separated items, each trimmed; an empty item (`a,,b`, a trailing comma) is a mistake worth naming. */
function commaList(check: (item: string, ctx: z.RefinementCtx) => void) {
  return text.transform((s, ctx) => {
    const items = s.split(',').map((i) => i.trim());
    if (items.some((i) => i === '')) ctx.addIssue({ code: 'custom', message: 'has an empty entry (two commas in a row, or one at the end)' });
    for (const item of items.filter(Boolean)) check(item, ctx);
    return items.filter(Boolean);
  });
}

/** `SMN_TOPICS`: `urn:smn:{region}:{project}:{topic}=C0CHANNEL` pairs, each topic once. */
export const smnTopics = commaList((item, ctx) => {
  const eq = item.lastIndexOf('=');
  const urn = eq === -1 ? item : item.slice(0, eq).trim();
  const channel = eq === -1 ? '' : item.slice(eq + 1).trim();
  if (eq === -1) ctx.addIssue({ code: 'custom', message: `"${item}" must be topic_urn=channel_id, e.g. urn:smn:ap-southeast-1:0123abcd:secmaster-alerts=C0INCIDENT` });
  else if (!TOPIC_URN_PATTERN.test(urn)) ctx.addIssue({ code: 'custom', message: `"${urn}" is not an SMN topic URN (urn:smn:{region}:{project_id}:{topic_name})` });
  else if (!SLACK_CHANNEL_ID_PATTERN.test(channel)) ctx.addIssue({ code: 'custom', message: `"${channel}" (for ${urn}) must be a Slack channel ID like "C0INCIDENT"` });
}).transform((items, ctx) => {
  const topics = items.map((item) => {
    const eq = item.lastIndexOf('=');
    return { topicUrn: item.slice(0, eq).trim(), channel: item.slice(eq + 1).trim() };
  });
  const seen = new Set<string>();
  for (const t of topics) {
    if (seen.has(t.topicUrn)) ctx.addIssue({ code: 'custom', message: `${t.topicUrn} is listed twice` });
    seen.add(t.topicUrn);
  }
  return topics;
});

/** `SMN_TRUSTED_HOSTS`: `host` or `host:port` entries, as comparison keys. */
export const smnTrustedHosts = commaList((item, ctx) => {
  const parsed = parseTrustedHost(item);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
}).transform((items) => items.map((i) => (parseTrustedHost(i) as { ok: true; key: string }).key));

/** The secret a variable holds: its value as it is used (trimmed). */
export const trimmedSecret = (raw: string): string[] => [raw.trim()];

/** A password is used exactly as given; the trimmed form is hidden too, wherever a copy lost its spaces. */
export const verbatimSecret = (raw: string): string[] => [raw, raw.trim()];

/** A database password as it appears in the URL (percent-encoded) and as it is used (decoded). */
export function databasePasswords(raw: string): string[] {
  const url = raw.trim();
  if (!url.startsWith('postgres')) return [];
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return [];
  }
  if (!password) return [];
  // A lone `%` is not an escape: such a password is hidden as written.
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    decoded = password;
  }
  return [...new Set([password, decoded])];
}
