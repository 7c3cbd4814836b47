import type { Logger } from '../log';
import type { WorkflowStepService } from './stepService';

/**
 * Ends the Workflow Builder steps a stopped process left unfinished: at start-up and then every few
 * seconds (a step's lease is 10 s; one whose operation call was cut off waits for the attempt
 * recovery to settle it first, then ends with what that found).
 */
export interface StepResumeLoop {
  start(): void;
  stop(): Promise<void>;
}

export function createStepResumeLoop(deps: { steps: Pick<WorkflowStepService, 'resumeStale'>; logger: Logger; intervalMs?: number }): StepResumeLoop {
  const intervalMs = deps.intervalMs ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let started = false;

  function pass() {
    running = deps.steps
      .resumeStale()
      .catch((err) => deps.logger.error('resuming workflow steps failed; retrying', { err }))
      .finally(() => {
        running = undefined;
        if (!started) return;
        timer = setTimeout(pass, intervalMs);
        timer.unref();
      });
  }

  return {
    start() {
      if (started) return;
      started = true;
      pass();
    },
    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
