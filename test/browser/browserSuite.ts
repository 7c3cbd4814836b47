import { chromium, type Browser } from 'playwright-core';
import { findChromium, isExecutableFile, missingBrowserFails } from './findChromium';

/**
 * What every browser suite shares: the Chromium found (see findChromium.ts), `browserTest` (a jest
 * `test`, or `test.skip` when there is no browser), and the launch. With no browser, the file says
 * so in one line and its tests are skipped; under CI=true it gets one failing test instead.
 */
const found = findChromium({ env: process.env, isExecutable: isExecutableFile, playwrightPath: () => chromium.executablePath() });

export const CHROMIUM_FOUND = found.path !== undefined;

export const browserTest: jest.It = CHROMIUM_FOUND ? test : test.skip;

/** Call once at the top of a browser suite, with the suite's file name. */
export function announceBrowser(suite: string): void {
  if (found.path !== undefined) return;
  if (missingBrowserFails(process.env)) {
    test('a Chromium to drive (CI=true: a missing browser fails the run)', () => {
      throw new Error(`${suite} cannot run: ${found.reason}`);
    });
    return;
  }
  process.stderr.write(`${suite}: browser tests skipped, ${found.reason}\n`);
}

export function launchChromium(): Promise<Browser> {
  if (found.path === undefined) throw new Error(found.reason);
  return chromium.launch({
    executablePath: found.path,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
