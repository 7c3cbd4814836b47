import type { Permission } from '../../src/core';
import { approverAudience, evaluate, isApprover, rolesOf, type Decision, type GroupMembership, type Principal } from '../../src/policy/evaluate';
import { parsePolicy } from '../../src/policy/load';

/** A user-group directory from a fixed table that counts every membership read. */
function fakeGroups(members: Record<string, string[]> = {}): GroupMembership & { reads: Array<[string, string]> } {
  const reads: Array<[string, string]> = [];
  return {
    reads,
    async isMember(groupId, userId) {
      reads.push([groupId, userId]);
      return (members[groupId] ?? []).includes(userId);
    },
  };
}

const TEAM = 'T0123ABCD';
/** A request from `teamId` by a user of that same team (the usual case: not a Slack Connect guest). */
const who = (userId: string, channelId = 'C0INCIDENT', teamId = TEAM): Principal => ({ teamId, userTeamId: teamId, userId, channelId });
/** Requests about the default workspace, which every rule without `workspaces` covers. */
const HOME = { workspaceId: 'ws-home', defaultWorkspaceId: 'ws-home' };

/**
 * rules[0] VIEW: responder, lead
 * rules[1] RETRY: responder, lead, only in C0INCIDENT
 * rules[2] TERMINATE: lead, at once
 * rules[3] RETRY: everyone, only in C0SANDBOX
 * rules[4] TERMINATE: responder, one approval from lead
 */
const POLICY = parsePolicy(`slack_team_id: ${TEAM}
roles:
  responder:
    users: [U0AAA, U0BBB]
    usergroups: [S0SOC]
  lead:
    users: [U0LEAD]
  everyone:
    users: ["*"]
rules:
  - operations: [VIEW]
    roles: [responder, lead]
  - operations: [RETRY]
    roles: [responder, lead]
    channels: [C0INCIDENT]
  - operations: [TERMINATE]
    roles: [lead]
  - operations: [RETRY]
    roles: [everyone]
    channels: [C0SANDBOX]
  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [lead]
      count: 2
      expires_after: 30m
`);

/** A compact view of a decision for table-driven expectations. */
function summary(d: Decision): string {
  switch (d.effect) {
    case 'allow':
      return `allow ${d.rule.label} [${d.roles.join(',')}]`;
    case 'approval':
      return `approval ${d.rule.label} [${d.roles.join(',')}]`;
    case 'deny':
      return `deny ${d.reason}${d.elsewhere.length ? ` elsewhere=${d.elsewhere.map((r) => r.label).join(',')}` : ''}`;
  }
}

describe('evaluate: table', () => {
  const socMembers = { S0SOC: ['U0SOC'] };
  it.each<[string, Principal, Permission, string]>([
    ['a responder may view', who('U0AAA'), 'VIEW', 'allow rules[0] [responder]'],
    ['a lead may view', who('U0LEAD'), 'VIEW', 'allow rules[0] [lead]'],
    ['a user-group member may view', who('U0SOC'), 'VIEW', 'allow rules[0] [responder]'],
    ['a stranger may not view', who('U0NOBODY'), 'VIEW', 'deny not_in_role'],
    ['a responder may retry in the incident channel', who('U0AAA', 'C0INCIDENT'), 'RETRY', 'allow rules[1] [responder]'],
    ['a user-group member may retry in the incident channel', who('U0SOC', 'C0INCIDENT'), 'RETRY', 'allow rules[1] [responder]'],
    ['a responder may not retry in another channel', who('U0AAA', 'C0RANDOM'), 'RETRY', 'deny channel_not_allowed elsewhere=rules[1],rules[3]'],
    ['anyone in the team may retry in the sandbox channel ("*")', who('U0NOBODY', 'C0SANDBOX'), 'RETRY', 'allow rules[3] [everyone]'],
    ['a stranger may retry only in the sandbox channel', who('U0NOBODY', 'C0RANDOM'), 'RETRY', 'deny channel_not_allowed elsewhere=rules[3]'],
    ['a lead terminates at once, anywhere', who('U0LEAD', 'C0RANDOM'), 'TERMINATE', 'allow rules[2] [lead]'],
    ['a responder needs approval to terminate', who('U0BBB'), 'TERMINATE', 'approval rules[4] [responder]'],
    ['a user-group member needs approval to terminate', who('U0SOC'), 'TERMINATE', 'approval rules[4] [responder]'],
    ['a stranger may not terminate', who('U0NOBODY'), 'TERMINATE', 'deny not_in_role'],
    ['another team is refused, even for a lead', who('U0LEAD', 'C0INCIDENT', 'T0OTHER'), 'VIEW', 'deny foreign_team'],
    ['another team is refused even where "*" applies', who('U0NOBODY', 'C0SANDBOX', 'T0OTHER'), 'RETRY', 'deny foreign_team'],
  ])('%s', async (_label, principal, permission, expected) => {
    expect(summary(await evaluate(POLICY, principal, permission, fakeGroups(socMembers), HOME))).toBe(expected);
  });
});

