import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../../src/sandbox/simulator';
import { blockActionBody, commandBody, sendSigned } from '../../../src/sandbox/slack/requests';
import { startSlackStandIn, type SlackStandIn } from '../../../src/sandbox/slack/standIn';
import { botEnv, CHANNELS, DEFAULT_POLICY, PROJECT, SECRETS, TEAM, USERS, waitFor, WS } from '../harness';
import { spawnBot, type BotProcess } from '../processes';
import { APPROVAL_ENV, approvalCardFor, approvalIdOn, auditRowsIn, buttonsIn, operationPosts, shown, waitForPrivate, waitForStatusCard } from './helpers';

/**
 * Pending approvals survive a restart (interface.md §4): the bot runs as a real process; a
 * responder asks for a TERMINATE; the process gets SIGTERM and exits 0; a new process on the same
 * SQLite file takes the lead's Approve, runs the operation once, and turns the same card into the
 * status card.
 */
jest.setTimeout(60_000);

let sim: Simulator;
let slack: SlackStandIn;
let dir: string;
const procs: BotProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'approvals-restart-'));
  writeFileSync(path.join(dir, 'policy.yml'), DEFAULT_POLICY);
  sim = await startSimulator({ projectId: PROJECT, timing: { stepMs: 150, runningMs: 0 }, credentials: { staticTokens: [SECRETS.secmasterToken] } });
  sim.state.addWorkspace(WS);
  slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: [{ id: CHANNELS.incident, name: 'incident' }], usergroups: { S0SOC: [] } });
});

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  await slack?.close();
  await sim?.close();
});

const sqliteFile = () => path.join(dir, 'bot.sqlite');

function env(): Record<string, string> {
  return botEnv(
    { slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile: path.join(dir, 'policy.yml'), databaseUrl: `sqlite:${sqliteFile()}` },
    { STATUS_POLL_INTERVAL_MS: '100', STATUS_POLL_MAX_INTERVAL_MS: '400', STATUS_READS_PER_SECOND: '50', ...APPROVAL_ENV },
  );
}

async function start(): Promise<{ proc: BotProcess; events: string }> {
  const proc = spawnBot(env());
  procs.push(proc);
  const port = await proc.port();
  return { proc, events: `http://127.0.0.1:${port}/slack/events` };
}

test('an approval asked before a restart is approved after it: runs once, and the card becomes the status card', async () => {
  const channel = CHANNELS.incident;
  const id = sim.state.add(WS, { status: 'RUNNING', name: 'Survives a restart' }).id;

  const first = await start();
  const asked = await sendSigned(
    first.events,
    SECRETS.signing,
    commandBody({ teamId: TEAM, userId: USERS.responder, channelId: channel, text: `terminate ${id} before the restart`, responseUrl: slack.responseUrl(USERS.responder, channel) }),
  );
  expect(asked.status).toBe(200);
  const card = await waitFor(() => approvalCardFor({ slack }, channel, id), 8000, 'the approval card');
  await waitForPrivate({ slack }, USERS.responder, channel, /needs 1 approval/, 'the requester is told it waits');
  const approvalId = approvalIdOn(card);

  first.proc.child.kill('SIGTERM');
  expect(await first.proc.exited).toBe(0);
  // The request is still pending in the database the next process opens.
  expect(auditRowsIn(sqliteFile(), { approvalId }).map((r) => r.event)).toEqual(['approval_asked']);
  expect(operationPosts({ sim }, id)).toHaveLength(0);

  const second = await start();
  const clicked = await sendSigned(
    second.events,
    SECRETS.signing,
    blockActionBody({
      teamId: TEAM,
      userId: USERS.lead,
      channelId: channel,
      actionId: 'playbook_approve',
      value: approvalId,
      responseUrl: slack.responseUrl(USERS.lead, channel),
      message: { ts: card.ts, bot_id: slack.botId },
    }),
  );
  expect(clicked.status).toBe(200);
  await waitForStatusCard(card, 'TERMINATED', 10_000);

  expect(operationPosts({ sim }, id)).toHaveLength(1);
  expect(slack.messages.filter((m) => m.channel === channel && !m.threadTs && m.text.includes(id))).toEqual([card]);
  expect(shown(card)).toContain(`Approved by <@${USERS.lead}>`);
  expect(buttonsIn(card.blocks).map((b) => b.action_id)).not.toContain('playbook_approve');
  const rows = await waitFor(() => {
    const r = auditRowsIn(sqliteFile(), { approvalId });
    return r.some((x) => x.event === 'executed') && r;
  }, 5000, 'the executed audit row');
  expect(rows.map((r) => [r.event, r.user_id, r.outcome])).toEqual([
    ['approval_asked', USERS.responder, 'pending'],
    ['approved', USERS.lead, 'approved'],
    ['executed', USERS.lead, 'done'],
  ]);
  // The audit lines came from the two processes: the ask from the first, the decision from the second.
  expect(first.proc.stdout.some((l) => l.includes('"approval_asked"') && l.includes(id))).toBe(true);
  expect(second.proc.stdout.some((l) => l.includes('"executed"') && l.includes(id))).toBe(true);
});
