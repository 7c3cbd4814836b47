import { Writable } from 'node:stream';
import winston from 'winston';

/**
 * One JSON object per line on stdout, with every secret redacted wherever it appears: values the
 * configuration marks as secret, credential headers and fields by name, and token-shaped strings
 * (Slack tokens, AK/SK authorization headers) by pattern, inside errors too.
 */
export type Logger = winston.Logger & {
  /** The redaction this logger applies, for what leaves by other ways (Slack, audit rows); secrets obtained at run time are added to it. */
  readonly redact: Redactor;
};

export const REDACTED = '[REDACTED]';

/** Field names whose value is always a credential, whatever it looks like. */
const SECRET_KEY = /^(authorization|proxy-authorization|x-auth-token|x-subject-token|x-security-token|x-slack-signature|cookie|set-cookie|password|passwd|secret|secret_?key|client_?secret|signing_?secret|.*_token|token|bot_?token|app_?token|access_?token|sk)$/i;

/** Strings that are credentials by shape, even when nobody configured them. */
const SECRET_PATTERNS: RegExp[] = [
  /\bxox[abposr]-[A-Za-z0-9-]+/g,
  /\bxapp-[A-Za-z0-9-]+/g,
  /(SDK-HMAC-SHA256\s+)[^\r\n"]+/g,
  /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
];

export interface Redactor {
  (value: unknown): unknown;
  text(s: string): string;
  /**
   * Every string inside `value` redacted, the structure kept as it is (no key-based masking, no
   * depth limit): for a Slack message's blocks, which must stay valid Block Kit.
   */
  strings<T>(value: T): T;
  /** A secret obtained at run time (an IAM token): redacted from then on wherever this redactor is used. */
  add(secret: string): void;
}

/** Builds the redaction used by the logger; exported so errors shown to people can pass through it too. */
export function createRedactor(secrets: readonly string[]): Redactor {
  // Each secret also in its JSON-escaped form (a secret with `"` or `\` inside an encoded string);
  // longest first, so a secret that contains another is replaced whole.
  const known = new Set<string>();
  let values: string[] = [];
  const remember = (list: readonly string[]) => {
    for (const s of list) if (s.length >= 4) for (const form of [s, JSON.stringify(s).slice(1, -1)]) known.add(form);
    values = [...known].sort((a, b) => b.length - a.length);
  };
  remember(secrets);

  const text = (s: string): string => {
    let out = s;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    for (const p of SECRET_PATTERNS) {
      out = out.replace(p, (_m, prefix?: string) => (typeof prefix === 'string' ? `${prefix}${REDACTED}` : REDACTED));
    }
    return out;
  };

  /** `ancestors` holds only the objects on the current path: a shared (not circular) object is written each time. */
  const walk = (value: unknown, ancestors: Set<object>, depth: number): unknown => {
    if (typeof value === 'string') return text(value);
    if (value === null || typeof value !== 'object') return value;
    if (ancestors.has(value)) return '[Circular]';
    if (depth > 8) return '[Truncated]';
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof URL) return text(value.toString());
    if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
    ancestors.add(value);
    try {
      if (Array.isArray(value)) return value.map((v) => walk(v, ancestors, depth + 1));
      if (value instanceof Error) {
        const plain: Record<string, unknown> = { name: value.name, message: value.message, stack: value.stack };
        for (const [k, v] of Object.entries(value)) plain[k] = v;
        return walkObject(plain, ancestors, depth);
      }
      if (value instanceof Map) return walkObject(Object.fromEntries(value), ancestors, depth);
      return walkObject(value as Record<string, unknown>, ancestors, depth);
    } finally {
      ancestors.delete(value);
    }
  };

  const walkObject = (obj: Record<string, unknown>, ancestors: Set<object>, depth: number) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      // Keys are redacted too: a secret can be used as a map key.
      out[text(k)] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? REDACTED : walk(v, ancestors, depth + 1);
    }
    return out;
  };

  const strings = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(strings);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strings(v)]));
  };

  const redactor = ((value: unknown) => walk(value, new Set(), 0)) as Redactor;
  redactor.text = text;
  redactor.strings = strings as Redactor['strings'];
  redactor.add = (secret) => {
    if (!known.has(secret)) remember([secret]);
  };
  return redactor;
}

/** winston's npm levels, most severe first: what `LOG_LEVEL` may name. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level: LogLevel;
  secrets: readonly string[];
  /** Where lines go; stdout unless a test captures them. */
  stream?: Writable;
}

export function createLogger({ level, secrets, stream }: LoggerOptions): Logger {
  const redact = createRedactor(secrets);
  const redactFormat = winston.format((info) => {
    const cleaned = redact({ ...info }) as Record<string, unknown>;
    // Keep winston's symbol-keyed bookkeeping (level, splat) that Object.entries skipped.
    for (const sym of Object.getOwnPropertySymbols(info)) cleaned[sym as unknown as string] = (info as never)[sym];
    return cleaned as winston.Logform.TransformableInfo;
  });
  const logger = winston.createLogger({
    level,
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      redactFormat(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream: stream ?? process.stdout })],
  });
  return Object.assign(logger, { redact });
}

/** A writable that keeps every line, for tests and the sandbox's own checks. */
export function createLineCollector(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.length > 0));
      cb();
    },
  });
  return { stream, lines };
}
