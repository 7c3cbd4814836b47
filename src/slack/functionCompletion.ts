import type { WebClient } from '@slack/web-api';
import type { WorkflowStepResult } from '../core';
import type { StepCompleter } from '../workflows/stepService';

/**
 * Ends a Workflow Builder step in Slack: `functions.completeSuccess` with the outputs, or
 * `functions.completeError` with the text (https://docs.slack.dev/reference/methods/functions.completeSuccess).
 * Called with the bot token, which these methods accept without a scope, so a step can also be ended
 * by a later process, after the event's short-lived `bot_access_token` is gone. Slack's answers that
 * the execution is over or unknown are final (a step already ended stays ended); anything else
 * (rate limit, 5xx, network) leaves the step to be completed again.
 */
const FINAL_ERRORS = new Set(['execution_not_in_running_state', 'function_execution_not_found', 'parameter_validation_failed', 'invalid_arguments']);

interface WebApiError {
  code?: string;
  data?: { error?: string };
  statusCode?: number;
}

export function createFunctionCompleter(deps: { client: WebClient; observe?: (method: string, outcome: 'ok' | 'error', error?: string) => void }): StepCompleter {
  return {
    async complete(executionId, result: WorkflowStepResult) {
      const method = result.kind === 'success' ? 'functions.completeSuccess' : 'functions.completeError';
      try {
        if (result.kind === 'success') await deps.client.functions.completeSuccess({ function_execution_id: executionId, outputs: result.outputs });
        else await deps.client.functions.completeError({ function_execution_id: executionId, error: result.error });
        deps.observe?.(method, 'ok');
        return { ok: true };
      } catch (err) {
        const e = err as WebApiError;
        const error = e.data?.error ?? (e.code === 'slack_webapi_http_error' ? `http_${e.statusCode}` : e.code === 'slack_webapi_rate_limited_error' ? 'ratelimited' : 'request_failed');
        deps.observe?.(method, 'error', error);
        return { ok: false, error, final: FINAL_ERRORS.has(error) };
      }
    },
  };
}