describe('evaluate: details', () => {
  it('foreign team: names the team and reads no user groups', async () => {
    const groups = fakeGroups({ S0SOC: ['U0SOC'] });
    const d = await evaluate(POLICY, who('U0SOC', 'C0INCIDENT', 'T0EVIL'), 'VIEW', groups, HOME);
    expect(d).toEqual({ effect: 'deny', reason: 'foreign_team', detail: 'requests from Slack team T0EVIL are not accepted', elsewhere: [] });
    expect(groups.reads).toEqual([]);
  });

  it('no rule for the permission at all: no_rule, without reading user groups', async () => {
    const viewOnly = parsePolicy(`slack_team_id: ${TEAM}
roles:
  responder:
    usergroups: [S0SOC]
rules:
  - operations: [VIEW]
    roles: [responder]
`);
    const groups = fakeGroups({ S0SOC: ['U0SOC'] });
    const d = await evaluate(viewOnly, who('U0SOC'), 'TERMINATE', groups, HOME);
    expect(d).toEqual({ effect: 'deny', reason: 'no_rule', detail: 'no rule grants TERMINATE to anyone', elsewhere: [] });
    expect(groups.reads).toEqual([]);
  });

  it('not in role: lists the roles that would grant it', async () => {
    const d = await evaluate(POLICY, who('U0NOBODY'), 'TERMINATE', fakeGroups(), HOME);
    expect(d).toEqual({ effect: 'deny', reason: 'not_in_role', detail: 'TERMINATE needs one of the roles: lead, responder', elsewhere: [] });
  });

  it('channel not allowed: lists the rules and their channels', async () => {
    const d = await evaluate(POLICY, who('U0AAA', 'C0RANDOM'), 'RETRY', fakeGroups(), HOME);
    expect(d.effect).toBe('deny');
    if (d.effect !== 'deny') return;
    expect(d.reason).toBe('channel_not_allowed');
    expect(d.elsewhere.map((r) => r.label)).toEqual(['rules[1]', 'rules[3]']);
    expect(d.elsewhere[0]).toEqual({ label: 'rules[1]', index: 1, rule: POLICY.rules[1] });
    expect(d.detail).toBe('RETRY is only allowed for you in <#C0INCIDENT>, <#C0SANDBOX>');
  });

  it('approval: carries the requirement and the rule label rules[4]', async () => {
    const d = await evaluate(POLICY, who('U0AAA'), 'TERMINATE', fakeGroups(), HOME);
    expect(d).toEqual({
      effect: 'approval',
      rule: { label: 'rules[4]', index: 4, rule: POLICY.rules[4] },
      roles: ['responder'],
      approval: { approvers: ['lead'], count: 2, expires_after: 30 * 60_000 },
    });
  });

  it('a rule without approval wins over one with approval, wherever it is in the file', async () => {
    const policy = parsePolicy(`slack_team_id: ${TEAM}
roles:
  responder:
    users: [U0AAA]
  lead:
    users: [U0LEAD]
rules:
  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [lead]
      expires_after: 10m
  - operations: [TERMINATE]
    roles: [lead]
    approval:
      approvers: [lead]
      expires_after: 10m
  - operations: [TERMINATE]
    roles: [responder]
`);
    expect(summary(await evaluate(policy, who('U0AAA'), 'TERMINATE', fakeGroups(), HOME))).toBe('allow rules[2] [responder]');
    // Among approval rules the first in the file decides.
    expect(summary(await evaluate(policy, who('U0LEAD'), 'TERMINATE', fakeGroups(), HOME))).toBe('approval rules[1] [lead]');
  });

  it('an approval rule in this channel wins over an at-once rule for another channel', async () => {
    const policy = parsePolicy(`slack_team_id: ${TEAM}
roles:
  responder:
    users: [U0AAA]
rules:
  - operations: [RETRY]
    roles: [responder]
    channels: [C0INCIDENT]
  - operations: [RETRY]
    roles: [responder]
    approval:
      approvers: [responder]
      expires_after: 10m
`);
    expect(summary(await evaluate(policy, who('U0AAA', 'C0OTHER'), 'RETRY', fakeGroups(), HOME))).toBe('approval rules[1] [responder]');
    expect(summary(await evaluate(policy, who('U0AAA', 'C0INCIDENT'), 'RETRY', fakeGroups(), HOME))).toBe('allow rules[0] [responder]');
  });

  it('lists every role of the rule that the user holds', async () => {
    const policy = parsePolicy(`slack_team_id: ${TEAM}
roles:
  a:
    users: [U0AAA]
  b:
    usergroups: [S0B]
  c:
    users: [U0CCC]
rules:
  - operations: [VIEW]
    roles: [a, b, c]
`);
    expect(summary(await evaluate(policy, who('U0AAA'), 'VIEW', fakeGroups({ S0B: ['U0AAA'] }), HOME))).toBe('allow rules[0] [a,b]');
  });
});

