import type { Operation } from '../secmaster/schemas';

/**
 * The `/playbook` grammar, parsed once into a typed record. Anything that does not parse becomes a
 * `usage` command carrying what was wrong, so no SecMaster call can follow from a typo.
 */

export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_REASON_LENGTH = 500;

/** What a person may ask to do; VIEW guards `status`, `list` and `log`. */
export type Permission = Operation | 'VIEW';

export type PlaybookCommand =
  | { kind: 'operate'; operation: Operation; instanceId: string; reason?: string }
  | { kind: 'status'; instanceId: string }
  | { kind: 'list'; status?: string; page: number }
  | { kind: 'log'; instanceId: string }
  | { kind: 'can'; permission: Permission }
  | { kind: 'help' }
  | { kind: 'usage'; problem: string };

export const LIST_STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'RETRYING', 'TERMINATING', 'TERMINATED'] as const;

export function isInstanceId(s: string): boolean {
  return INSTANCE_ID_PATTERN.test(s);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An instance ID as the bot compares, locks and sends it. SecMaster's IDs are UUIDs, and a UUID
 * names the same thing in either case (RFC 9562: "compared in a case-insensitive manner"), so
 * `ABC…` and `abc…` must not be two instances with two locks: UUIDs are lower-cased, anything else
 * is kept exactly as it came.
 */
export function canonicalInstanceId(id: string): string {
  return UUID_PATTERN.test(id) ? id.toLowerCase() : id;
}

export function parsePlaybookCommand(raw: string): PlaybookCommand {
  const text = (raw ?? '').trim();
  if (text === '') return { kind: 'help' };
  const [first = '', ...rest] = text.split(/\s+/);
  const sub = first.toLowerCase();
  const arg = rest[0];

  switch (sub) {
    case 'help':
    case '-h':
    case '--help':
      return { kind: 'help' };
    case 'retry':
    case 'terminate': {
      const operation: Operation = sub === 'retry' ? 'RETRY' : 'TERMINATE';
      const id = checkId(sub, arg);
      if (typeof id !== 'string') return id;
      // The reason keeps the person's own spacing after the ID, minus the edges.
      // `arg` is the ID as typed (`id` may be lower-cased).
      const reason = text.slice(text.indexOf(arg!, first.length) + arg!.length).trim();
      if (reason.length > MAX_REASON_LENGTH) return usage(`the reason is ${reason.length} characters long; keep it under ${MAX_REASON_LENGTH}`);
      return { kind: 'operate', operation, instanceId: id, ...(reason ? { reason } : {}) };
    }
    case 'status':
    case 'log': {
      const id = checkId(sub, arg);
      if (typeof id !== 'string') return id;
      if (rest.length > 1) return usage(`\`${sub}\` takes one instance ID, got ${rest.length} words`);
      return { kind: sub, instanceId: id };
    }
    case 'list': {
      let status: string | undefined;
      let page = 1;
      for (const word of rest) {
        if (/^\d{1,4}$/.test(word) && Number(word) >= 1) page = Number(word);
        else if ((LIST_STATUSES as readonly string[]).includes(word.toUpperCase()) && status === undefined) status = word.toUpperCase();
        else return usage(`\`list\` takes an optional status (${LIST_STATUSES.join(', ')}) and page number, not "${word}"`);
      }
      return { kind: 'list', ...(status ? { status } : {}), page };
    }
    case 'can': {
      const p = arg?.toUpperCase();
      if (rest.length !== 1 || (p !== 'RETRY' && p !== 'TERMINATE' && p !== 'VIEW')) return usage('`can` takes one of: retry, terminate, view');
      return { kind: 'can', permission: p };
    }
    default:
      return usage(`unknown subcommand "${first.slice(0, 40)}"`);
  }
}

function checkId(sub: string, arg: string | undefined): string | PlaybookCommand {
  if (arg === undefined) return usage(`\`${sub}\` needs an instance ID`);
  if (!isInstanceId(arg)) return usage(`"${arg.slice(0, 80)}" is not an instance ID (1–64 letters, digits, - or _)`);
  return canonicalInstanceId(arg);
}

function usage(problem: string): PlaybookCommand {
  return { kind: 'usage', problem };
}
