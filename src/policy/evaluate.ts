import type { Permission } from '../domain/command';
import type { Policy } from './load';
import type { ApprovalRequirement, PolicyRule } from './schema';

/**
 * Deny by default: a request runs at once if any rule without `approval` grants it; else it asks for
 * approval if a rule with `approval` grants it; else it is denied. The decision names the rule that
 * decided (or why none did), so `can`, denials and the audit trail can all say why.
 */

export interface Principal {
  teamId: string;
  userId: string;
  channelId: string;
}

/** Who is in a Slack user group (cached `usergroups.users.list`). */
export interface GroupMembership {
  isMember(groupId: string, userId: string): Promise<boolean>;
}

export interface RuleRef {
  /** Position in the file, e.g. `rules[2]`. */
  label: string;
  /** Position in `rules`, for callers that need the rule itself again. */
  index: number;
  rule: PolicyRule;
}

export type DenyReason = 'foreign_team' | 'no_rule' | 'not_in_role' | 'channel_not_allowed';

export type Decision =
  | { effect: 'allow'; rule: RuleRef; roles: string[] }
  | { effect: 'approval'; rule: RuleRef; roles: string[]; approval: ApprovalRequirement }
  | { effect: 'deny'; reason: DenyReason; detail: string; /** Rules that would grant it in other channels. */ elsewhere: RuleRef[] };

function ruleRef(policy: Policy, index: number): RuleRef {
  return { label: `rules[${index}]`, index, rule: policy.rules[index]! };
}

/** The roles of `policy` the user holds (evaluated lazily: user groups are only read when needed). */
export async function rolesOf(policy: Policy, names: readonly string[], userId: string, groups: GroupMembership): Promise<string[]> {
  const held: string[] = [];
  for (const name of names) {
    const role = policy.roles[name];
    if (!role) continue;
    if (role.users?.some((u) => u === '*' || u === userId)) {
      held.push(name);
      continue;
    }
    for (const g of role.usergroups ?? []) {
      if (await groups.isMember(g, userId)) {
        held.push(name);
        break;
      }
    }
  }
  return held;
}

export async function evaluate(policy: Policy, who: Principal, permission: Permission, groups: GroupMembership): Promise<Decision> {
  if (who.teamId !== policy.slack_team_id) {
    return { effect: 'deny', reason: 'foreign_team', detail: `requests from Slack team ${who.teamId} are not accepted`, elsewhere: [] };
  }
  const candidates = policy.rules.map((_, i) => ruleRef(policy, i)).filter((r) => r.rule.operations.includes(permission));
  if (candidates.length === 0) {
    return { effect: 'deny', reason: 'no_rule', detail: `no rule grants ${permission} to anyone`, elsewhere: [] };
  }

  const memo = new Map<string, boolean>();
  const holds = async (role: string) => {
    if (!memo.has(role)) memo.set(role, (await rolesOf(policy, [role], who.userId, groups)).length > 0);
    return memo.get(role)!;
  };
  const matching = async (r: RuleRef) => {
    const roles: string[] = [];
    for (const role of r.rule.roles) if (await holds(role)) roles.push(role);
    return roles;
  };

  const inChannel = (r: RuleRef) => !r.rule.channels || r.rule.channels.includes(who.channelId);
  const elsewhere: RuleRef[] = [];
  let approvalGrant: Decision | undefined;

  // Rules without approval first: any of them granting means the request runs at once.
  for (const r of [...candidates.filter((c) => !c.rule.approval), ...candidates.filter((c) => c.rule.approval)]) {
    const roles = await matching(r);
    if (roles.length === 0) continue;
    if (!inChannel(r)) {
      elsewhere.push(r);
      continue;
    }
    if (!r.rule.approval) return { effect: 'allow', rule: r, roles };
    approvalGrant ??= { effect: 'approval', rule: r, roles, approval: r.rule.approval };
  }
  if (approvalGrant) return approvalGrant;
  if (elsewhere.length > 0) {
    const channels = [...new Set(elsewhere.flatMap((r) => r.rule.channels ?? []))];
    return { effect: 'deny', reason: 'channel_not_allowed', detail: `${permission} is only allowed for you in ${channels.map((c) => `<#${c}>`).join(', ')}`, elsewhere };
  }
  const roles = [...new Set(candidates.flatMap((r) => r.rule.roles))];
  return { effect: 'deny', reason: 'not_in_role', detail: `${permission} needs one of the roles: ${roles.join(', ')}`, elsewhere: [] };
}

/** Whether `who` may approve as one of the `approvers` roles (same team, holds one of them). */
export async function isApprover(policy: Policy, approvers: readonly string[], who: Pick<Principal, 'teamId' | 'userId'>, groups: GroupMembership): Promise<boolean> {
  if (who.teamId !== policy.slack_team_id) return false;
  return (await rolesOf(policy, approvers, who.userId, groups)).length > 0;
}

/** Who holds the approver roles: the approval card's mentions (`everyone` for a `"*"` role). */
export interface ApproverAudience {
  users: string[];
  usergroups: string[];
  everyone: boolean;
}

/** Users and user groups that may approve, for the approval card's mentions. */
export function approverAudience(policy: Policy, approvers: readonly string[]): ApproverAudience {
  const users = new Set<string>();
  const usergroups = new Set<string>();
  let everyone = false;
  for (const name of approvers) {
    const role = policy.roles[name];
    for (const u of role?.users ?? []) if (u === '*') everyone = true; else users.add(u);
    for (const g of role?.usergroups ?? []) usergroups.add(g);
  }
  return { users: [...users], usergroups: [...usergroups], everyone };
}