describe('evaluate: user groups are read only when needed', () => {
  it('a direct user match that decides reads no user group', async () => {
    const groups = fakeGroups({ S0SOC: ['U0SOC'] });
    // U0AAA is listed in responder by ID; responder also has a group, lead has none.
    expect(summary(await evaluate(POLICY, who('U0AAA'), 'VIEW', groups, HOME))).toBe('allow rules[0] [responder]');
    expect(summary(await evaluate(POLICY, who('U0AAA'), 'RETRY', groups, HOME))).toBe('allow rules[1] [responder]');
    // The lead's at-once rule decides before the responder (group) approval rule is looked at.
    expect(summary(await evaluate(POLICY, who('U0LEAD', 'C0RANDOM'), 'TERMINATE', groups, HOME))).toBe('allow rules[2] [lead]');
    expect(groups.reads).toEqual([]);
  });

  it('an at-once rule matched by user ID decides before an earlier approval rule’s user group is read', async () => {
    const policy = parsePolicy(`slack_team_id: ${TEAM}
roles:
  soc:
    usergroups: [S0SOC]
  lead:
    users: [U0LEAD]
rules:
  - operations: [TERMINATE]
    roles: [soc]
    approval:
      approvers: [lead]
      expires_after: 10m
  - operations: [TERMINATE]
    roles: [lead]
`);
    const groups = fakeGroups({ S0SOC: ['U0LEAD'] });
    expect(summary(await evaluate(policy, who('U0LEAD'), 'TERMINATE', groups, HOME))).toBe('allow rules[1] [lead]');
    expect(groups.reads).toEqual([]);
  });

  it('a role in several rules is resolved once per decision (one read per group)', async () => {
    const policy = parsePolicy(`slack_team_id: ${TEAM}
roles:
  responder:
    usergroups: [S0SOC]
  lead:
    users: [U0LEAD]
rules:
  - operations: [RETRY]
    roles: [responder]
    channels: [C0ONE]
  - operations: [RETRY]
    roles: [lead, responder]
    channels: [C0TWO]
  - operations: [RETRY]
    roles: [responder]
    approval:
      approvers: [lead]
      expires_after: 10m
`);
    const groups = fakeGroups({ S0SOC: ['U0SOC'] });
    expect(summary(await evaluate(policy, who('U0NOBODY', 'C0RANDOM'), 'RETRY', groups, HOME))).toBe('deny not_in_role');
    expect(groups.reads).toEqual([['S0SOC', 'U0NOBODY']]);
    expect(summary(await evaluate(policy, who('U0SOC', 'C0RANDOM'), 'RETRY', groups, HOME))).toBe('approval rules[2] [responder]');
    expect(groups.reads).toEqual([
      ['S0SOC', 'U0NOBODY'],
      ['S0SOC', 'U0SOC'],
    ]);
  });

  it('reads the groups of a group-only match', async () => {
    const groups = fakeGroups({ S0SOC: ['U0SOC'] });
    await evaluate(POLICY, who('U0SOC'), 'VIEW', groups, HOME);
    expect(groups.reads).toEqual([['S0SOC', 'U0SOC']]);
  });

  it('rolesOf stops at the first group that holds the user', async () => {
    const policy = parsePolicy(`slack_team_id: ${TEAM}
roles:
  soc:
    usergroups: [S0ONE, S0TWO, S0THREE]
rules:
  - operations: [VIEW]
    roles: [soc]
`);
    const groups = fakeGroups({ S0TWO: ['U0X'] });
    expect(await rolesOf(policy, ['soc', 'unknown-role'], 'U0X', groups, async () => true)).toEqual(['soc']);
    expect(groups.reads).toEqual([
      ['S0ONE', 'U0X'],
      ['S0TWO', 'U0X'],
    ]);
  });
});

