import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Runs the built bot (`dist/main.js`, built by test/globalSetup.js) as a real process, for tests
 * that need one: kill -9 and restart, SIGTERM, start-up failures, several replicas.
 */
export interface BotProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  port(): Promise<number>;
  exited: Promise<number | null>;
}

/** Every bot process this test file started, so `test/setup/unhandled.ts` can read their logs after each test. */
export const spawnedBots: BotProcess[] = [];

/** Log lines in which a bot process reported an unhandled rejection (main.ts logs each one). */
export function unhandledRejectionLines(bot: Pick<BotProcess, 'stdout'>): string[] {
  return bot.stdout.filter((l) => l.includes('"message":"unhandled rejection"'));
}

const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'main.js');

/**
 * `cwd`: the bot's working directory. By default an empty one of its own, since the bot reads
 * `.env` from there: a developer's `.env` in the checkout must never configure a test's bot.
 */
export function spawnBot(env: Record<string, string>, args: string[] = [], opts: { cwd?: string } = {}): BotProcess {
  const cwd = opts.cwd ?? mkdtempSync(path.join(os.tmpdir(), 'playbook-bot-cwd-'));
  const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let partial = '';
  child.stdout!.on('data', (c: Buffer) => {
    partial += c.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    stdout.push(...lines.filter(Boolean));
  });
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const bot: BotProcess = {
    child,
    stdout,
    stderr,
    exited,
    async port() {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        for (const line of stdout) {
          try {
            const j = JSON.parse(line) as { message?: string; port?: number };
            if ((j.message === 'playbook bot started' || j.message?.startsWith('sandbox started')) && j.port) return j.port;
          } catch {
            // not JSON
          }
        }
        if (child.exitCode !== null) throw new Error(`bot exited with ${child.exitCode}: ${stderr.join('')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`bot did not start: ${stderr.join('')}`);
    },
  };
  spawnedBots.push(bot);
  return bot;
}
