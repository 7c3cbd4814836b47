import { DEFAULT_VIAS, type DenyReason, type Permission, type Via } from '../core';
import type { Policy } from './load';
import type { ApprovalRequirement, PolicyRule } from './schema';

/**
 * Deny by default: a request runs at once if any rule without `approval` grants it; else it asks for
 * approval if a rule with `approval` grants it; else it is denied. The decision names the rule that
 * decided (or why none did), so `can`, denials and the audit trail can all say why.
 */

export interface Principal {
  /** The Slack team the request came from (a click's `team.id`, a command's `team_id`). */
  teamId: string;
  userId: string;
  channelId: string;
  /**
   * The user's own Slack team: a click's `user.team_id`. In a Slack Connect channel it is the
   * other organisation's, while `teamId` is still ours. Unset when the payload does not say it
   * (a slash command carries only `team_id`, the workspace it was typed in): it is then asked of
   * Slack, and only when a `"*"` or a user group would decide.
   */
  userTeamId?: string;
  /**
   * The Enterprise organisation of the request's team (`team.enterprise_id`, a command's
   * `enterprise_id`): in an Enterprise organisation Slack reports `user.team_id` as the
   * organisation's ID (E…) rather than the workspace's (T…), which is then the user's own team too.
   */
  enterpriseId?: string;
  /**
   * How the request came: a rule grants only the ways its `via:` lists. A `workflow` step has no
   * channel (`channelId` is empty), so only rules without `channels` can grant it, and never a rule
   * with `approval`. Unset: a person's request in Slack whose way is not known any more (an approval
   * checked again when its count is reached), which a rule granting a command or a button covers.
   */
  via?: Via;
}

/** Who someone is to Slack, without where they are: what deciding an approval or viewing Home needs. */
export type SlackIdentity = Pick<Principal, 'teamId' | 'userId' | 'userTeamId' | 'enterpriseId'>;

/** Which SecMaster workspace a request is about, and which one rules without `workspaces` cover. */
export interface WorkspaceScope {
  workspaceId: string;
  /** `SECMASTER_WORKSPACE_ID`. */
  defaultWorkspaceId: string;
}

/** Who is in a Slack user group (cached `usergroups.users.list`), and which team a user is from. */
export interface GroupMembership {
  isMember(groupId: string, userId: string): Promise<boolean>;
  /** The user's own Slack team (`users.info` → `user.team_id`), for a request that does not say it. */
  homeTeamOf?(userId: string): Promise<string | undefined>;
}

export interface RuleRef {
  /** Position in the file, e.g. `rules[2]`. */
  label: string;
  /** Position in `rules`, for callers that need the rule itself again. */
  index: number;
  rule: PolicyRule;
}

export type Decision =
  | { effect: 'allow'; rule: RuleRef; roles: string[] }
  | { effect: 'approval'; rule: RuleRef; roles: string[]; approval: ApprovalRequirement }
  | { effect: 'deny'; reason: DenyReason; detail: string; /** Rules that would grant it in other channels. */ elsewhere: RuleRef[] };

function ruleRef(policy: Policy, index: number): RuleRef {
  return { label: `rules[${index}]`, index, rule: policy.rules[index]! };
}

/**
 * Whether the user is one of the policy team's own people, asked at most once per decision and only
 * when a `"*"` or a user group would decide: an explicit user ID grants whoever it names.
 */
export type HomeCheck = () => Promise<boolean>;

/** The user's own team (as said or as Slack answers, undefined when unknown) and whether it is ours. */
function homeTeam(policy: Policy, who: Pick<Principal, 'userId' | 'userTeamId' | 'enterpriseId'>, groups: GroupMembership): () => Promise<{ team?: string; home: boolean }> {
  let answer: Promise<{ team?: string; home: boolean }> | undefined;
  return () =>
    (answer ??= (async () => {
      const team = who.userTeamId ?? (await groups.homeTeamOf?.(who.userId).catch(() => undefined));
      const home = team !== undefined && (team === policy.slack_team_id || (who.enterpriseId !== undefined && team === who.enterpriseId));
      return { team, home };
    })());
}

