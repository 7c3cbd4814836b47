import { z } from 'zod';
import type { Instance } from '../core';

/**
 * SecMaster answers, parsed at the edge. Unknown fields are tolerated, an unknown status is kept as
 * the string that came, and `dataobject` is loose because its shape has changed between versions.
 */

const optionalString = z.string().nullish().transform((v) => v ?? undefined);
const named = z.looseObject({ id: optionalString, name: optionalString });

export const instanceSchema = z.looseObject({
  id: z.string().min(1),
  name: optionalString,
  project_id: optionalString,
  playbook: z
    .looseObject({ id: optionalString, version_id: optionalString, name: optionalString, version: optionalString })
    .nullish()
    .transform((v) => v ?? undefined),
  dataclass: named.nullish().transform((v) => v ?? undefined),
  dataobject: named.nullish().transform((v) => v ?? undefined),
  status: z.string().min(1),
  trigger_type: optionalString,
  start_time: optionalString,
  end_time: optionalString,
});
/** Compiles only while `T` is a core {@link Instance}: the schema may parse more, never less. */
type ParsesToInstance<T extends Instance> = T;
/** The instance as parsed: a core {@link Instance} with whatever else SecMaster sent. */
export type InstanceAnswer = ParsesToInstance<z.infer<typeof instanceSchema>>;

export const instanceListSchema = z.looseObject({
  count: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative().optional(),
  instances: z.array(instanceSchema).nullish().transform((v) => v ?? []),
});
export type InstanceList = { count: number; instances: Instance[] };

export const auditLogSchema = z.looseObject({
  instance_id: optionalString,
  instance_type: optionalString,
  action_id: optionalString,
  action_name: optionalString,
  status: optionalString,
  start_time: optionalString,
  end_time: optionalString,
  error_msg: optionalString,
  output: z.unknown().optional(),
});
export type AuditLog = z.infer<typeof auditLogSchema>;

export const auditLogListSchema = z.looseObject({
  count: z.number().int().nonnegative().optional(),
  audit_logs: z.array(auditLogSchema).nullish().transform((v) => v ?? []),
});

export const topologySchema = z.looseObject({
  count: z.number().int().nonnegative().optional(),
  action_instances: z
    .array(
      z.looseObject({
        action: z.looseObject({ id: optionalString, name: optionalString, action_type: optionalString }).nullish().transform((v) => v ?? undefined),
        instance_log: z
          .looseObject({
            status: optionalString,
            start_time: optionalString,
            end_time: optionalString,
            error_msg: optionalString,
          })
          .nullish()
          .transform((v) => v ?? undefined),
      }),
    )
    .nullish()
    .transform((v) => v ?? []),
});
export type Topology = z.infer<typeof topologySchema>;
