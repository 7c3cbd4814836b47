import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { Env } from './env';
import { ConfigError } from './types';

/**
 * `.env` in the working directory, as `.env.example` tells a newcomer to make it. Node's own loader
 * (`process.loadEnvFile`, Node 20.12+) does the reading; on Node 20 it leaves a variable the process
 * was started with as it is (even a blank one), and that is kept as a rule here: after loading, any
 * variable the real environment held is put back, so a Node whose loader overrides cannot change it.
 */
export interface DotEnvLoaded {
  file: string;
  /** How many variables the file names (names only: values are never logged). */
  names: number;
  /** The file's names the real environment already set (sorted): those values were kept. */
  keptFromEnvironment: string[];
}

export function loadDotEnv(dir: string, env: Env, loadEnvFile: ((file: string) => void) | undefined): DotEnvLoaded | undefined {
  const file = path.join(dir, '.env');
  if (!existsSync(file)) return undefined;
  if (!loadEnvFile) throw new ConfigError([`.env: found ${file}, but this Node.js cannot load it (process.loadEnvFile needs Node 20.12 or later); upgrade Node, or set the variables in the environment`]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`.env: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); fix its permissions or remove it`]);
  }
  const names = Object.keys(parseEnv(text));
  const before = new Map(names.filter((n) => env[n] !== undefined).map((n) => [n, env[n]]));
  loadEnvFile(file);
  for (const [name, value] of before) env[name] = value;
  return { file, names: names.length, keptFromEnvironment: [...before.keys()].sort() };
}
