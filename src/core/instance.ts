/**
 * A playbook instance and the one way to address it. Every per-instance call, lock, watch, card and
 * audit row names an instance by its workspace and its ID together: the same ID in two SecMaster
 * workspaces is two instances.
 */
export interface InstanceRef {
  workspaceId: string;
  instanceId: string;
}

/**
 * The reference alone, copied out of a record that carries one (a watch, an approval, an attempt, a
 * card), for where the value is kept or compared whole and the rest of the record must not come along.
 */
export function instanceRef(from: InstanceRef): InstanceRef {
  return { workspaceId: from.workspaceId, instanceId: from.instanceId };
}

/** The one string that names an instance: the key of its lock row and of the watcher's per-instance reads. */
export function instanceKey(ref: InstanceRef): string {
  return `${ref.workspaceId}/${ref.instanceId}`;
}

/** Whether two references name the same instance (UUIDs compared in lower case, see {@link canonicalInstanceId}). */
export function sameInstance(a: InstanceRef, b: InstanceRef): boolean {
  return a.workspaceId === b.workspaceId && canonicalInstanceId(a.instanceId) === canonicalInstanceId(b.instanceId);
}

/** An instance ID as people may write it (spec section 4: 1–64 characters of `[A-Za-z0-9_-]`); workspace IDs follow the same rule. */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** SecMaster's workspace and project IDs follow the same rule. */
export const WORKSPACE_ID_PATTERN = INSTANCE_ID_PATTERN;

export function isInstanceId(s: string): boolean {
  return INSTANCE_ID_PATTERN.test(s);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An instance ID as the bot compares, locks and sends it. SecMaster's IDs are UUIDs, and a UUID
 * names the same thing in either case (RFC 9562: "compared in a case-insensitive manner"), so
 * `ABC…` and `abc…` must not be two instances with two locks: UUIDs are lower-cased, anything else
 * is kept exactly as it came.
 */
export function canonicalInstanceId(id: string): string {
  return UUID_PATTERN.test(id) ? id.toLowerCase() : id;
}

/** A named part of an instance (its playbook, data class or data object), as SecMaster describes it. */
export interface NamedPart {
  id?: string;
  name?: string;
}

/**
 * What the bot reads of a playbook instance (SecMaster's `PlaybookInstanceInfo`). `status` is any
 * string: an unknown one is shown as it came. The SecMaster client's zod schema produces values of
 * this shape (checked at compile time in `secmaster/schemas.ts`).
 */
export interface Instance {
  id: string;
  name?: string;
  project_id?: string;
  playbook?: NamedPart & { version_id?: string; version?: string };
  dataclass?: NamedPart;
  dataobject?: NamedPart;
  status: string;
  trigger_type?: string;
  start_time?: string;
  end_time?: string;
}