describe('isApprover', () => {
  const approvers = POLICY.rules[4]!.approval!.approvers;

  it.each([
    ['a lead of this team', { teamId: TEAM, userTeamId: TEAM, userId: 'U0LEAD' }, true],
    ['a responder (not an approver role)', { teamId: TEAM, userTeamId: TEAM, userId: 'U0AAA' }, false],
    ['a stranger', { teamId: TEAM, userTeamId: TEAM, userId: 'U0NOBODY' }, false],
    ['a lead ID from another team', { teamId: 'T0OTHER', userId: 'U0LEAD' }, false],
  ])('%s → %s', async (_label, principal, expected) => {
    expect(await isApprover(POLICY, approvers, principal, fakeGroups())).toBe(expected);
  });

  it('an approver by user group', async () => {
    const policy = parsePolicy(`slack_team_id: ${TEAM}
roles:
  responder:
    users: [U0AAA]
  leads:
    usergroups: [S0LEADS]
rules:
  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [leads]
      expires_after: 30m
`);
    const a = policy.rules[0]!.approval!.approvers;
    const groups = fakeGroups({ S0LEADS: ['U0BOSS'] });
    expect(await isApprover(policy, a, { teamId: TEAM, userTeamId: TEAM, userId: 'U0BOSS' }, groups)).toBe(true);
    expect(await isApprover(policy, a, { teamId: TEAM, userTeamId: TEAM, userId: 'U0AAA' }, groups)).toBe(false);
    expect(await isApprover(policy, a, { teamId: 'T0OTHER', userId: 'U0BOSS' }, groups)).toBe(false);
    // The foreign-team check comes first: no group read for it.
    expect(groups.reads).toEqual([
      ['S0LEADS', 'U0BOSS'],
      ['S0LEADS', 'U0AAA'],
    ]);
  });
});

describe('approverAudience', () => {
  const policy = parsePolicy(`slack_team_id: ${TEAM}
roles:
  lead:
    users: [U0LEAD, U0AAA]
    usergroups: [S0LEADS]
  duty:
    users: [U0AAA, U0DUTY]
    usergroups: [S0LEADS, S0DUTY]
  all:
    users: ["*"]
  responder:
    users: [U0RESP]
rules:
  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [lead, duty]
      expires_after: 30m
  - operations: [RETRY]
    roles: [responder]
    approval:
      approvers: [all, lead]
      expires_after: 30m
`);

  it('collects users and user groups of every approver role, once each', () => {
    expect(approverAudience(policy, policy.rules[0]!.approval!.approvers)).toEqual({
      users: ['U0LEAD', 'U0AAA', 'U0DUTY'],
      usergroups: ['S0LEADS', 'S0DUTY'],
      everyone: false,
    });
  });

  it('"*" means everyone, and is not listed as a user', () => {
    const a = approverAudience(policy, policy.rules[1]!.approval!.approvers);
    expect(a.everyone).toBe(true);
    expect(a.users).toEqual(['U0LEAD', 'U0AAA']);
    expect(a.users).not.toContain('*');
  });

  it('an approver role missing from the roles (not possible after parsing) is skipped, not a crash', () => {
    expect(approverAudience(policy, ['ghost'])).toEqual({ users: [], usergroups: [], everyone: false });
  });
});

