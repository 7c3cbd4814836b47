import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { policySchema, type PolicyDocument } from './schema';

/** A policy that failed to load: every problem, each naming its field (`rules[3].roles[0]: …`). */
export class PolicyError extends Error {
  /** `file`: the policy's file, or {@link POLICY_VARIABLE} when the YAML came from the environment. */
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file === POLICY_VARIABLE ? POLICY_VARIABLE : `Policy file ${file}`} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

/** The variable that holds the policy's YAML itself (spec section 2), named in its errors instead of a file. */
export const POLICY_VARIABLE = 'PLAYBOOK_POLICY';

/** The commented example shipped at the repository's root: what a missing policy file points to. */
export const POLICY_EXAMPLE = 'policy.example.yml';

/** Where the policy comes from (the configuration's `policy`). */
export type PolicySourceInput = { kind: 'file'; file: string } | { kind: 'variable'; yaml: string };

export type Policy = PolicyDocument;

/** `['rules', 3, 'roles', 0]` → `rules[3].roles[0]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(file)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown key "${k}"`).join('\n');
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${formatPath(issue.path)}: required`;
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** Parses policy text; throws {@link PolicyError}. Pure, so tests and `can` share it. */
export function parsePolicy(text: string, file = 'policy'): Policy {
  if (text.trim() === '') throw new PolicyError(file, ['(file): the policy file is empty; anything not granted is denied, so nothing would be allowed']);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      file,
      doc.errors.map((e) => `${e.linePos ? `line ${e.linePos[0].line}` : '(file)'}: ${e.message.split('\n')[0]}`),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // An alias to an anchor that does not exist (`*x`), a cyclic alias, and the like.
    throw new PolicyError(file, [`(file): ${err instanceof Error ? err.message : String(err)}`]);
  }
  if (data === null || data === undefined) throw new PolicyError(file, ['(file): the policy file is empty']);
  // reportInput: without it zod 4 leaves `issue.input` out, and every wrong type would read "required".
  const parsed = policySchema.safeParse(data, { reportInput: true });
  if (!parsed.success) throw new PolicyError(file, parsed.error.issues.flatMap((i) => describeIssue(i).split('\n')));
  return parsed.data;
}

/** Why a policy file could not be read, and how to start from the shipped example. */
function unreadable(file: string, code: string | undefined): string {
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'EACCES: permission denied' : code === 'EISDIR' ? 'EISDIR: a folder, not a file' : (code ?? 'error');
  return `PLAYBOOK_POLICY_FILE: cannot read ${file} (${why}); to start from the example: cp ${POLICY_EXAMPLE} ${file} and set PLAYBOOK_POLICY_FILE=${file}, then edit slack_team_id, roles and rules (or put the YAML itself in ${POLICY_VARIABLE})`;
}

export async function loadPolicyFile(file: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PolicyError(file, [unreadable(file, (err as NodeJS.ErrnoException).code)]);
  }
  return parsePolicy(text, file);
}

/** The policy from where the configuration says: the file, or the YAML in PLAYBOOK_POLICY. */
export async function loadPolicy(source: PolicySourceInput): Promise<Policy> {
  return source.kind === 'file' ? loadPolicyFile(source.file) : parsePolicy(source.yaml, POLICY_VARIABLE);
}
