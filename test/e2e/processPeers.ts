import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { CHANNELS, PROJECT, SECRETS, TEAM, WS } from './harness';
import type { BotProcess } from './processes';

/**
 * What a bot started as a real process talks to, for the suites that kill and restart it: the
 * SecMaster simulator (statuses move on only when the test says so: each step would last a minute),
 * the Slack stand-in with the incident channel, and a folder holding the policy file and databases.
 */
export interface ProcessPeers {
  sim: Simulator;
  slack: SlackStandIn;
  dir: string;
  policyFile: string;
  /** Kills what is still running of `procs`, waits for every exit, then closes the peers. */
  close(procs: BotProcess[]): Promise<void>;
}

export async function startProcessPeers(opts: { tmpPrefix: string; policy: string; usergroups?: Record<string, string[]> }): Promise<ProcessPeers> {
  const dir = mkdtempSync(path.join(os.tmpdir(), opts.tmpPrefix));
  const policyFile = path.join(dir, 'policy.yml');
  writeFileSync(policyFile, opts.policy);
  const sim = await startSimulator({ projectId: PROJECT, credentials: { staticTokens: [SECRETS.secmasterToken] }, timing: { stepMs: 60_000 } });
  sim.state.addWorkspace(WS);
  const slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: [{ id: CHANNELS.incident, name: 'incident' }], ...(opts.usergroups ? { usergroups: opts.usergroups } : {}) });
  return {
    sim,
    slack,
    dir,
    policyFile,
    async close(procs) {
      for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      await slack.close();
      await sim.close();
    },
  };
}
