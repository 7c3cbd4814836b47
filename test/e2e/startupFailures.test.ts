import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { PG_URL } from '../store/databases';
import { botEnv, CHANNELS, DEFAULT_POLICY, PROJECT, SECRETS, TEAM, WS } from './harness';
import { spawnBot, type BotProcess } from './processes';

/**
 * Start-up as a newcomer meets it (issue 17), with the built bot as a real process: failures while
 * connecting or listening are one line on stderr naming the variable, what was tried and what to do,
 * never a stack (real PostgreSQL on TEST_DATABASE_URL's server, a port really taken, real paths);
 * a policy naming another Slack team stops start-up with both IDs; `.env` is read with the real
 * environment winning; `PLAYBOOK_POLICY` holds the YAML itself; a partial configuration is never
 * the sandbox.
 */
let dir: string;
let slack: SlackStandIn;
let sim: Simulator;
const spawned: BotProcess[] = [];
const taken: net.Server[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'playbook-startup-'));
  writeFileSync(path.join(dir, 'policy.yml'), DEFAULT_POLICY);
  sim = await startSimulator({ projectId: PROJECT, timing: { stepMs: 150, runningMs: 0 }, credentials: { staticTokens: [SECRETS.secmasterToken] } });
  sim.state.addWorkspace(WS);
  slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: [{ id: CHANNELS.incident, name: 'incident' }] });
});

afterAll(async () => {
  for (const p of spawned) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const s of taken) s.close();
  await slack?.close();
  await sim?.close();
});

