import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePolicy } from '../../../src/policy/load';
import { startSimulator, type Simulator } from '../../../src/sandbox/simulator';
import { blockActionBody, commandBody, sendSigned } from '../../../src/sandbox/slack/requests';
import { startSlackStandIn, type SlackStandIn } from '../../../src/sandbox/slack/standIn';
import { botEnv, CHANNELS, DEFAULT_POLICY, PROJECT, SECRETS, TEAM, USERS, waitFor, WS, type Harness } from '../harness';
import { spawnBot, type BotProcess } from '../processes';
import { APPROVAL_ENV, approvalCardFor, approvalIdOn, auditRows, auditRowsIn, buttonsIn, clickOnCard, freshChannel, operationPosts, policyWith, requestTerminate, shown, startApprovalHarness, waitForPrivate } from './helpers';

/**
 * An approval is re-evaluated against the policy in force when its count is reached (issue 15,
 * point 4): a requester whose rights a SIGHUP reload removed, or approvals from people who are no
 * longer approvers, void it with the reason (audited, the card closed, the requester and the approver
 * told), and nothing is sent to SecMaster.
 */
jest.setTimeout(60_000);

describe('a real process, its policy reloaded with SIGHUP', () => {
  let sim: Simulator;
  let slack: SlackStandIn;
  let bot: BotProcess;

  beforeAll(async () => {
    sim = await startSimulator({ projectId: PROJECT, timing: { stepMs: 150, runningMs: 0 }, credentials: { staticTokens: [SECRETS.secmasterToken] } });
    sim.state.addWorkspace(WS);
    slack = await startSlackStandIn({ botToken: SECRETS.bot, teamId: TEAM, channels: [{ id: CHANNELS.incident, name: 'incident' }], usergroups: { S0SOC: [] } });
  });

  afterAll(async () => {
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
    await slack?.close();
    await sim?.close();
  });

  test('the requester lost their role after asking: the lead approves, the approval is void, nothing is sent', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'approvals-revoked-'));
    const policyFile = path.join(dir, 'policy.yml');
    const dbFile = path.join(dir, 'bot.sqlite');
    writeFileSync(policyFile, DEFAULT_POLICY);
    bot = spawnBot(botEnv({ slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile, databaseUrl: `sqlite:${dbFile}` }, APPROVAL_ENV));
    const events = `http://127.0.0.1:${await bot.port()}/slack/events`;
    const channel = CHANNELS.incident;
    const id = sim.state.add(WS, { status: 'RUNNING', name: 'Asked before the revocation' }).id;

    await sendSigned(events, SECRETS.signing, commandBody({ teamId: TEAM, userId: USERS.responder, channelId: channel, text: `terminate ${id} please`, responseUrl: slack.responseUrl(USERS.responder, channel) }));
    const card = await waitFor(() => approvalCardFor({ slack }, channel, id), 8000, 'the approval card');
    const approvalId = approvalIdOn(card);

    // The responder is taken out of the responder role, and the policy reloaded.
    const revoked = DEFAULT_POLICY.replace(`users: [${USERS.responder}, ${USERS.responder2}]`, `users: [${USERS.responder2}]`);
    expect(revoked).not.toBe(DEFAULT_POLICY);
    writeFileSync(policyFile, revoked);
    bot.child.kill('SIGHUP');
    await waitFor(() => bot.stdout.some((l) => l.includes('policy reloaded')), 5000, 'the reload');

    const clicked = await sendSigned(
      events,
      SECRETS.signing,
      blockActionBody({ teamId: TEAM, userId: USERS.lead, channelId: channel, actionId: 'playbook_approve', value: approvalId, responseUrl: slack.responseUrl(USERS.lead, channel), message: { ts: card.ts, bot_id: slack.botId } }),
    );
    expect(clicked.status).toBe(200);

    await waitFor(() => shown(card).includes('The approval is void'), 8000, 'the card to say the approval is void');
    expect(shown(card)).toContain('the policy in force no longer allows it');
    expect(shown(card)).toContain('the requester may no longer terminate here (they no longer hold a role that may)');
    expect(buttonsIn(card.blocks).map((b) => b.action_id)).not.toContain('playbook_approve');
    await waitFor(() => slack.messages.find((m) => m.threadTs === card.ts && m.text.includes(`<@${USERS.responder}>`) && m.text.includes('void')), 5000, 'the requester told in the thread');

    expect(operationPosts({ sim }, id)).toHaveLength(0);
    expect(sim.state.get(WS, id)!.status).toBe('RUNNING');
    const rows = await waitFor(() => {
      const r = auditRowsIn(dbFile, { approvalId });
      return r.some((x) => x.event === 'void') && r;
    }, 5000, 'the void audit row');
    expect(rows.map((r) => [r.event, r.user_id, r.outcome])).toEqual([
      ['approval_asked', USERS.responder, 'pending'],
      ['approved', USERS.lead, 'approved'],
      ['void', USERS.lead, 'revoked'],
    ]);
    expect(rows[2]!.detail).toContain('no longer hold a role');
  });
});

