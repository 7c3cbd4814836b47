import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator';
import { commandBody, sendSigned } from '../../src/sandbox/slack/requests';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/standIn';
import { botEnv, CHANNELS, DEFAULT_POLICY, PROJECT, SECRETS, TEAM, USERS, waitFor, WS } from './harness';
import { spawnBot } from './processes';

/** SIGHUP re-reads the policy file: a valid edit takes effect at once, an invalid one is refused and the old policy stays. */
let sim: Simulator;
let slack: SlackStandIn;

beforeAll(async () => {
  sim = await startSimulator({ projectId: PROJECT, credentials: { staticTokens: [SECRETS.secmasterToken] } });
  sim.state.addWorkspace(WS);
  slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: [{ id: CHANNELS.incident, name: 'incident' }], usergroups: { S0SOC: [] } });
});

afterAll(async () => {
  await slack?.close();
  await sim?.close();
});

test('SIGHUP reloads a valid policy and refuses an invalid one', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'playbook-reload-'));
  const policyFile = path.join(dir, 'policy.yml');
  writeFileSync(policyFile, DEFAULT_POLICY);
  const bot = spawnBot(botEnv({ slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile, databaseUrl: `sqlite:${path.join(dir, 'bot.sqlite')}` }));
  try {
    const port = await bot.port();
    const can = async (user: string) => {
      const seen = slack.ephemerals.length;
      await sendSigned(`http://127.0.0.1:${port}/slack/events`, SECRETS.signing, commandBody({ teamId: TEAM, userId: user, channelId: CHANNELS.incident, text: 'can view', responseUrl: slack.responseUrl(user, CHANNELS.incident) }));
      return (await waitFor(() => slack.ephemerals.slice(seen).find((e) => e.user === user), 5000, 'can answer')).text;
    };
    expect(await can(USERS.outsider)).toContain('may not');

    writeFileSync(policyFile, DEFAULT_POLICY.replace(`users: [${USERS.lead}, ${USERS.lead2}]`, `users: [${USERS.lead}, ${USERS.lead2}, ${USERS.outsider}]`));
    bot.child.kill('SIGHUP');
    await waitFor(() => bot.stdout.some((l) => l.includes('policy reloaded')), 5000, 'reload');
    expect(await can(USERS.outsider)).toContain('You may *view*');

    writeFileSync(policyFile, 'rules: [ ]\n');
    bot.child.kill('SIGHUP');
    const refusal = await waitFor(() => bot.stdout.find((l) => l.includes('policy reload refused')), 5000, 'refusal');
    expect(refusal).toContain('slack_team_id');
    expect(await can(USERS.outsider)).toContain('You may *view*');
  } finally {
    bot.child.kill('SIGTERM');
    await bot.exited;
  }
}, 30_000);