export function homeCheck(policy: Policy, who: Pick<Principal, 'userId' | 'userTeamId' | 'enterpriseId'>, groups: GroupMembership): HomeCheck {
  const resolve = homeTeam(policy, who, groups);
  return async () => (await resolve()).home;
}

/**
 * The roles of `policy` the user holds (evaluated lazily: user groups are only read when needed).
 * A user from another organisation (`isHome` false) holds a role only where it names them by ID.
 */
export async function rolesOf(policy: Policy, names: readonly string[], userId: string, groups: GroupMembership, isHome: HomeCheck): Promise<string[]> {
  const held: string[] = [];
  for (const name of names) {
    // Role names come from the policy, but an approval stored under an older policy carries them too.
    const role = Object.hasOwn(policy.roles, name) ? policy.roles[name] : undefined;
    if (!role) continue;
    if (role.users?.includes(userId)) {
      held.push(name);
      continue;
    }
    const everyone = role.users?.includes('*') ?? false;
    if (!everyone && !role.usergroups?.length) continue;
    if (!(await isHome())) continue;
    if (everyone) {
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

/** The ways of asking a rule grants: those it names under `via:`, else commands and buttons. */
export function ruleVias(rule: PolicyRule): readonly Via[] {
  return rule.via ?? DEFAULT_VIAS;
}

/** The workspaces a rule covers: those it names, else only the default one. */
export function ruleWorkspaces(rule: PolicyRule, defaultWorkspaceId: string): readonly string[] {
  return rule.workspaces ?? [defaultWorkspaceId];
}

export async function evaluate(policy: Policy, who: Principal, permission: Permission, groups: GroupMembership, scope: WorkspaceScope): Promise<Decision> {
  if (who.teamId !== policy.slack_team_id) {
    return { effect: 'deny', reason: 'foreign_team', detail: `requests from Slack team ${who.teamId} are not accepted`, elsewhere: [] };
  }
  const candidates = policy.rules.map((_, i) => ruleRef(policy, i)).filter((r) => r.rule.operations.includes(permission));
  if (candidates.length === 0) {
    return { effect: 'deny', reason: 'no_rule', detail: `no rule grants ${permission} to anyone`, elsewhere: [] };
  }

  const resolveHome = homeTeam(policy, who, groups);
  const isHome: HomeCheck = async () => (await resolveHome()).home;
  const memo = new Map<string, boolean>();
  const holds = async (role: string) => {
    if (!memo.has(role)) memo.set(role, (await rolesOf(policy, [role], who.userId, groups, isHome)).length > 0);
    return memo.get(role)!;
  };
  const matching = async (r: RuleRef) => {
    const roles: string[] = [];
    for (const role of r.rule.roles) if (await holds(role)) roles.push(role);
    return roles;
  };

  const workflow = who.via === 'workflow';
  const inChannel = (r: RuleRef) => !r.rule.channels || (!workflow && r.rule.channels.includes(who.channelId));
  const inWorkspace = (r: RuleRef) => ruleWorkspaces(r.rule, scope.defaultWorkspaceId).includes(scope.workspaceId);
  const byVia = (r: RuleRef) => (who.via ? ruleVias(r.rule).includes(who.via) : ruleVias(r.rule).some((v) => v !== 'workflow'));
  const otherChannels: RuleRef[] = [];
  const otherWorkspaces: RuleRef[] = [];
  const otherVias: RuleRef[] = [];
  const needApproval: RuleRef[] = [];
  let approvalGrant: Decision | undefined;

  // Rules without approval first: any of them granting means the request runs at once.
  for (const r of [...candidates.filter((c) => !c.rule.approval), ...candidates.filter((c) => c.rule.approval)]) {
    const roles = await matching(r);
    if (roles.length === 0) continue;
    if (!inWorkspace(r)) {
      otherWorkspaces.push(r);
      continue;
    }
    if (!inChannel(r)) {
      otherChannels.push(r);
      continue;
    }
    if (!byVia(r)) {
      otherVias.push(r);
      continue;
    }
    if (!r.rule.approval) return { effect: 'allow', rule: r, roles };
    // The workflow does its own approving (a "request approval" step before this one).
    if (workflow) {
      needApproval.push(r);
      continue;
    }
    approvalGrant ??= { effect: 'approval', rule: r, roles, approval: r.rule.approval };
  }
  if (approvalGrant) return approvalGrant;
  if (needApproval.length > 0) {
    return {
      effect: 'deny',
      reason: 'approval_required',
      detail: `${permission} needs an approval for you (${needApproval.map((r) => r.label).join(', ')}), and a workflow step cannot ask for one: let the workflow ask for approval before this step, and grant it by a rule without approval that lists via: [workflow]`,
      elsewhere: needApproval,
    };
  }
  if (otherChannels.length > 0 && workflow) {
    return {
      effect: 'deny',
      reason: 'channel_not_allowed',
      detail: `${permission} is granted to you only in some channels (${otherChannels.map((r) => r.label).join(', ')}), and a workflow step has no channel: only a rule without channels that lists via: [workflow] grants it`,
      elsewhere: otherChannels,
    };
  }
  if (otherVias.length > 0) {
    const ways = [...new Set(otherVias.flatMap((r) => ruleVias(r.rule)))];
    const asked = who.via === 'workflow' ? 'a workflow step' : who.via === 'button' ? 'a button' : who.via === 'command' ? 'a command' : 'a request in Slack';
    return {
      effect: 'deny',
      reason: 'via_not_allowed',
      detail: `${permission} is granted to you only via ${ways.join(', ')} (${otherVias.map((r) => r.label).join(', ')}), not to ${asked}${workflow ? ': a rule must list via: [workflow]' : ''}`,
      elsewhere: otherVias,
    };
  }
  if (otherChannels.length > 0) {
    const channels = [...new Set(otherChannels.flatMap((r) => r.rule.channels ?? []))];
    return { effect: 'deny', reason: 'channel_not_allowed', detail: `${permission} is only allowed for you in ${channels.map((c) => `<#${c}>`).join(', ')}`, elsewhere: otherChannels };
  }
  if (otherWorkspaces.length > 0) {
    const workspaces = [...new Set(otherWorkspaces.flatMap((r) => ruleWorkspaces(r.rule, scope.defaultWorkspaceId)))];
    return {
      effect: 'deny',
      reason: 'workspace_not_allowed',
      detail: `${permission} is only allowed for you in SecMaster workspace${workspaces.length > 1 ? 's' : ''} ${workspaces.join(', ')}, not in ${scope.workspaceId}`,
      elsewhere: otherWorkspaces,
    };
  }
  // Someone from another organisation whom a "*" or a user group would have let in is told why not.
  if (candidates.some((r) => r.rule.roles.some((role) => roleIsWide(policy, role))) && !(await isHome())) {
    const own = (await resolveHome()).team;
    const team = own ? `Slack team ${own}` : 'a Slack team that could not be confirmed';
    return { effect: 'deny', reason: 'foreign_user', detail: `you are from ${team}, not ${policy.slack_team_id}: only people the policy names by user ID may do this`, elsewhere: [] };
  }
  const roles = [...new Set(candidates.flatMap((r) => r.rule.roles))];
  return { effect: 'deny', reason: 'not_in_role', detail: `${permission} needs one of the roles: ${roles.join(', ')}`, elsewhere: [] };
}

/** A role that grants by `"*"` or a user group, which a user from another organisation never gets. */
function roleIsWide(policy: Policy, name: string): boolean {
  const role = Object.hasOwn(policy.roles, name) ? policy.roles[name] : undefined;
  return Boolean(role?.users?.includes('*') || role?.usergroups?.length);
}

/**
 * Whether `who` may approve as one of the `approvers` roles: a request from our team, and one of
 * the roles held (by a user from another organisation only where it names them by ID).
 */
export async function isApprover(
  policy: Policy,
  approvers: readonly string[],
  who: SlackIdentity,
  groups: GroupMembership,
): Promise<boolean> {
  if (who.teamId !== policy.slack_team_id) return false;
  return (await rolesOf(policy, approvers, who.userId, groups, homeCheck(policy, who, groups))).length > 0;
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
    const role = Object.hasOwn(policy.roles, name) ? policy.roles[name] : undefined;
    for (const u of role?.users ?? []) if (u === '*') everyone = true; else users.add(u);
    for (const g of role?.usergroups ?? []) usergroups.add(g);
  }
  return { users: [...users], usergroups: [...usergroups], everyone };
}
