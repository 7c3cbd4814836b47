import { findChromium, missingBrowserFails, USUAL_CHROMIUM_PATHS, type ChromiumSearch } from './findChromium';

/** The browser suite's discovery, over a fake file system: which path wins, and what is said when none does. */
function search(executables: string[], env: ChromiumSearch['env'] = {}, playwright: string | (() => never) = '/home/me/.cache/ms-playwright/chromium-1/chrome-linux64/chrome'): ChromiumSearch & { asked: string[] } {
  const asked: string[] = [];
  return {
    env,
    asked,
    isExecutable: (file) => {
      asked.push(file);
      return executables.includes(file);
    },
    playwrightPath: typeof playwright === 'string' ? () => playwright : playwright,
  };
}

const PLAYWRIGHT = '/home/me/.cache/ms-playwright/chromium-1/chrome-linux64/chrome';

describe('findChromium', () => {
  it('CHROMIUM_PATH first, even when a usual path has a browser too', () => {
    expect(findChromium(search(['/opt/my/chrome', '/usr/bin/chromium'], { CHROMIUM_PATH: '/opt/my/chrome' }))).toEqual({ path: '/opt/my/chrome', from: 'CHROMIUM_PATH' });
  });

  it('a CHROMIUM_PATH that is not there is said, never replaced by another browser', () => {
    const found = findChromium(search(['/usr/bin/chromium'], { CHROMIUM_PATH: '/opt/typo/chrome' }));
    expect(found).toEqual({ path: undefined, reason: 'CHROMIUM_PATH=/opt/typo/chrome is not an executable file' });
  });

  it('a blank CHROMIUM_PATH counts as unset', () => {
    expect(findChromium(search(['/usr/bin/chromium'], { CHROMIUM_PATH: '  ' }))).toEqual({ path: '/usr/bin/chromium', from: 'usual path' });
  });

  it.each(['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'])('finds %s among the usual paths', (p) => {
    expect(findChromium(search([p, PLAYWRIGHT]))).toEqual({ path: p, from: 'usual path' });
  });

  it('takes the usual paths in order: Debian’s chromium before Google Chrome', () => {
    expect(findChromium(search(['/usr/bin/google-chrome', '/usr/bin/chromium']))).toEqual({ path: '/usr/bin/chromium', from: 'usual path' });
  });

  it('then playwright-core’s own browser, when it is installed', () => {
    const s = search([PLAYWRIGHT]);
    expect(findChromium(s)).toEqual({ path: PLAYWRIGHT, from: 'playwright-core' });
    // Every usual path was looked at before it.
    expect(s.asked).toEqual([...USUAL_CHROMIUM_PATHS, PLAYWRIGHT]);
  });

  it('none anywhere (playwright-core’s path named but not downloaded): one line saying what was tried and what to do', () => {
    const found = findChromium(search([]));
    expect(found.path).toBeUndefined();
    const reason = (found as { reason: string }).reason;
    expect(reason).not.toContain('\n');
    expect(reason).toContain('/usr/bin/chromium');
    expect(reason).toContain('apt-get install chromium');
    expect(reason).toContain('npx playwright-core install chromium');
    expect(reason).toContain('CHROMIUM_PATH');
  });

  it('playwright-core throwing while naming its path is "not found", not a crash', () => {
    const found = findChromium(search([], {}, () => {
      throw new Error('unsupported platform');
    }));
    expect(found.path).toBeUndefined();
  });
});

describe('missingBrowserFails', () => {
  it.each([
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{}, false],
    [{ CI: 'false' }, false],
  ])('%j → %p', (env, fails) => {
    expect(missingBrowserFails(env)).toBe(fails);
  });
});
