import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { ListenerDeps } from './context';

/**
 * `function_executed` for one of the app's Workflow Builder steps (spec section 10): the Events API
 * envelope's fields checked, then the step handed to the workflow step service, which authorizes,
 * operates and completes it once. Bolt has acknowledged the event already; a redelivery (Slack
 * retries an event it saw no answer to) is recognised by the step's execution ID.
 */
const slackId = z.string().regex(/^[A-Z0-9]{2,40}$/);
const executionId = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/);

const functionExecutedEnvelope = z.object({
  team_id: slackId,
  enterprise_id: z.string().regex(/^E[A-Z0-9]{2,40}$/).optional().catch(undefined),
  event: z.object({
    type: z.literal('function_executed'),
    function_execution_id: executionId,
    workflow_execution_id: executionId.optional().catch(undefined),
    function: z.object({ callback_id: z.string().min(1).max(100) }),
    // Checked input by input by the service, which answers a bad one with a step error.
    inputs: z.record(z.string(), z.unknown()).nullish().catch(undefined),
  }),
});

export function workflowStepListener(deps: Pick<ListenerDeps, 'workflowSteps' | 'logger'>) {
  return async ({ body }: SlackEventMiddlewareArgs<'function_executed'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = functionExecutedEnvelope.safeParse(body);
    if (!parsed.success) {
      // Without an execution ID there is nothing Slack would let us complete.
      deps.logger.warn('dropped a function_executed event that does not parse', { problems: parsed.error.issues.map((i) => i.path.join('.')) });
      return;
    }
    const { team_id: teamId, enterprise_id: enterpriseId, event } = parsed.data;
    try {
      await deps.workflowSteps.run({
        executionId: event.function_execution_id,
        ...(event.workflow_execution_id ? { workflowExecutionId: event.workflow_execution_id } : {}),
        callbackId: event.function.callback_id,
        teamId,
        ...(enterpriseId ? { enterpriseId } : {}),
        inputs: event.inputs ?? {},
      });
    } catch (err) {
      // The step stays claimed; when its lease runs out the resume loop ends it.
      deps.logger.error('could not handle a workflow step', { err, execution: event.function_execution_id });
    }
  };
}
