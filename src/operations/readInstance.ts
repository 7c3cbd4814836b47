import type { Instance, InstanceRef } from '../core';
import type { SecMasterClient } from '../secmaster/client';
import { secMasterErrorOrRethrow, type SecMasterError } from '../secmaster/errors';

/**
 * Why one instance could not be read, in the same two words an operation's outcome uses: SecMaster
 * says there is no such instance, or it could not be asked. Operations and queries both read
 * through here, so an instance ID meets one error mapping whichever command names it.
 */
export type ReadFailure = { code: 'not_found'; target: InstanceRef; error: SecMasterError } | { code: 'unavailable'; error: SecMasterError };

export type InstanceRead = { ok: true; instance: Instance; requestId?: string } | { ok: false; failure: ReadFailure };

/** Reads one instance; a SecMaster failure becomes a {@link ReadFailure}, and a bug stays a thrown bug. */
export async function readInstance(secmaster: Pick<SecMasterClient, 'getInstance'>, target: InstanceRef): Promise<InstanceRead> {
  try {
    const answer = await secmaster.getInstance(target);
    return { ok: true, instance: answer.data, requestId: answer.requestId };
  } catch (err) {
    const error = secMasterErrorOrRethrow(err);
    return { ok: false, failure: error.isNotFound ? { code: 'not_found', target, error } : { code: 'unavailable', error } };
  }
}
