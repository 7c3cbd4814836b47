import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runAuditExport } from '../../src/cli/auditExport';
import { createFreshDatabase } from '../replicas/freshDatabase';
import { blocksText, CHANNELS, SECRETS, startHarness, USERS, waitFor, type Harness } from './harness';

/**
 * Insight and operability end to end: `/playbook log` and "Why did it fail?" against the
 * simulator's action log (hostile error text escaped), Prometheus metrics moving after a scripted
 * run, readiness following the store, and the audit export in both formats.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describe('why did it fail', () => {
  const HOSTILE = 'Action failed: <!channel> ping <@U0LEAD> see <https://evil.example|here> & retry';

  test('/playbook log shows the action log privately, failed step first, hostile text escaped', async () => {
    const id = h.addInstance('FAILED', { name: 'Log me', failure_reason: HOSTILE });
    await h.command(USERS.responder, CHANNELS.incident, `log ${id}`);
    const reply = await waitFor(() => h.slack.ephemerals.find((e) => e.user === USERS.responder && e.text.includes(id) && e.text.includes('Action log')), 5000, 'action log');
    const json = blocksText(reply);
    expect(json).toContain('Failed at');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U0LEAD>');
    expect(json).not.toContain('<https://evil');
    expect(json).toContain('&lt;!channel&gt;');
    // The failed step comes first, before the steps that finished.
    const sections = (reply.blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.type === 'section').map((b) => b.text?.text ?? '');
    const firstStep = sections.findIndex((t) => /\*(FAILED|FINISHED)\*/.test(t));
    expect(sections[firstStep]).toContain('FAILED');
    expect(h.sim.calls.filter((c) => c.path.endsWith('/auditlogs') && c.method === 'POST')).toHaveLength(1);
    expect(h.channelMessages(CHANNELS.incident).filter((m) => m.text.includes(id))).toHaveLength(0);
  });

  test('"Share in channel" posts it for everyone, re-read, and says who shared it', async () => {
    const id = h.addInstance('FAILED', { name: 'Share me', failure_reason: 'quota exceeded' });
    await h.command(USERS.responder, CHANNELS.incident, `log ${id}`);
    const reply = await waitFor(() => h.slack.ephemerals.find((e) => e.user === USERS.responder && e.text.includes(id) && e.text.includes('Action log')), 5000, 'action log');
    const share = JSON.stringify(reply.blocks).match(/"action_id":"playbook_share","value":"((?:[^"\\]|\\.)*)"/);
    expect(share).not.toBeNull();
    await h.click({ userId: USERS.responder, channelId: CHANNELS.incident, actionId: 'playbook_share', value: JSON.parse(`"${share![1]}"`) as string, isEphemeral: true });
    const posted = await waitFor(() => h.channelMessages(CHANNELS.incident).find((m) => m.text.includes(id) && m.text.includes('Action log')), 5000, 'shared log');
    expect(blocksText(posted)).toContain(`shared by <@${USERS.responder}>`);
    expect(blocksText(posted)).not.toContain('playbook_share');
  });

  test('the outsider may not read the log (VIEW), and nothing is read from SecMaster', async () => {
    const id = h.addInstance('FAILED');
    const before = h.sim.calls.length;
    await h.command(USERS.outsider, CHANNELS.incident, `log ${id}`);
    await waitFor(() => h.slack.ephemerals.find((e) => e.user === USERS.outsider && e.text.includes('may not')), 5000, 'denial');
    expect(h.sim.calls.length).toBe(before);
  });

  test('"Why did it fail?" on a FAILED alert card shows the log to whoever clicked', async () => {
    const id = h.addInstance('FAILED', { name: 'Explain me', failure_reason: 'WAF.0001 policy quota exceeded' });
    const res = await fetch(`${h.url}/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRETS.alert}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: CHANNELS.incident, instance_id: id, title: 'Explain', severity: 'low' }),
    });
    const { ts } = (await res.json()) as { ts: string };
    const card = h.slack.messages.find((m) => m.ts === ts)!;
    expect(JSON.stringify(card.blocks)).toContain('"action_id":"playbook_explain"');
    await h.click({ userId: USERS.lead, channelId: CHANNELS.incident, actionId: 'playbook_explain', value: id, message: { ts, bot_id: h.slack.botId } });
    const reply = await waitFor(() => h.slack.ephemerals.find((e) => e.user === USERS.lead && e.text.includes(id) && e.text.includes('Action log')), 5000, 'explain reply');
    expect(blocksText(reply)).toContain('WAF.0001 policy quota exceeded');
    expect(card.edits).toBe(0);
  });
});

describe('metrics', () => {
  test('/metrics shows the figures, and they move after a scripted run', async () => {
    const before = await (await fetch(`${h.url}/metrics`)).text();
    const id = h.addInstance('FAILED', { name: 'metrics' });
    await h.command(USERS.responder, CHANNELS.incident, `retry ${id}`);
    await h.command(USERS.outsider, CHANNELS.incident, `retry ${id}`);
    await h.command(USERS.responder, CHANNELS.incident, `terminate ${h.addInstance('RUNNING')}`);
    const card = await waitFor(() => h.channelMessages(CHANNELS.incident).find((m) => m.text.includes(id)), 5000, 'card');
    await waitFor(() => card.text.includes('FINISHED'), 5000, 'FINISHED');
    await waitFor(() => h.slack.ephemerals.some((e) => e.user === USERS.responder && e.text.includes('needs 1 approval')), 5000, 'approval requested');
    const after = await (await fetch(`${h.url}/metrics`)).text();

    const moved = (name: string, labels: Record<string, string> = {}) => metric(after, name, labels) - metric(before, name, labels);
    expect(moved('slack_requests_total', { kind: 'command', outcome: 'ok' })).toBe(3);
    expect(moved('slack_ack_duration_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(moved('secmaster_calls_total', { call: 'operate', status: '200' })).toBe(1);
    expect(moved('secmaster_calls_total', { call: 'get_instance', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(moved('secmaster_call_duration_seconds_count', { call: 'operate' })).toBe(1);
    expect(moved('operations_total', { operation: 'RETRY', outcome: 'done', event: 'operation' })).toBe(1);
    expect(moved('operations_total', { operation: 'RETRY', outcome: 'not_in_role', event: 'denied' })).toBe(1);
    expect(moved('slack_api_calls_total', { method: 'chat.postMessage', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(moved('slack_api_calls_total', { method: 'chat.update', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(moved('status_reads_total')).toBeGreaterThanOrEqual(1);
    expect(metric(after, 'approvals_pending')).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^watches_active \d+/m);
    expect(after).toMatch(/^iam_logins_total 0/m);
    expect(after).toMatch(/^# TYPE slack_ack_duration_seconds histogram/m);

    h.slack.fault({ method: 'chat.postMessage', rateLimitS: 1, times: 1, match: 'rate-me' });
    const limited = h.addInstance('FAILED', { name: 'rate-me' });
    await h.command(USERS.responder, CHANNELS.incident, `retry ${limited}`);
    await waitFor(() => h.channelMessages(CHANNELS.incident).find((m) => m.text.includes(limited)), 6000, 'card after a 429');
    const later = await (await fetch(`${h.url}/metrics`)).text();
    expect(metric(later, 'slack_api_errors_total', { method: 'chat.postMessage', error: 'rate_limited' }) - metric(after, 'slack_api_errors_total', { method: 'chat.postMessage', error: 'rate_limited' })).toBe(1);
    console.log(
      `/metrics excerpt after the scripted run:\n${later
        .split('\n')
        .filter((l) => /^(slack_requests_total|slack_ack_duration_seconds_(count|sum)|secmaster_calls_total|operations_total|approvals_pending|watches_active|slack_api_calls_total|slack_api_errors_total|iam_logins_total|status_reads_total)/.test(l))
        .join('\n')}`,
    );
  });
});

describe('readiness', () => {
  test('/readyz answers 200 while the store answers and 503 once it goes away; /healthz stays up', async () => {
    const db = await createFreshDatabase('readyz');
    const pg = await startHarness({ env: { DATABASE_URL: db.url }, slack: h.slack, simulator: h.sim });
    try {
      expect((await fetch(`${pg.url}/readyz`)).status).toBe(200);
      await db.drop();
      const ready = await waitFor(async () => {
        const r = await fetch(`${pg.url}/readyz`);
        return r.status === 503 ? ((await r.json()) as { checks: Record<string, string> }) : undefined;
      }, 5000, 'readyz 503');
      expect(ready.checks.store).toBe('unreachable');
      expect(ready.checks.policy).toBe('ok');
      expect((await fetch(`${pg.url}/healthz`)).status).toBe(200);
    } finally {
      await pg.bot.stop();
      await db.drop();
    }
  });
});

describe('audit export', () => {
  function sink() {
    let text = '';
    return { stream: new Writable({ write: (c, _e, cb) => ((text += c.toString()), cb()) }), text: () => text };
  }

  test('jsonl and csv, filtered by instance and by age, from the bot’s own SQLite file', async () => {
    const id = h.addInstance('FAILED', { name: 'export me' });
    await h.command(USERS.responder, CHANNELS.incident, `retry ${id} =HYPERLINK("x")`);
    await h.command(USERS.outsider, CHANNELS.incident, `retry ${id}`);
    await waitFor(() => h.logs.filter((l) => l.includes('"audit"') && l.includes(id)).length >= 2, 5000, 'two audit lines');

    const jsonl = sink();
    const err = sink();
    expect(await runAuditExport(['--since', '1h', '--format', 'jsonl', '--instance', id], { databaseUrl: h.env.DATABASE_URL!, out: jsonl.stream, err: err.stream })).toBe(0);
    const rows = jsonl.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // Oldest first; the denial needs no SecMaster call, so it may well be the older of the two.
    expect(rows.map((r) => [r.event, r.user, r.outcome]).sort()).toEqual([
      ['denied', USERS.outsider, 'not_in_role'],
      ['operation', USERS.responder, 'done'],
    ]);
    expect(rows.map((r) => r.at)).toEqual([...rows.map((r) => r.at)].sort());
    expect(Object.keys(rows[0]!)).toEqual(['at', 'event', 'operation', 'instance_id', 'workspace_id', 'user', 'channel', 'outcome', 'request_id', 'approval_id', 'detail']);

    const csv = sink();
    expect(await runAuditExport(['--format', 'csv', '--instance', id], { databaseUrl: h.env.DATABASE_URL!, out: csv.stream, err: err.stream })).toBe(0);
    const lines = csv.text().trim().split('\n');
    expect(lines[0]).toBe('at,event,operation,instance_id,workspace_id,user,channel,outcome,request_id,approval_id,detail');
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes(`,operation,RETRY,${id},`))).toBe(true);

    const none = sink();
    expect(await runAuditExport(['--since', '1s', '--instance', id], { databaseUrl: h.env.DATABASE_URL!, out: none.stream, err: err.stream, now: () => Date.now() + 3_600_000 })).toBe(0);
    expect(none.text()).toBe('');
  });

  test('bad arguments exit 2 with a usage line and print nothing', async () => {
    const out = { text: '' };
    const err = { text: '' };
    const code = await runAuditExport(['--format', 'xml'], {
      databaseUrl: h.env.DATABASE_URL!,
      out: new Writable({ write: (c, _e, cb) => ((out.text += c.toString()), cb()) }),
      err: new Writable({ write: (c, _e, cb) => ((err.text += c.toString()), cb()) }),
    });
    expect(code).toBe(2);
    expect(out.text).toBe('');
    expect(err.text).toContain('--format');
  });

  test('the npm script form (dist/main.js --audit-export) works on PostgreSQL too', async () => {
    const db = await createFreshDatabase('export');
    const pg = await startHarness({ env: { DATABASE_URL: db.url }, slack: h.slack, simulator: h.sim });
    try {
      const id = h.addInstance('FAILED');
      await pg.command(USERS.outsider, CHANNELS.incident, `retry ${id}`);
      await waitFor(() => pg.logs.some((l) => l.includes('"denied"') && l.includes(id)), 5000, 'denied audit line');
      const run = spawnSync(process.execPath, [path.resolve(__dirname, '../../dist/main.js'), '--audit-export', '--format', 'csv', '--instance', id], {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url },
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      expect(run.stdout.trim().split('\n')).toHaveLength(2);
      expect(run.stdout).toContain(`denied,RETRY,${id}`);
    } finally {
      await pg.bot.stop();
      await db.drop();
    }
  });
});
