import type { Permission } from '../../src/domain/command';
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
const who = (userId: string, channelId = 'C0INCIDENT', teamId = TEAM): Principal => ({ teamId, userId, channelId });

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
    expect(summary(await evaluate(POLICY, principal, permission, fakeGroups(socMembers)))).toBe(expected);
  });
});

describe('evaluate: details', () => {
  it('foreign team: names the team and reads no user groups', async () => {
    const groups = fakeGroups({ S0SOC: ['U0SOC'] });
    const d = await evaluate(POLICY, who('U0SOC', 'C0INCIDENT', 'T0EVIL'), 'VIEW', groups);
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
    const d = await evaluate(viewOnly, who('U0SOC'), 'TERMINATE', groups);
    expect(d).toEqual({ effect: 'deny', reason: 'no_rule', detail: 'no rule grants TERMINATE to anyone', elsewhere: [] });
    expect(groups.reads).toEqual([]);
  });

  it('not in role: lists the roles that would grant it', async () => {
    const d = await evaluate(POLICY, who('U0NOBODY'), 'TERMINATE', fakeGroups());
    expect(d).toEqual({ effect: 'deny', reason: 'not_in_role', detail: 'TERMINATE needs one of the roles: lead, responder', elsewhere: [] });
  });

  it('channel not allowed: lists the rules and their channels', async () => {
    const d = await evaluate(POLICY, who('U0AAA', 'C0RANDOM'), 'RETRY', fakeGroups());
    expect(d.effect).toBe('deny');
    if (d.effect !== 'deny') return;
    expect(d.reason).toBe('channel_not_allowed');
    expect(d.elsewhere.map((r) => r.label)).toEqual(['rules[1]', 'rules[3]']);
    expect(d.elsewhere[0]).toEqual({ label: 'rules[1]', index: 1, rule: POLICY.rules[1] });
    expect(d.detail).toBe('RETRY is only allowed for you in <#C0INCIDENT>, <#C0SANDBOX>');
  });

  it('approval: carries the requirement and the rule label rules[4]', async () => {
    const d = await evaluate(POLICY, who('U0AAA'), 'TERMINATE', fakeGroups());
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
    expect(summary(await evaluate(policy, who('U0AAA'), 'TERMINATE', fakeGroups()))).toBe('allow rules[2] [responder]');
    // Among approval rules the first in the file decides.
    expect(summary(await evaluate(policy, who('U0LEAD'), 'TERMINATE', fakeGroups()))).toBe('approval rules[1] [lead]');
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
    expect(summary(await evaluate(policy, who('U0AAA', 'C0OTHER'), 'RETRY', fakeGroups()))).toBe('approval rules[1] [responder]');
    expect(summary(await evaluate(policy, who('U0AAA', 'C0INCIDENT'), 'RETRY', fakeGroups()))).toBe('allow rules[0] [responder]');
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
    expect(summary(await evaluate(policy, who('U0AAA'), 'VIEW', fakeGroups({ S0B: ['U0AAA'] })))).toBe('allow rules[0] [a,b]');
  });
});

describe('evaluate: user groups are read only when needed', () => {
  it('a direct user match that decides reads no user group', async () => {
    const groups = fakeGroups({ S0SOC: ['U0SOC'] });
    // U0AAA is listed in responder by ID; responder also has a group, lead has none.
    expect(summary(await evaluate(POLICY, who('U0AAA'), 'VIEW', groups))).toBe('allow rules[0] [responder]');
    expect(summary(await evaluate(POLICY, who('U0AAA'), 'RETRY', groups))).toBe('allow rules[1] [responder]');
    // The lead's at-once rule decides before the responder (group) approval rule is looked at.
    expect(summary(await evaluate(POLICY, who('U0LEAD', 'C0RANDOM'), 'TERMINATE', groups))).toBe('allow rules[2] [lead]');
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
    expect(summary(await evaluate(policy, who('U0LEAD'), 'TERMINATE', groups))).toBe('allow rules[1] [lead]');
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
    expect(summary(await evaluate(policy, who('U0NOBODY', 'C0RANDOM'), 'RETRY', groups))).toBe('deny not_in_role');
    expect(groups.reads).toEqual([['S0SOC', 'U0NOBODY']]);
    expect(summary(await evaluate(policy, who('U0SOC', 'C0RANDOM'), 'RETRY', groups))).toBe('approval rules[2] [responder]');
    expect(groups.reads).toEqual([
      ['S0SOC', 'U0NOBODY'],
      ['S0SOC', 'U0SOC'],
    ]);
  });

  it('reads the groups of a group-only match', async () => {
    const groups = fakeGroups({ S0SOC: ['U0SOC'] });
    await evaluate(POLICY, who('U0SOC'), 'VIEW', groups);
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
    expect(await rolesOf(policy, ['soc', 'unknown-role'], 'U0X', groups)).toEqual(['soc']);
    expect(groups.reads).toEqual([
      ['S0ONE', 'U0X'],
      ['S0TWO', 'U0X'],
    ]);
  });
});

describe('isApprover', () => {
  const approvers = POLICY.rules[4]!.approval!.approvers;

  it.each([
    ['a lead of this team', { teamId: TEAM, userId: 'U0LEAD' }, true],
    ['a responder (not an approver role)', { teamId: TEAM, userId: 'U0AAA' }, false],
    ['a stranger', { teamId: TEAM, userId: 'U0NOBODY' }, false],
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
    expect(await isApprover(policy, a, { teamId: TEAM, userId: 'U0BOSS' }, groups)).toBe(true);
    expect(await isApprover(policy, a, { teamId: TEAM, userId: 'U0AAA' }, groups)).toBe(false);
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