/** The harness's bot environment with `overrides` (undefined removes a variable). */
function env(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    ...botEnv({ slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile: path.join(dir, 'policy.yml'), databaseUrl: `sqlite:${path.join(dir, `${randomBytes(4).toString('hex')}.sqlite`)}` }),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

function spawn(e: Record<string, string>, cwd?: string): BotProcess {
  const p = spawnBot(e, [], { cwd });
  spawned.push(p);
  return p;
}

async function exitCode(p: BotProcess, ms = 10_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const code = await Promise.race([p.exited, late]);
  clearTimeout(timer);
  if (code === 'late') throw new Error(`still running after ${ms} ms; stderr: ${p.stderr.join('')}`);
  return code;
}

/** Exits non-zero within 10 s with exactly one line on stderr and no stack anywhere; returns the line. */
async function oneLineFailure(p: BotProcess): Promise<string> {
  expect(await exitCode(p)).not.toBe(0);
  const err = p.stderr.join('');
  const lines = err.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  const everything = `${err}\n${p.stdout.join('\n')}`;
  expect(everything).not.toMatch(/\n\s+at /);
  expect(everything).not.toMatch(/"stack"/);
  expect(p.stdout.some((l) => l.includes('playbook bot started'))).toBe(false);
  return lines[0]!;
}

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** TEST_DATABASE_URL's server with `change` applied. */
function pgUrl(change: (u: URL) => void): string {
  const u = new URL(PG_URL);
  change(u);
  return u.toString();
}
const pg = new URL(PG_URL);
const pgAt = `PostgreSQL at ${pg.hostname}:${pg.port || '5432'}`;

describe('PostgreSQL at start-up: one line naming DATABASE_URL, what was tried, what to do', () => {
  test('connection refused (a port nothing listens on)', async () => {
    const port = await freePort();
    const line = await oneLineFailure(spawn(env({ DATABASE_URL: pgUrl((u) => (u.port = String(port))) })));
    expect(line).toBe(`DATABASE_URL: PostgreSQL at ${pg.hostname}:${port} refused the connection (nothing listens on port ${port}); start PostgreSQL, or correct the host and port in DATABASE_URL`);
  });

  test('no such database', async () => {
    const db = `no_such_db_${randomBytes(4).toString('hex')}`;
    const line = await oneLineFailure(spawn(env({ DATABASE_URL: pgUrl((u) => (u.pathname = `/${db}`)) })));
    expect(line).toBe(`DATABASE_URL: ${pgAt} has no database "${db}"; create it (createdb ${db}) or name an existing database in DATABASE_URL`);
  });

  test('no such role (the test server trusts local connections, so the role is what is refused)', async () => {
    const role = `no_such_role_${randomBytes(4).toString('hex')}`;
    const line = await oneLineFailure(spawn(env({ DATABASE_URL: pgUrl((u) => (u.username = role)) })));
    expect(line).toBe(`DATABASE_URL: ${pgAt} has no role "${role}"; create it (createuser ${role}) or name an existing user in DATABASE_URL`);
  });

  test('sslmode=require against a server without TLS (node-postgres\'s own warning becomes a log line, not stderr)', async () => {
    const p = spawn(env({ DATABASE_URL: pgUrl((u) => u.searchParams.set('sslmode', 'require')) }));
    const line = await oneLineFailure(p);
    expect(line).toBe(
      `DATABASE_URL: asks for TLS (sslmode=require) but ${pgAt} does not support SSL connections; enable SSL on the server, or remove sslmode from DATABASE_URL if the database is on this machine or a private network`,
    );
    expect(p.stdout.some((l) => l.includes('"message":"Node.js warning"') && l.includes('SSL modes'))).toBe(true);
  });

  test('the password never appears in the line', async () => {
    const port = await freePort();
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const line = await oneLineFailure(spawn(env({ DATABASE_URL: `postgres://bot:${password}@127.0.0.1:${port}/bot` })));
    expect(line).toMatch(/^DATABASE_URL: PostgreSQL at 127\.0\.0\.1:\d+ refused the connection/);
    expect(line).not.toContain(password);
  });
});

describe('listening on PORT', () => {
  test('a port already in use', async () => {
    const holder = net.createServer();
    taken.push(holder);
    await new Promise<void>((resolve) => holder.listen(0, resolve));
    const { port } = holder.address() as net.AddressInfo;
    const line = await oneLineFailure(spawn(env({ PORT: String(port) })));
    expect(line).toBe(`PORT: port ${port} is already in use (another process listens on it); stop that process, or set PORT to a free port`);
  });
});

describe('an SQLite path that cannot be a database file', () => {
  test('under a file', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const target = path.join(file, 'bot.sqlite');
    const line = await oneLineFailure(spawn(env({ DATABASE_URL: `sqlite:${target}` })));
    expect(line).toBe(`DATABASE_URL: cannot create ${target} for sqlite:${target}: ${file} is a file, not a folder; choose another path`);
  });

  test('a folder', async () => {
    const folder = path.join(dir, 'a-folder');
    mkdirSync(folder);
    const line = await oneLineFailure(spawn(env({ DATABASE_URL: `sqlite:${folder}` })));
    expect(line).toBe(`DATABASE_URL: sqlite:${folder} is a folder, not a file; name a file in it, e.g. sqlite:${path.join(folder, 'playbook-bot.sqlite')}`);
  });

  test('in a folder that does not exist outside the working directory: not created, the line says how', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'playbook-startup-cwd-'));
    const folder = path.join(dir, 'missing', 'deeper');
    const target = path.join(folder, 'bot.sqlite');
    const line = await oneLineFailure(spawn(env({ DATABASE_URL: `sqlite:${target}` }), cwd));
    expect(line).toBe(
      `DATABASE_URL: the folder ${folder} for sqlite:${target} does not exist, and the bot creates folders only inside its working directory (${cwd}); create it (mkdir -p ${folder}) or choose a path inside the working directory`,
    );
    expect(existsSync(path.join(dir, 'missing'))).toBe(false);
  });

  test('in a folder that does not exist inside the working directory: created, and the log says so', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'playbook-startup-cwd-'));
    const p = spawn(env({ DATABASE_URL: 'sqlite:data/nested/bot.sqlite' }), cwd);
    await p.port();
    expect(existsSync(path.join(cwd, 'data', 'nested', 'bot.sqlite'))).toBe(true);
    const created = p.stdout.map((l) => JSON.parse(l) as { message?: string; folder?: string }).find((j) => j.message === 'created the folder for the SQLite store');
    expect(created?.folder).toBe(path.join(cwd, 'data', 'nested'));
    p.child.kill('SIGTERM');
    expect(await exitCode(p)).toBe(0);
  });
});

