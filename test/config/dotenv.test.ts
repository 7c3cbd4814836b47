import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, loadDotEnv } from '../../src/config';

/**
 * `.env` loading around Node's own loader. How Node 20 itself treats a variable already set is
 * checked end to end (test/e2e/startupFailures.test.ts spawns the bot); here, with a stand-in loader
 * built on Node's parser that overrides everything, that the real environment still wins.
 */
function dirWith(text?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dotenv-unit-'));
  if (text !== undefined) writeFileSync(path.join(dir, '.env'), text);
  return dir;
}

/** A loader that, unlike Node 20's, overwrites what is set. */
const overridingLoader = (env: Record<string, string | undefined>) => (file: string) => {
  Object.assign(env, parseEnv(readFileSync(file, 'utf8')));
};

describe('loadDotEnv', () => {
  it('does nothing without a .env', () => {
    const env: Record<string, string | undefined> = { A: '1' };
    expect(loadDotEnv(dirWith(), env, () => {
      throw new Error('must not be called');
    })).toBeUndefined();
    expect(env).toEqual({ A: '1' });
  });

  it('adds the file’s variables, keeps every one the environment set (a blank one too), and reports names only', () => {
    const dir = dirWith('# comment\nSLACK_BOT_TOKEN=xoxb-from-file\nPORT=4000\nLOG_LEVEL=debug\nSECMASTER_REGION="ap-southeast-1"\n');
    const env: Record<string, string | undefined> = { PORT: '3100', LOG_LEVEL: '' };
    const loaded = loadDotEnv(dir, env, overridingLoader(env));
    expect(env).toEqual({ PORT: '3100', LOG_LEVEL: '', SLACK_BOT_TOKEN: 'xoxb-from-file', SECMASTER_REGION: 'ap-southeast-1' });
    expect(loaded).toEqual({ file: path.join(dir, '.env'), names: 4, keptFromEnvironment: ['LOG_LEVEL', 'PORT'] });
    expect(JSON.stringify(loaded)).not.toContain('xoxb-from-file');
  });

  it('without process.loadEnvFile (Node before 20.12) a .env is a configuration error saying so', () => {
    const dir = dirWith('PORT=4000\n');
    expect(() => loadDotEnv(dir, {}, undefined)).toThrow(ConfigError);
    expect(() => loadDotEnv(dir, {}, undefined)).toThrow(/process\.loadEnvFile needs Node 20\.12 or later/);
  });

  it('a .env that is a folder is a configuration error, not a crash', () => {
    const dir = dirWith();
    mkdirSync(path.join(dir, '.env'));
    expect(() => loadDotEnv(dir, {}, () => undefined)).toThrow(/^Configuration is invalid:\n {2}- \.env: cannot read .* \(EISDIR\)/);
  });
});
