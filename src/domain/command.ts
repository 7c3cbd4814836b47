import { canonicalInstanceId, INSTANCE_STATUSES, isInstanceId, operationNamed, PERMISSIONS, type Operation, type Permission } from '../core';

/**
 * The `/playbook` grammar, parsed once into a typed record. Anything that does not parse becomes a
 * `usage` command carrying what was wrong (worded for the person by `slack/blocks/usage.ts`), so no
 * SecMaster call can follow from a typo.
 */

export const MAX_REASON_LENGTH = 500;
/** Longest piece of a mistyped word kept to quote back: an unknown subcommand, a bad ID. */
const QUOTED_SUBCOMMAND_LENGTH = 40;
const QUOTED_ID_LENGTH = 80;

/** What was wrong with a command, with the pieces of it to quote back. */
export type UsageProblem =
  | { kind: 'unknown_subcommand'; word: string }
  | { kind: 'needs_instance_id'; subcommand: string }
  | { kind: 'not_an_instance_id'; word: string }
  | { kind: 'reason_too_long'; length: number; max: number }
  | { kind: 'one_instance_id'; subcommand: string; words: number }
  | { kind: 'list_arguments'; word: string }
  | { kind: 'can_arguments' };

export type PlaybookCommand =
  | { kind: 'operate'; operation: Operation; instanceId: string; reason?: string }
  | { kind: 'status'; instanceId: string }
  | { kind: 'list'; status?: string; page: number }
  | { kind: 'log'; instanceId: string }
  | { kind: 'can'; permission: Permission }
  | { kind: 'help' }
  | { kind: 'usage'; problem: UsageProblem };

export function parsePlaybookCommand(raw: string): PlaybookCommand {
  const text = (raw ?? '').trim();
  if (text === '') return { kind: 'help' };
  const [first = '', ...rest] = text.split(/\s+/);
  const sub = first.toLowerCase();
  const arg = rest[0];

  const operation = operationNamed(sub);
  if (operation) {
    const id = checkId(sub, arg);
    if (typeof id !== 'string') return id;
    // The reason keeps the person's own spacing after the ID, minus the edges.
    // `arg` is the ID as typed (`id` may be lower-cased).
    const reason = text.slice(text.indexOf(arg!, first.length) + arg!.length).trim();
    if (reason.length > MAX_REASON_LENGTH) return usage({ kind: 'reason_too_long', length: reason.length, max: MAX_REASON_LENGTH });
    return { kind: 'operate', operation, instanceId: id, ...(reason ? { reason } : {}) };
  }

  switch (sub) {
    case 'help':
    case '-h':
    case '--help':
      return { kind: 'help' };
    case 'status':
    case 'log': {
      const id = checkId(sub, arg);
      if (typeof id !== 'string') return id;
      if (rest.length > 1) return usage({ kind: 'one_instance_id', subcommand: sub, words: rest.length });
      return { kind: sub, instanceId: id };
    }
    case 'list': {
      let status: string | undefined;
      let page = 1;
      for (const word of rest) {
        if (/^\d{1,4}$/.test(word) && Number(word) >= 1) page = Number(word);
        else if ((INSTANCE_STATUSES as readonly string[]).includes(word.toUpperCase()) && status === undefined) status = word.toUpperCase();
        else return usage({ kind: 'list_arguments', word });
      }
      return { kind: 'list', ...(status ? { status } : {}), page };
    }
    case 'can': {
      const p = PERMISSIONS.find((permission) => permission === arg?.toUpperCase());
      if (rest.length !== 1 || !p) return usage({ kind: 'can_arguments' });
      return { kind: 'can', permission: p };
    }
    default:
      return usage({ kind: 'unknown_subcommand', word: first.slice(0, QUOTED_SUBCOMMAND_LENGTH) });
  }
}

function checkId(sub: string, arg: string | undefined): string | PlaybookCommand {
  if (arg === undefined) return usage({ kind: 'needs_instance_id', subcommand: sub });
  if (!isInstanceId(arg)) return usage({ kind: 'not_an_instance_id', word: arg.slice(0, QUOTED_ID_LENGTH) });
  return canonicalInstanceId(arg);
}

function usage(problem: UsageProblem): PlaybookCommand {
  return { kind: 'usage', problem };
}