describe("the policy's slack_team_id against auth.test", () => {
  test('another team: start-up stops with both IDs, and the log has already printed the real one', async () => {
    const file = path.join(dir, 'other-team.yml');
    writeFileSync(file, DEFAULT_POLICY.replace(`slack_team_id: ${TEAM}`, 'slack_team_id: T0OTHER'));
    const p = spawn(env({ PLAYBOOK_POLICY_FILE: file }));
    const line = await oneLineFailure(p);
    expect(line).toBe(`slack_team_id: the policy (${file}) names team T0OTHER, but SLACK_BOT_TOKEN belongs to team ${TEAM} (auth.test); set slack_team_id: ${TEAM} in the policy, or use the bot token of team T0OTHER`);
    const identity = p.stdout.map((l) => JSON.parse(l) as { message?: string; team?: string }).find((j) => j.message === 'Slack identity checked with auth.test');
    expect(identity?.team).toBe(TEAM);
  });

  test('the same team: the bot starts, and its started line names the team', async () => {
    const p = spawn(env());
    await p.port();
    expect(p.stdout.some((l) => l.includes('"message":"Slack identity checked with auth.test"') && l.includes(`"team":"${TEAM}"`))).toBe(true);
    p.child.kill('SIGTERM');
    expect(await exitCode(p)).toBe(0);
  });
});

describe("SIGHUP with a policy naming another team", () => {
  test('is refused with both IDs, and the policy in force stays', async () => {
    const file = path.join(dir, 'reloaded-team.yml');
    writeFileSync(file, DEFAULT_POLICY);
    const p = spawn(env({ PLAYBOOK_POLICY_FILE: file }));
    const port = await p.port();
    writeFileSync(file, DEFAULT_POLICY.replace(`slack_team_id: ${TEAM}`, 'slack_team_id: T0OTHER'));
    p.child.kill('SIGHUP');
    const deadline = Date.now() + 5000;
    const refused = () => p.stdout.find((l) => l.includes('policy reload refused'));
    while (!refused() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(JSON.parse(refused()!)).toMatchObject({
      problems: [`slack_team_id: the policy (${file}) names team T0OTHER, but SLACK_BOT_TOKEN belongs to team ${TEAM} (auth.test); set slack_team_id: ${TEAM} in the policy, or use the bot token of team T0OTHER`],
    });
    expect(p.stdout.some((l) => l.includes('"message":"policy reloaded"'))).toBe(false);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await exitCode(p)).toBe(0);
  });
});

describe('a missing policy file', () => {
  test('says how to start from policy.example.yml', async () => {
    const p = spawn(env({ PLAYBOOK_POLICY_FILE: 'policy.yml' }));
    expect(await exitCode(p)).not.toBe(0);
    expect(p.stderr.join('')).toContain('PLAYBOOK_POLICY_FILE: cannot read policy.yml (no such file); to start from the example: cp policy.example.yml policy.yml and set PLAYBOOK_POLICY_FILE=policy.yml');
  });
});

