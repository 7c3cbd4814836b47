import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditSource, csvCell, formatAudit, parseAuditArgs } from '../../src/cli/auditExport';
import type { AuditRecord } from '../../src/core';
import { openStore } from '../../src/store';

const row: AuditRecord = { event: 'denied', operation: 'RETRY', instance_id: 'i-1', workspace_id: 'w', user: 'U1', channel: 'C1', outcome: 'not_in_role', at: '2026-11-28T10:00:00.000Z', detail: '=cmd|x' };

describe('audit export formatting', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    [undefined, ''],
    [null, ''],
  ])('csvCell(%p) = %p: quoted when needed, never a spreadsheet formula', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('jsonl: one object per row with every column, absent ones as null', () => {
    const out = formatAudit([row], 'jsonl');
    expect(out.endsWith('\n')).toBe(true);
    expect(JSON.parse(out)).toEqual({ at: row.at, event: 'denied', operation: 'RETRY', instance_id: 'i-1', workspace_id: 'w', user: 'U1', channel: 'C1', outcome: 'not_in_role', request_id: null, approval_id: null, detail: '=cmd|x' });
    expect(formatAudit([], 'jsonl')).toBe('');
  });

  it('csv: a header and escaped cells', () => {
    expect(formatAudit([row], 'csv').split('\n')).toEqual([
      'at,event,operation,instance_id,workspace_id,user,channel,outcome,request_id,approval_id,detail',
      "2026-11-28T10:00:00.000Z,denied,RETRY,i-1,w,U1,C1,not_in_role,,,'=cmd|x",
      '',
    ]);
  });

  it.each([
    [['--since', '7d'], { format: 'jsonl', since: 7 * 86_400_000 }],
    [['--since', '12h', '--format', 'csv'], { format: 'csv', since: 12 * 3_600_000 }],
    [['--instance', 'abc'], { format: 'jsonl', instanceId: 'abc' }],
  ])('parses %p', (argv, expected) => {
    expect(parseAuditArgs(argv)).toEqual(expected);
  });

  it.each([[['--since', 'yesterday']], [['--format', 'xml']], [['--bogus']], [['--since']]])('refuses %p with a message', (argv) => {
    expect(typeof parseAuditArgs(argv)).toBe('string');
  });
});

describe('which database the export reads (npm run audit)', () => {
  it('with nothing configured: the sandbox file, saying so, and nothing to create', () => {
    expect(auditSource({})).toEqual({ databaseUrl: 'sqlite:data/sandbox.sqlite', mustExist: 'data/sandbox.sqlite', note: expect.stringContaining("the sandbox's audit trail (data/sandbox.sqlite)") });
    // Process settings alone do not make a configuration (the sandbox honours them too).
    expect(auditSource({ PORT: '3100', LOG_LEVEL: 'debug' }).databaseUrl).toBe('sqlite:data/sandbox.sqlite');
  });

  it('with DATABASE_URL: that database, whatever else is set', () => {
    expect(auditSource({ DATABASE_URL: 'postgres://bot@db/bot' })).toEqual({ databaseUrl: 'postgres://bot@db/bot' });
  });

  it("with a configuration but no DATABASE_URL: the bot's own default file, as the bot would", () => {
    expect(auditSource({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SECMASTER_REGION: 'ap-southeast-1' })).toEqual({ databaseUrl: 'sqlite:data/playbook-bot.sqlite' });
  });
});

describe('npm run audit as a process, from a fresh working directory with nothing configured', () => {
  const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'main.js');
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'audit-cwd-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const run = () => spawnSync(process.execPath, [MAIN, '--audit-export', '--format', 'csv'], { cwd, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });

  it("prints the rows the sandbox stored in data/sandbox.sqlite, the note on stderr only", async () => {
    mkdirSync(path.join(cwd, 'data'));
    const store = await openStore(`sqlite:${path.join(cwd, 'data', 'sandbox.sqlite')}`);
    await store.appendAudit({ ...row, instance_id: 'sandbox-instance-1', detail: undefined });
    await store.close();

    const out = run();
    expect(out.status).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('denied,RETRY,sandbox-instance-1,w,U1,C1,not_in_role');
    expect(out.stderr).toContain('data/sandbox.sqlite');
    expect(existsSync(path.join(cwd, 'data', 'playbook-bot.sqlite'))).toBe(false);
  });

  it('says the sandbox has not run yet when its file is missing, exits 1 and creates nothing', () => {
    const out = run();
    expect(out.status).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe('data/sandbox.sqlite does not exist yet: start the sandbox (npm start) and use it first, or set DATABASE_URL to the database to export.\n');
    expect(readdirSync(cwd)).toEqual([]);
  });
});
