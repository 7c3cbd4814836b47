import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { policySchema, type PolicyDocument } from './schema';

/** A policy that failed to load: every problem, each naming its field (`rules[3].roles[0]: …`). */
export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Policy file ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

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

export async function loadPolicyFile(file: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PolicyError(file, [`PLAYBOOK_POLICY_FILE: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`]);
  }
  return parsePolicy(text, file);
}
