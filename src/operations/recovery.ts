import { instanceRef, OPERATIONS, type Attempt, type Instance } from '../core';
import type { OperationOutcome } from '../domain/outcome';
import type { Logger } from '../log';
import type { SecMasterClient } from '../secmaster/client';
import { secMasterErrorOrRethrow, SecMasterError } from '../secmaster/errors';
import type { Store } from '../store/types';
import type { AttemptLedger } from './attempts';

/**
 * Resolves the attempts a stopped process left open: at start-up and then every few seconds, any
 * open attempt whose lease ran out (its process died, or was killed mid-call) is taken over, the
 * instance is read, the outcome (took effect / did not / unknown) is audited, the requester is told
 * and the card resumed. Each attempt is resolved once across replicas; its POST is never repeated.
 */

/** The Slack side: shows what became of an operation whose process stopped during the call. */
export interface RecoverySink {
  recovered(attempt: Attempt, outcome: OperationOutcome): Promise<void>;
}

export interface AttemptRecovery {
  start(): void;
  stop(): Promise<void>;
  /** One pass (tests, start-up): resolves what is due; returns how many were resolved. */
  runOnce(): Promise<number>;
}

/** While the instance cannot be read, keep trying this long before saying the outcome is unknown. */
const KEEP_TRYING_MS = 5 * 60_000;
/** A claim lasts longer than one bounded read (20 s), so no other replica takes it meanwhile. */
const CLAIM_MS = 30_000;

export function createAttemptRecovery(deps: {
  store: Pick<Store, 'claimOrphanedAttempts' | 'releaseLock'>;
  secmaster: Pick<SecMasterClient, 'getInstance'>;
  ledger: Pick<AttemptLedger, 'settle'>;
  sink: RecoverySink;
  owner: string;
  logger: Logger;
  intervalMs?: number;
  now?: () => number;
}): AttemptRecovery {
  const now = deps.now ?? Date.now;
  const intervalMs = deps.intervalMs ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let started = false;

  async function resolve(a: Attempt): Promise<boolean> {
    const target = instanceRef(a);
    let after: Instance | undefined;
    let readError: SecMasterError | undefined;
    try {
      after = (await deps.secmaster.getInstance(target)).data;
    } catch (err) {
      readError = secMasterErrorOrRethrow(err);
    }
    // SecMaster may be down as well: its claim lapses and a later pass tries again, for a while.
    if (!after && !readError?.isNotFound && now() - a.createdAt < KEEP_TRYING_MS) return false;
    const lost = new SecMasterError({
      kind: 'network',
      call: 'POST operation',
      message: after ? 'the bot stopped while the call was under way, so its answer was lost' : `the bot stopped while the call was under way, and the instance could not be read (${readError?.message ?? 'no answer'})`,
      requestId: readError?.requestId,
    });
    const outcome: OperationOutcome = !after
      ? { code: 'outcome_unknown', operation: a.operation, error: lost }
      : OPERATIONS[a.operation].tookEffect({ start_time: a.before.startTime }, after)
        ? { code: 'done_unconfirmed', operation: a.operation, instance: after, error: lost }
        : { code: 'not_applied', operation: a.operation, instance: after, error: lost };
    if (!(await deps.ledger.settle(a, outcome, `resolved after the bot stopped during the call (attempt ${a.id})`))) return false;
    await deps.store.releaseLock(target, a.lockToken).catch(() => undefined);
    await deps.sink.recovered(a, outcome).catch((err) => deps.logger.error('could not show a resolved attempt', { err, attempt: a.id }));
    deps.logger.info('resolved an interrupted operation', { attempt: a.id, instance: a.instanceId, operation: a.operation, outcome: outcome.code });
    return true;
  }

  async function pass(): Promise<number> {
    const due = await deps.store.claimOrphanedAttempts(deps.owner, now(), CLAIM_MS, 20);
    let resolved = 0;
    for (const a of due) {
      try {
        if (await resolve(a)) resolved++;
      } catch (err) {
        deps.logger.error('could not resolve an interrupted operation', { err, attempt: a.id });
      }
    }
    return resolved;
  }

  function runOnce(): Promise<number> {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule() {
    if (!started) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((err) => deps.logger.error('attempt recovery failed; retrying', { err }))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      if (started) return;
      started = true;
      runOnce()
        .catch((err) => deps.logger.error('attempt recovery failed; retrying', { err }))
        .finally(schedule);
    },
    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