describe('.env in the working directory', () => {
  test('is read, the real environment wins, and the log names the file and the count, never a value', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'playbook-dotenv-'));
    const fromFile = env();
    // The file points Slack somewhere nothing answers: only the real environment's value can start the bot.
    fromFile.SLACK_API_URL = 'http://127.0.0.1:9/api/';
    const lines = Object.entries(fromFile).filter(([k]) => k !== 'PATH').map(([k, v]) => `${k}=${v}`);
    writeFileSync(path.join(cwd, '.env'), `# made by the test\n${lines.join('\n')}\n`);
    const p = spawn({ SLACK_API_URL: slack.apiUrl }, cwd);
    await p.port();
    const loaded = p.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).find((j) => j.message === '.env loaded');
    expect(loaded).toMatchObject({ file: path.join(cwd, '.env'), variables: lines.length, kept_from_environment: ['SLACK_API_URL'] });
    const out = p.stdout.join('\n');
    for (const secret of [SECRETS.signing, SECRETS.bot, SECRETS.secmasterToken]) expect(out).not.toContain(secret);
    expect(out).not.toContain('127.0.0.1:9/api/');
    p.child.kill('SIGTERM');
    expect(await exitCode(p)).toBe(0);
  });

  test('a partial .env is a configuration, not the sandbox, and says what is missing', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'playbook-dotenv-'));
    writeFileSync(path.join(cwd, '.env'), `DATABASE_URL=sqlite:${path.join(cwd, 'x.sqlite')}\n`);
    const p = spawn({ PORT: '0' }, cwd);
    expect(await exitCode(p)).not.toBe(0);
    const err = p.stderr.join('');
    expect(err).toContain('SLACK_BOT_TOKEN: required');
    expect(err).toContain('This is a configuration, not the sandbox, because DATABASE_URL is set');
    expect(p.stdout.some((l) => l.includes('sandbox started'))).toBe(false);
  });
});

describe('the sandbox only with nothing configured', () => {
  test.each([
    ['DATABASE_URL alone (Heroku Postgres just added)', { DATABASE_URL: 'sqlite:x.sqlite' }, 'because DATABASE_URL is set'],
    ['SMN_TOPICS alone', { SMN_TOPICS: 'urn:smn:ap-southeast-1:0123abcd:alerts=C0INCIDENT' }, 'because SMN_TOPICS is set'],
    ['PLAYBOOK_POLICY_FILE alone', { PLAYBOOK_POLICY_FILE: 'policy.yml' }, 'because PLAYBOOK_POLICY_FILE is set'],
    ['nothing but DYNO (Heroku)', { DYNO: 'web.1' }, 'DYNO is set, so this runs on Heroku, where the sandbox never starts'],
  ])('%s: a configuration error listing what is missing, no sandbox', async (_name, vars, note) => {
    const p = spawn({ PORT: '0', ...vars });
    expect(await exitCode(p)).not.toBe(0);
    const err = p.stderr.join('');
    for (const missing of ['SLACK_BOT_TOKEN: required', 'SECMASTER_PROJECT_ID: required', 'SecMaster credential: none configured']) expect(err).toContain(missing);
    expect(err).toContain(note);
    expect(p.stdout.some((l) => l.includes('sandbox started'))).toBe(false);
  });
});

describe('PLAYBOOK_POLICY: the YAML itself', () => {
  test('starts with no policy file, and SIGHUP says there is nothing to re-read and keeps the policy', async () => {
    const p = spawn(env({ PLAYBOOK_POLICY_FILE: undefined, PLAYBOOK_POLICY: DEFAULT_POLICY }));
    const port = await p.port();
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    p.child.kill('SIGHUP');
    const deadline = Date.now() + 5000;
    while (!p.stdout.some((l) => l.includes('SIGHUP: the policy comes from PLAYBOOK_POLICY')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(p.stdout.find((l) => l.includes('SIGHUP: the policy comes from PLAYBOOK_POLICY'))).toMatch(/"level":"warn"/);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await exitCode(p)).toBe(0);
  });

  test('set with PLAYBOOK_POLICY_FILE: a configuration error naming both', async () => {
    const p = spawn(env({ PLAYBOOK_POLICY: DEFAULT_POLICY }));
    expect(await exitCode(p)).not.toBe(0);
    expect(p.stderr.join('')).toContain('PLAYBOOK_POLICY: set either PLAYBOOK_POLICY or PLAYBOOK_POLICY_FILE, not both');
  });

  test('an invalid one names PLAYBOOK_POLICY and the field', async () => {
    const p = spawn(env({ PLAYBOOK_POLICY_FILE: undefined, PLAYBOOK_POLICY: `slack_team_id: ${TEAM}\n` }));
    expect(await exitCode(p)).not.toBe(0);
    expect(p.stderr.join('')).toMatch(/^PLAYBOOK_POLICY is invalid:\n {2}- roles: required/);
  });
});
