import { DEPLOYMENT_GROUPS, VARIABLES, type VariableName, type Values, type VariableSpec } from './variables';

/** The environment as `main.ts` hands it over: names to raw values. */
export type Env = Record<string, string | undefined>;

type Table = Readonly<Record<string, VariableSpec<unknown>>>;

/** A blank variable counts as unset, like an absent one. */
export function isSet(env: Env, name: string): boolean {
  return (env[name] ?? '').trim() !== '';
}

export interface ParsedEnv {
  /** The values that parsed, defaults applied; a malformed variable has none. */
  values: Partial<Values>;
  /** One line per problem, each starting with the variable's name. */
  problems: string[];
}

/**
 * Parses each variable on its own, so one malformed value neither hides another's problem nor
 * makes a check that depends on a valid variable blame the wrong one.
 */
export function parseVariables(env: Env, names: readonly VariableName[] = Object.keys(VARIABLES) as VariableName[], table: Table = VARIABLES): ParsedEnv {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of names) {
    const spec = table[name]!;
    if (spec.excludes !== undefined && isSet(env, name) && isSet(env, spec.excludes)) {
      problems.push(`${name}: set either ${name} or ${spec.excludes}, not both`);
    }
    const raw = env[name];
    if (raw === undefined || !isSet(env, name)) {
      values[name] = spec.default;
      continue;
    }
    const parsed = spec.parse.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else problems.push(...parsed.error.issues.map((i) => `${name}: ${i.message}`));
  }
  return { values: values as Partial<Values>, problems };
}

/**
 * Every secret value the environment holds, valid or not (the database password included, encoded
 * and decoded), each once: what the logger redacts, also before (or without) a valid configuration.
 */
export function secretsFromEnv(env: Env, table: Table = VARIABLES): string[] {
  const secrets = new Set<string>();
  for (const [name, spec] of Object.entries(table)) {
    const raw = env[name];
    if (!spec.secret || raw === undefined || !isSet(env, name)) continue;
    for (const value of spec.secret(raw)) if (value.length > 0) secrets.add(value);
  }
  return [...secrets];
}

/** The variables of {@link DEPLOYMENT_GROUPS} that are set: any one makes this a configuration, not the sandbox. */
export function deploymentVariablesSet(env: Env, table: Table = VARIABLES): string[] {
  return Object.entries(table)
    .filter(([name, spec]) => DEPLOYMENT_GROUPS.has(spec.group) && isSet(env, name))
    .map(([name]) => name);
}

/** The set variables of one group (to tell a partial configuration from a mistyped one). */
export function groupVariablesSet(env: Env, group: VariableSpec<unknown>['group'], table: Table = VARIABLES): string[] {
  return Object.entries(table)
    .filter(([name, spec]) => spec.group === group && isSet(env, name))
    .map(([name]) => name);
}
