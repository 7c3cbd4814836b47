import { z } from 'zod';
import { canonicalInstanceId, INSTANCE_ID_PATTERN, SLACK_USER_ID_PATTERN, WORKSPACE_ID_PATTERN } from '../core';

/**
 * The inputs of a Workflow Builder step (spec section 10), checked like a command's text: a bad
 * value is a clear answer naming the input, and nothing is sent. Slack sends an optional input the
 * workflow left empty as absent, `null` or `""`; all three mean "not given".
 */
const optionalText = (max: number, hint: string) =>
  z.preprocess((v) => (v === null || v === '' ? undefined : v), z.string({ error: hint }).max(max, `at most ${max} characters`).optional());

const stepInputs = z.object({
  instance_id: z
    .string({ error: 'required: the playbook instance ID' })
    .transform((s) => s.trim())
    .pipe(z.string().regex(INSTANCE_ID_PATTERN, 'must be a playbook instance ID: 1–64 letters, digits, - and _')),
  requested_by: z.string({ error: 'required: the Slack user the step acts for' }).regex(SLACK_USER_ID_PATTERN, 'must be a Slack user ID like "U0AAA"'),
  reason: optionalText(1000, 'must be text'),
  workspace_id: z.preprocess(
    (v) => (v === null || v === '' ? undefined : v),
    z.string({ error: 'must be a SecMaster workspace ID' }).regex(WORKSPACE_ID_PATTERN, 'must be a SecMaster workspace ID (1–64 letters, digits, - and _)').optional(),
  ),
});

export interface StepInputs {
  instanceId: string;
  requestedBy: string;
  reason?: string;
  workspaceId?: string;
}

export function parseStepInputs(raw: unknown): { ok: true; inputs: StepInputs } | { ok: false; problems: string[] } {
  const parsed = stepInputs.safeParse(raw ?? {});
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'inputs'}: ${i.message}`) };
  const p = parsed.data;
  return {
    ok: true,
    inputs: {
      instanceId: canonicalInstanceId(p.instance_id),
      requestedBy: p.requested_by,
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
      ...(p.workspace_id !== undefined ? { workspaceId: p.workspace_id } : {}),
    },
  };
}
