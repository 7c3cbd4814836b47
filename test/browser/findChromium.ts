import { accessSync, constants, statSync } from 'node:fs';

/**
 * Where the browser suite finds a Chromium to drive with playwright-core (which brings none of its
 * own): `CHROMIUM_PATH` when set, else the places operating systems and packages put one, else the
 * browser `npx playwright-core install chromium` downloads. When there is none, the suite is
 * skipped with one line saying why, except under `CI=true`, where a missing browser fails the run.
 */
export const USUAL_CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/usr/local/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
] as const;

export interface ChromiumSearch {
  env: { CHROMIUM_PATH?: string; CI?: string };
  /** Whether a path is an executable file. */
  isExecutable(file: string): boolean;
  /** playwright-core's own browser path (it may not be installed). */
  playwrightPath(): string | undefined;
}

export type ChromiumFound =
  | { path: string; from: 'CHROMIUM_PATH' | 'usual path' | 'playwright-core' }
  | { path: undefined; reason: string };

export function findChromium(search: ChromiumSearch): ChromiumFound {
  const chosen = search.env.CHROMIUM_PATH?.trim();
  if (chosen) {
    // A path someone set on purpose is not second-guessed: a wrong one is said, not papered over.
    if (search.isExecutable(chosen)) return { path: chosen, from: 'CHROMIUM_PATH' };
    return { path: undefined, reason: `CHROMIUM_PATH=${chosen} is not an executable file` };
  }
  const usual = USUAL_CHROMIUM_PATHS.find((p) => search.isExecutable(p));
  if (usual) return { path: usual, from: 'usual path' };
  let own: string | undefined;
  try {
    own = search.playwrightPath();
  } catch {
    own = undefined;
  }
  if (own && search.isExecutable(own)) return { path: own, from: 'playwright-core' };
  return {
    path: undefined,
    reason: `no Chromium found (CHROMIUM_PATH unset; none at ${USUAL_CHROMIUM_PATHS.slice(0, 3).join(', ')} or the other usual paths; none installed by playwright-core). Install one (apt-get install chromium, or npx playwright-core install chromium) or set CHROMIUM_PATH`,
  };
}

/** Under `CI=true` a missing browser is a failure; elsewhere the suite is skipped. */
export function missingBrowserFails(env: { CI?: string }): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/** The real file system's answer. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