describe('users from another organisation (Slack Connect): matched only by an explicit user ID', () => {
  /** The request came through our team, but the user's own team is another organisation's. */
  const guest = (userId: string, channelId = 'C0INCIDENT', userTeamId = 'T0PARTNER'): Principal => ({ teamId: TEAM, userTeamId, userId, channelId });
  const socMembers = { S0SOC: ['U0GUEST'] };

  it.each<[string, Principal, Permission, string]>([
    ['"*" does not cover a guest', guest('U0GUEST', 'C0SANDBOX'), 'RETRY', 'deny foreign_user'],
    ['a user group does not cover a guest, even one Slack lists as a member', guest('U0GUEST'), 'VIEW', 'deny foreign_user'],
    ['a guest the policy names by ID is granted', guest('U0LEAD'), 'TERMINATE', 'allow rules[2] [lead]'],
    ['a guest named by ID in a role that also has a group', guest('U0AAA'), 'VIEW', 'allow rules[0] [responder]'],
    ['the same user in our own team is covered by "*"', who('U0GUEST', 'C0SANDBOX'), 'RETRY', 'allow rules[3] [everyone]'],
    ['the same user in our own team is covered by the group', who('U0GUEST'), 'VIEW', 'allow rules[0] [responder]'],
  ])('%s', async (_label, principal, permission, expected) => {
    expect(summary(await evaluate(POLICY, principal, permission, fakeGroups(socMembers), HOME))).toBe(expected);
  });

  it('a guest is told why, naming their team; no user group is read for them', async () => {
    const groups = fakeGroups(socMembers);
    const d = await evaluate(POLICY, guest('U0GUEST', 'C0SANDBOX'), 'RETRY', groups, HOME);
    expect(d).toEqual({ effect: 'deny', reason: 'foreign_user', detail: 'you are from Slack team T0PARTNER, not T0123ABCD: only people the policy names by user ID may do this', elsewhere: [] });
    expect(groups.reads).toEqual([]);
  });

  it('an approver role held by "*" or a user group does not make a guest an approver; an explicit ID does', async () => {
    const policy = parsePolicy(`slack_team_id: ${TEAM}
roles:
  responder:
    users: [U0AAA]
  leads:
    users: [U0PARTNERLEAD]
    usergroups: [S0LEADS]
  anyone:
    users: ["*"]
rules:
  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [leads, anyone]
      expires_after: 30m
`);
    const approvers = policy.rules[0]!.approval!.approvers;
    const groups = fakeGroups({ S0LEADS: ['U0GUEST'] });
    expect(await isApprover(policy, approvers, { teamId: TEAM, userTeamId: 'T0PARTNER', userId: 'U0GUEST' }, groups)).toBe(false);
    expect(await isApprover(policy, approvers, { teamId: TEAM, userTeamId: 'T0PARTNER', userId: 'U0PARTNERLEAD' }, groups)).toBe(true);
    expect(await isApprover(policy, approvers, { teamId: TEAM, userTeamId: TEAM, userId: 'U0GUEST' }, groups)).toBe(true);
  });

  it("in an Enterprise organisation, the organisation's ID as user.team_id is our own team", async () => {
    const principal: Principal = { teamId: TEAM, enterpriseId: 'E0ORG', userTeamId: 'E0ORG', userId: 'U0GUEST', channelId: 'C0SANDBOX' };
    expect(summary(await evaluate(POLICY, principal, 'RETRY', fakeGroups(), HOME))).toBe('allow rules[3] [everyone]');
    expect(summary(await evaluate(POLICY, { ...principal, userTeamId: 'E0OTHERORG' }, 'RETRY', fakeGroups(), HOME))).toBe('deny foreign_user');
  });
});

