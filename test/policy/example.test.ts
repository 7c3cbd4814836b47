import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { loadPolicyFile } from '../../src/policy/load';
import { policySchema } from '../../src/policy/schema';

/**
 * `policy.example.yml` at the repository root is what a real install starts from (README, "The
 * policy file"): it loads through the bot's own loader, and it shows every key the policy schema
 * knows, so a feature added to the schema and not to the example fails here.
 */
const EXAMPLE = path.resolve(__dirname, '..', '..', 'policy.example.yml');

/** Every key path the schema accepts: `roles.*.users`, `rules[].approval.count`, … */
function schemaPaths(schema: z.ZodType, at = ''): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, child]) => {
        const here = at ? `${at}.${key}` : key;
        return [here, ...schemaPaths(child, here)];
      });
    case 'optional':
    case 'default':
      return schemaPaths(def.innerType as z.ZodType, at);
    case 'array':
      return schemaPaths(def.element as z.ZodType, `${at}[]`);
    case 'record':
      return schemaPaths(def.valueType as z.ZodType, `${at}.*`);
    default:
      return [];
  }
}

/** The key paths a parsed YAML document uses, in the same notation. */
function documentPaths(value: unknown, at = '', inRecord = false): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => documentPaths(v, `${at}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const here = inRecord ? `${at}.*` : at ? `${at}.${key}` : key;
    // `roles` is the one map whose keys are names, not schema keys.
    return [...(inRecord ? [] : [here]), ...documentPaths(child, here, here === 'roles')];
  });
}

describe('policy.example.yml', () => {
  const text = readFileSync(EXAMPLE, 'utf8');

  it('loads through the real policy loader', async () => {
    const policy = await loadPolicyFile(EXAMPLE);
    expect(policy.slack_team_id).toMatch(/^T/);
    expect(policy.rules.length).toBeGreaterThan(3);
  });

  it('uses every key of the policy schema', () => {
    const wanted = [...new Set(schemaPaths(policySchema))].sort();
    // The walk itself reads the schema: it must see the nested keys, or this test proves nothing.
    expect(wanted).toEqual(expect.arrayContaining(['roles.*.usergroups', 'rules[].approval.expires_after', 'rules[].workspaces']));
    const used = new Set(documentPaths(parse(text)));
    expect(wanted.filter((p) => !used.has(p))).toEqual([]);
  });

  it('shows each operation, "*" for everyone, and a rule with and one without channels', async () => {
    const policy = await loadPolicyFile(EXAMPLE);
    expect([...new Set(policy.rules.flatMap((r) => r.operations))].sort()).toEqual(['RETRY', 'TERMINATE', 'VIEW']);
    expect(Object.values(policy.roles).some((r) => r.users?.includes('*'))).toBe(true);
    expect(policy.rules.some((r) => r.channels)).toBe(true);
    expect(policy.rules.some((r) => !r.channels && !r.workspaces && !r.approval)).toBe(true);
  });

  it('is commented: every top-level key and every rule has a comment above it', () => {
    const lines = text.split('\n');
    const commentedAbove = (n: number) => (lines[n - 1] ?? '').trimStart().startsWith('#');
    const keyLines = lines.map((l, n) => [l, n] as const).filter(([l]) => /^[a-z_]+:/.test(l) || /^ {2}- operations:/.test(l));
    expect(keyLines.length).toBe(3 + 6); // three top-level keys and six rules (the last one grants Workflow Builder steps)
    expect(keyLines.filter(([, n]) => !commentedAbove(n)).map(([l]) => l)).toEqual([]);
  });
});
