import { z } from 'zod';
import { canonicalInstanceId, isInstanceId, type InstanceRef } from '../../core';
import { parseJsonOrUndefined } from '../../util/json';

/**
 * `playbook_retry` / `playbook_terminate` values: a bare instance ID (default workspace) or JSON
 * `{"instance_id":"…","workspace_id":"…"}` (spec section 4). Any app may put these buttons on its own
 * messages, so the value is untrusted input and checked as strictly as a typed command.
 */
const jsonValue = z.strictObject({
  instance_id: z.string().refine(isInstanceId, 'not an instance ID'),
  workspace_id: z.string().refine(isInstanceId, 'not a workspace ID').optional(),
});

export function encodeButtonValue(target: InstanceRef, defaultWorkspaceId: string): string {
  return target.workspaceId === defaultWorkspaceId ? target.instanceId : JSON.stringify({ instance_id: target.instanceId, workspace_id: target.workspaceId });
}

export function decodeButtonValue(value: unknown, defaultWorkspaceId: string): InstanceRef | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return undefined;
  const trimmed = value.trim();
  if (isInstanceId(trimmed)) return { workspaceId: defaultWorkspaceId, instanceId: canonicalInstanceId(trimmed) };
  if (!trimmed.startsWith('{')) return undefined;
  const result = jsonValue.safeParse(parseJsonOrUndefined(trimmed));
  if (!result.success) return undefined;
  return { workspaceId: result.data.workspace_id ?? defaultWorkspaceId, instanceId: canonicalInstanceId(result.data.instance_id) };
}
