import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration';
import { PERMISSIONS, VIAS, SLACK_CHANNEL_ID_HINT, SLACK_CHANNEL_ID_PATTERN, SLACK_USER_ID_PATTERN, SLACK_USERGROUP_ID_PATTERN, WORKSPACE_ID_PATTERN } from '../core';

/**
 * The policy file (`shared/spec/interface.md` section 5) as a strict zod schema: an unknown key, an
 * unknown role, a bad duration or an empty file is an error naming the field by its path.
 */

const userId = z.string().refine((s) => s === '*' || SLACK_USER_ID_PATTERN.test(s), 'must be a Slack user ID like "U0AAA" or "*"');
const usergroupId = z.string().regex(SLACK_USERGROUP_ID_PATTERN, 'must be a Slack user group ID like "S0SOC"');
const channelId = z.string().regex(SLACK_CHANNEL_ID_PATTERN, SLACK_CHANNEL_ID_HINT);
// The same rule as SECMASTER_WORKSPACE_ID (config.ts) and a button's workspace_id.
const workspaceId = z.string({ error: 'must be a SecMaster workspace ID' }).regex(WORKSPACE_ID_PATTERN, 'must be a SecMaster workspace ID (1–64 letters, digits, - and _)');
const operation = z.enum(PERMISSIONS, { error: 'must be VIEW, RETRY or TERMINATE' });
// The value is named: a typo like "workflows" must be findable in a long file.
const via = z.enum(VIAS, { error: (issue) => `unknown via ${JSON.stringify(issue.input)}: must be ${VIAS.slice(0, -1).join(', ')} or ${VIAS.at(-1)}` });
const duration = z
  .string({ error: 'must be a duration like "30m" (s, m or h)' })
  .regex(DURATION_PATTERN, 'must be a duration like "30m" (s, m or h)')
  .transform((s) => parseDuration(s)!)
  .refine((ms) => ms >= 10_000 && ms <= 7 * 24 * 3_600_000, 'must be between 10s and 168h');

const role = z
  .strictObject({
    users: z.array(userId).optional(),
    usergroups: z.array(usergroupId).optional(),
  })
  .refine((r) => (r.users?.length ?? 0) + (r.usergroups?.length ?? 0) > 0, 'a role needs at least one user or user group');

const approval = z.strictObject({
  approvers: z.array(z.string().min(1)).min(1, 'name at least one approver role'),
  count: z.number().int('must be a whole number').min(1).max(10).default(1),
  expires_after: duration,
});

const rule = z.strictObject({
  operations: z.array(operation).min(1, 'name at least one operation'),
  roles: z.array(z.string().min(1)).min(1, 'name at least one role'),
  channels: z.array(channelId).min(1, 'omit channels or name at least one').optional(),
  /** The SecMaster workspaces the rule covers; without it, only SECMASTER_WORKSPACE_ID. */
  workspaces: z.array(workspaceId).min(1, 'omit workspaces or name at least one').optional(),
  approval: approval.optional(),
  /** How requests may come for this rule to grant them (spec section 10); without it, commands and buttons. */
  via: z.array(via).min(1, 'omit via or name at least one of command, button, workflow').optional(),
});

export const policySchema = z
  .strictObject({
    slack_team_id: z.string({ error: 'required: the Slack team (workspace) ID, like "T0123ABCD"' }).regex(/^[TE][A-Z0-9]{2,}$/, 'must be a Slack team ID like "T0123ABCD"'),
    roles: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'role names are letters, digits, - and _'), role),
    rules: z.array(rule).min(1, 'at least one rule is needed (anything not granted is denied)'),
  })
  .superRefine((p, ctx) => {
    const known = new Set(Object.keys(p.roles));
    p.rules.forEach((r, i) => {
      r.roles.forEach((name, j) => {
        if (!known.has(name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'roles', j], message: `unknown role "${name}"` });
      });
      r.approval?.approvers.forEach((name, j) => {
        if (!known.has(name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'approval', 'approvers', j], message: `unknown role "${name}"` });
      });
      if (r.approval && r.operations.includes('VIEW')) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'approval'], message: 'VIEW cannot require approval; put VIEW in a rule of its own' });
      }
    });
  });

export type PolicyDocument = z.infer<typeof policySchema>;
export type PolicyRule = PolicyDocument['rules'][number];
export type ApprovalRequirement = NonNullable<PolicyRule['approval']>;
