import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { StartupError } from './startupError';

/**
 * Checks an SQLite `DATABASE_URL` path before the store opens it, so that a path that cannot work
 * gets one line saying why instead of a driver's stack. A missing folder is created only inside the
 * working directory (e.g. the default `data/`); anywhere else a mistyped path would quietly make
 * folders, so the operator is asked to create it.
 */
export function prepareSqlitePath(file: string, cwd: string): { createdFolder?: string } {
  if (file === ':memory:') return {};
  const target = path.resolve(cwd, file);
  const url = `sqlite:${file}`;
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) {
      throw new StartupError(`DATABASE_URL: ${url} is a folder, not a file; name a file in it, e.g. sqlite:${path.join(file, 'playbook-bot.sqlite')}`);
    }
    return {};
  }
  const folder = path.dirname(target);
  const existing = nearestExisting(folder);
  if (!statSync(existing).isDirectory()) {
    throw new StartupError(`DATABASE_URL: cannot create ${target} for ${url}: ${existing} is a file, not a folder; choose another path`);
  }
  if (existing !== folder) {
    if (!isInside(folder, cwd)) {
      throw new StartupError(
        `DATABASE_URL: the folder ${folder} for ${url} does not exist, and the bot creates folders only inside its working directory (${cwd}); create it (mkdir -p ${folder}) or choose a path inside the working directory`,
      );
    }
    try {
      mkdirSync(folder, { recursive: true });
    } catch (err) {
      throw new StartupError(`DATABASE_URL: cannot create the folder ${folder} for ${url} (${(err as NodeJS.ErrnoException).code ?? 'error'}); create it yourself or choose another path`);
    }
    return { createdFolder: folder };
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new StartupError(`DATABASE_URL: cannot create ${target} for ${url}: this user may not write in ${folder}; choose a folder it may write to`);
  }
  return {};
}

function nearestExisting(folder: string): string {
  let at = folder;
  while (!existsSync(at)) {
    const up = path.dirname(at);
    if (up === at) return at;
    at = up;
  }
  return at;
}

function isInside(folder: string, cwd: string): boolean {
  const rel = path.relative(cwd, folder);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The one line for an SQLite file the driver could not open, or undefined. Codes: https://www.sqlite.org/rescode.html */
export function explainSqliteFailure(err: unknown, file: string): string | undefined {
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'SQLITE_NOTADB') return `DATABASE_URL: sqlite:${file} is not an SQLite database (it holds something else); choose another file name`;
  if (code === 'SQLITE_CANTOPEN') return `DATABASE_URL: sqlite:${file} cannot be opened (SQLITE_CANTOPEN); check that its folder exists and this user may write there`;
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') return `DATABASE_URL: sqlite:${file} is read-only for this user (${code}); let the bot's user write it, or choose another file`;
  return undefined;
}