describe("a request that does not say the user's own team (a slash command)", () => {
  const unsaid = (userId: string, channelId = 'C0INCIDENT'): Principal => ({ teamId: TEAM, userId, channelId });
  function directory(teams: Record<string, string | Error>) {
    const asked: string[] = [];
    return {
      asked,
      ...fakeGroups({ S0SOC: ['U0SOC'] }),
      async homeTeamOf(userId: string) {
        asked.push(userId);
        const t = teams[userId];
        if (t instanceof Error) throw t;
        return t;
      },
    };
  }

  it('asks Slack only when "*" or a user group would decide, once per decision', async () => {
    const dir = directory({ U0SOC: TEAM, U0NOBODY: TEAM });
    expect(summary(await evaluate(POLICY, unsaid('U0AAA'), 'RETRY', dir, HOME))).toBe('allow rules[1] [responder]');
    expect(dir.asked).toEqual([]);
    expect(summary(await evaluate(POLICY, unsaid('U0SOC'), 'TERMINATE', dir, HOME))).toBe('approval rules[4] [responder]');
    expect(summary(await evaluate(POLICY, unsaid('U0NOBODY', 'C0SANDBOX'), 'RETRY', dir, HOME))).toBe('allow rules[3] [everyone]');
    expect(dir.asked).toEqual(['U0SOC', 'U0NOBODY']);
  });

  it("a user Slack places in another team is not covered; one Slack cannot place is not either", async () => {
    const dir = directory({ U0SOC: 'T0PARTNER', U0NOBODY: new Error('users.info failed') });
    expect(summary(await evaluate(POLICY, unsaid('U0SOC'), 'VIEW', dir, HOME))).toBe('deny foreign_user');
    const d = await evaluate(POLICY, unsaid('U0NOBODY', 'C0SANDBOX'), 'RETRY', dir, HOME);
    expect(d).toMatchObject({ effect: 'deny', reason: 'foreign_user', detail: expect.stringContaining('a Slack team that could not be confirmed') });
  });

  it('without a way to ask, the user is not taken for one of ours', async () => {
    expect(summary(await evaluate(POLICY, unsaid('U0NOBODY', 'C0SANDBOX'), 'RETRY', fakeGroups(), HOME))).toBe('deny foreign_user');
  });
});

describe('workspaces: a rule covers the SecMaster workspaces it names, without `workspaces` only the default one', () => {
  const policy = parsePolicy(`slack_team_id: ${TEAM}
roles:
  responder:
    users: [U0AAA]
  lead:
    users: [U0LEAD]
rules:
  - operations: [VIEW, RETRY]
    roles: [responder, lead]
  - operations: [RETRY]
    roles: [lead]
    workspaces: [ws-prod, ws-eu]
  - operations: [TERMINATE]
    roles: [lead]
    workspaces: [ws-prod]
    channels: [C0INCIDENT]
`);
  const inWs = (workspaceId: string) => ({ workspaceId, defaultWorkspaceId: 'ws-home' });

  it.each<[string, Principal, Permission, string, string]>([
    ['a rule without workspaces covers the default workspace', who('U0AAA'), 'RETRY', 'ws-home', 'allow rules[0] [responder]'],
    ['… and only that one', who('U0AAA'), 'RETRY', 'ws-prod', 'deny workspace_not_allowed elsewhere=rules[0]'],
    ['a rule naming workspaces covers them', who('U0LEAD'), 'RETRY', 'ws-eu', 'allow rules[1] [lead]'],
    ['… and not the default one unless it names it (another rule may)', who('U0LEAD'), 'TERMINATE', 'ws-home', 'deny workspace_not_allowed elsewhere=rules[2]'],
    ['a workspace no rule names', who('U0LEAD'), 'RETRY', 'ws-other', 'deny workspace_not_allowed elsewhere=rules[0],rules[1]'],
    ['the right workspace but the wrong channel: the channel is what is said', who('U0LEAD', 'C0RANDOM'), 'TERMINATE', 'ws-prod', 'deny channel_not_allowed elsewhere=rules[2]'],
    ['VIEW too', who('U0AAA'), 'VIEW', 'ws-prod', 'deny workspace_not_allowed elsewhere=rules[0]'],
  ])('%s', async (_label, principal, permission, ws, expected) => {
    expect(summary(await evaluate(policy, principal, permission, fakeGroups(), inWs(ws)))).toBe(expected);
  });

  it('the denial names the workspaces that would do', async () => {
    const d = await evaluate(policy, who('U0LEAD'), 'RETRY', fakeGroups(), inWs('ws-other'));
    expect(d).toMatchObject({ effect: 'deny', reason: 'workspace_not_allowed', detail: 'RETRY is only allowed for you in SecMaster workspaces ws-home, ws-prod, ws-eu, not in ws-other' });
  });
});