describe('approvers who are no longer approvers when the count is reached', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startApprovalHarness({ policy: policyWith({ count: 2 }) });
  });

  afterAll(async () => {
    await h?.stop();
  });

  test('count 2: the first lead approves, loses the lead role in a reload, the second lead approves: void, nothing sent', async () => {
    const channel = freshChannel(h);
    const id = h.addInstance('RUNNING', { name: 'One key left' });
    const { card, approvalId } = await requestTerminate(h, channel, id, 'two keys');
    await clickOnCard(h, USERS.lead, channel, card, 'playbook_approve', approvalId);
    await waitForPrivate(h, USERS.lead, channel, /counted: 1 of 2/, 'the first approval counted');

    // The same policy, reloaded (as SIGHUP does) with the first lead out of the lead role.
    h.bot.deps.policy.set(parsePolicy(policyWith({ count: 2 }).replace(`users: [${USERS.lead}, ${USERS.lead2}]`, `users: [${USERS.lead2}]`)));
    await clickOnCard(h, USERS.lead2, channel, card, 'playbook_approve', approvalId);

    await waitFor(() => shown(card).includes('The approval is void'), 8000, 'the card to say the approval is void');
    expect(shown(card)).toContain('rules[3] now needs 2 approvals from lead, and 1 of the 2 given comes from a current approver');
    expect(operationPosts(h, id)).toHaveLength(0);
    expect((await h.bot.deps.store.getApproval(approvalId))!.state).toBe('void');
    expect(auditRows(h, { approvalId }).map((r) => [r.event, r.user_id, r.outcome])).toEqual([
      ['approval_asked', USERS.responder, 'pending'],
      ['approved', USERS.lead, 'vote'],
      ['approved', USERS.lead2, 'approved'],
      ['void', USERS.lead2, 'revoked'],
    ]);
  });

  test('a reload that keeps the rights does not void: the second approval runs the operation once', async () => {
    h.bot.deps.policy.set(parsePolicy(policyWith({ count: 2 })));
    const channel = freshChannel(h);
    const id = h.addInstance('RUNNING', { name: 'Still allowed' });
    const { card, approvalId } = await requestTerminate(h, channel, id, 'two keys');
    await clickOnCard(h, USERS.lead, channel, card, 'playbook_approve', approvalId);
    await waitForPrivate(h, USERS.lead, channel, /counted: 1 of 2/, 'the first approval counted');
    h.bot.deps.policy.set(parsePolicy(policyWith({ count: 2 })));
    await clickOnCard(h, USERS.lead2, channel, card, 'playbook_approve', approvalId);
    // SecMaster carries it out before it answers; the approval is settled once the answer is in.
    await waitFor(async () => (await h.bot.deps.store.getApproval(approvalId))!.state === 'executed', 8000, 'the approval to be executed');
    expect(operationPosts(h, id)).toHaveLength(1);
    expect(['TERMINATING', 'TERMINATED']).toContain(h.sim.state.get(WS, id)!.status);
  });
});