describe('evaluate: via (spec sections 5 and 10)', () => {
  /**
   * rules[0] RETRY: responder, commands and buttons (no via)
   * rules[1] RETRY: bot-runner, workflow steps only
   * rules[2] TERMINATE: responder, via command and workflow, only in C0INCIDENT
   * rules[3] TERMINATE: lead, via workflow, with approval
   * rules[4] RETRY: lead, via button only
   */
  const VIA_POLICY = parsePolicy(`slack_team_id: ${TEAM}
roles:
  responder:
    users: [U0AAA]
  runner:
    users: [U0RUN]
  lead:
    users: [U0LEAD]
rules:
  - operations: [RETRY]
    roles: [responder]
  - operations: [RETRY]
    roles: [runner]
    via: [workflow]
  - operations: [TERMINATE]
    roles: [responder]
    via: [command, workflow]
    channels: [C0INCIDENT]
  - operations: [TERMINATE]
    roles: [lead]
    via: [workflow]
    approval:
      approvers: [responder]
      expires_after: 30m
  - operations: [RETRY]
    roles: [lead]
    via: [button]
`);
  const by = (userId: string, via: Principal['via'], channelId = 'C0INCIDENT'): Principal => ({ ...who(userId, channelId), ...(via ? { via } : {}) });
  const step = (userId: string): Principal => by(userId, 'workflow', '');

  it.each<[string, Principal, Permission, string]>([
    ['a rule without via grants a command', by('U0AAA', 'command'), 'RETRY', 'allow rules[0] [responder]'],
    ['a rule without via grants a button', by('U0AAA', 'button'), 'RETRY', 'allow rules[0] [responder]'],
    ['a rule without via does not grant a workflow step', step('U0AAA'), 'RETRY', 'deny via_not_allowed elsewhere=rules[0]'],
    ['via: [workflow] grants a workflow step', step('U0RUN'), 'RETRY', 'allow rules[1] [runner]'],
    ['via: [workflow] does not grant a command', by('U0RUN', 'command'), 'RETRY', 'deny via_not_allowed elsewhere=rules[1]'],
    ['via: [workflow] does not grant a button', by('U0RUN', 'button'), 'RETRY', 'deny via_not_allowed elsewhere=rules[1]'],
    ['via: [button] does not grant a command', by('U0LEAD', 'command'), 'RETRY', 'deny via_not_allowed elsewhere=rules[4]'],
    ['via: [button] grants a button', by('U0LEAD', 'button'), 'RETRY', 'allow rules[4] [lead]'],
    ['a rule with channels grants a command in its channel', by('U0AAA', 'command'), 'TERMINATE', 'allow rules[2] [responder]'],
    ['a rule with channels never grants a workflow step (it has no channel)', step('U0AAA'), 'TERMINATE', 'deny channel_not_allowed elsewhere=rules[2]'],
    ['a rule with approval refuses a workflow step, even one it lists', step('U0LEAD'), 'TERMINATE', 'deny approval_required elsewhere=rules[3]'],
    ['a request whose way is unknown (an approval checked again) counts as a command or button', by('U0AAA', undefined), 'RETRY', 'allow rules[0] [responder]'],
    ['… and is never granted by a rule for workflow steps only', by('U0RUN', undefined), 'RETRY', 'deny via_not_allowed elsewhere=rules[1]'],
  ])('%s', async (_label, principal, permission, expected) => {
    expect(summary(await evaluate(VIA_POLICY, principal, permission, fakeGroups(), HOME))).toBe(expected);
  });

  it('the denials say what would grant it', async () => {
    const viaDenied = await evaluate(VIA_POLICY, step('U0AAA'), 'RETRY', fakeGroups(), HOME);
    expect(viaDenied.effect === 'deny' && viaDenied.detail).toBe('RETRY is granted to you only via command, button (rules[0]), not to a workflow step: a rule must list via: [workflow]');
    const approval = await evaluate(VIA_POLICY, step('U0LEAD'), 'TERMINATE', fakeGroups(), HOME);
    expect(approval.effect === 'deny' && approval.detail).toMatch(/^TERMINATE needs an approval for you \(rules\[3\]\), and a workflow step cannot ask for one/);
    const channel = await evaluate(VIA_POLICY, step('U0AAA'), 'TERMINATE', fakeGroups(), HOME);
    expect(channel.effect === 'deny' && channel.detail).toMatch(/a workflow step has no channel: only a rule without channels that lists via: \[workflow\] grants it$/);
  });
});
