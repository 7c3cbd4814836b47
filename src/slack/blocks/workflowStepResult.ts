import { OPERATIONS } from '../../core';
import type { WorkflowStepResult } from '../../core';
import type { SecMasterError } from '../../secmaster/errors';
import type { StepOutcome } from '../../domain/stepOutcome';
import { truncate } from '../mrkdwn';
import { statusesInWords } from './replies';

/**
 * How a Workflow Builder step ends, as Slack receives it: `functions.completeSuccess` outputs
 * (`status`, `request_id`), or the `functions.completeError` text that Workflow Builder shows the
 * workflow's people. Plain text, not mrkdwn; every sentence says what happened, whether anything was
 * sent to SecMaster, and what to do.
 */

/** Slack's limit is not documented for `error`; this keeps a message readable in the activity log. */
const MAX_ERROR = 1500;

function plainSecMasterError(err: SecMasterError): string {
  const head = [err.status !== undefined ? `HTTP ${err.status}` : undefined, err.code].filter(Boolean).join(' ');
  const rid = err.requestId ? ` (request ID ${err.requestId})` : '';
  return `${head ? `${head}: ` : ''}${truncate(err.message, 500)}${rid}`;
}

const error = (text: string): WorkflowStepResult => ({ kind: 'error', error: truncate(text, MAX_ERROR) });
const success = (status: string, requestId: string | undefined): WorkflowStepResult => ({ kind: 'success', outputs: { status, request_id: requestId ?? '' } });

export function renderStepResult(o: StepOutcome): WorkflowStepResult {
  switch (o.kind) {
    case 'invalid_inputs':
      return error(`The step's inputs are not valid (${o.problems.join('; ')}). Nothing was sent to SecMaster. Fix the step's inputs in Workflow Builder.`);
    case 'unknown_step':
      return error(`This app has no step "${truncate(o.callbackId, 80)}": update the workflow to use retry_playbook_instance or terminate_playbook_instance. Nothing was sent to SecMaster.`);
    case 'internal':
      return error('Something went wrong in the bot before anything was sent to SecMaster; the error is logged for its operators. Run the workflow again, or ask them.');
    case 'recorded': {
      const verb = OPERATIONS[o.operation].verb;
      if (o.audit.outcome === 'done' || o.audit.outcome === 'done_unconfirmed') return success(o.status ?? OPERATIONS[o.operation].inProgress, o.audit.request_id);
      const what = o.audit.outcome === 'not_applied' ? 'it did not take effect' : o.audit.outcome === 'failed' ? 'SecMaster refused it' : 'whether it took effect could not be confirmed';
      return error(
        `The bot restarted while the ${verb} was under way, and ${what}${o.audit.detail ? ` (${truncate(o.audit.detail, 400)})` : ''}.${o.status ? ` The instance is ${o.status}.` : ''} It was not repeated: check the instance before running the workflow again.`,
      );
    }
    case 'operation':
      return renderOperation(o);
  }
}

function renderOperation({ operation, requestedBy, outcome }: Extract<StepOutcome, { kind: 'operation' }>): WorkflowStepResult {
  const verb = OPERATIONS[operation].verb;
  switch (outcome.code) {
    case 'done':
      return success(outcome.instance.status, outcome.requestId);
    case 'done_unconfirmed':
      return success(outcome.instance.status, outcome.requestId ?? outcome.error.requestId);
    case 'denied':
      return error(`Denied: ${requestedBy} may not ${verb} from a workflow step: ${outcome.decision.detail}. Nothing was sent to SecMaster. Ask whoever keeps the bot's policy file, or run /playbook can ${verb} to see what ${requestedBy} may do.`);
    case 'invalid_status': {
      const rule = OPERATIONS[operation];
      const name = outcome.instance.name ? ` (${truncate(outcome.instance.name, 200)})` : '';
      if ((rule.alreadyUnderWay as readonly string[]).includes(outcome.instance.status)) {
        return error(`Playbook instance ${outcome.instance.id}${name} is already ${outcome.instance.status}: a ${verb} is under way or done. Nothing more was sent.`);
      }
      return error(`Playbook instance ${outcome.instance.id}${name} is ${outcome.instance.status}; ${verb} needs ${statusesInWords(rule.allowedFrom)}. Nothing was sent to SecMaster.`);
    }
    case 'not_found':
      return error(`No playbook instance ${outcome.target.instanceId} in SecMaster workspace ${outcome.target.workspaceId} (${plainSecMasterError(outcome.error)}). Check the step's instance_id and workspace_id.`);
    case 'unavailable':
      return error(`SecMaster could not be read (${plainSecMasterError(outcome.error)}), so nothing was sent. Run the workflow again once SecMaster answers.`);
    case 'failed':
      return error(`SecMaster refused the ${verb}: ${plainSecMasterError(outcome.error)}.`);
    case 'not_applied':
      return error(`SecMaster gave no clear answer to the ${verb} (${plainSecMasterError(outcome.error)}), and the instance is still ${outcome.instance.status}: it did not take effect. It was not repeated; run the workflow again if it is still wanted.`);
    case 'outcome_unknown':
      return error(`SecMaster gave no clear answer to the ${verb} (${plainSecMasterError(outcome.error)}), and the instance could not be read to check. It was not repeated: check the instance before running the workflow again.`);
    case 'in_progress':
      return error(`Another ${truncate(outcome.holder.operation, 20).toLowerCase()} of this instance, asked by ${outcome.holder.userId}, is under way. Nothing more was sent.`);
    case 'rate_limited':
      return error(`${requestedBy} has asked for ${outcome.limit} operations in the last minute, the most allowed. Nothing was sent; run the workflow again in ${outcome.retryInS} s.`);
    case 'not_sent':
      return error(
        outcome.reason === 'shutting_down'
          ? `The bot was restarting, so the ${verb} was not sent. Run the workflow again in a minute.`
          : `SecMaster was so slow that this step lost its turn on the instance, so the ${verb} was not sent. Check the instance before running the workflow again.`,
      );
    case 'approval_requested':
    case 'approval_pending':
      // The policy never asks a workflow step for approval; said plainly should it ever happen.
      return error(`The ${verb} needs an approval, which a workflow step cannot ask for. Nothing was sent to SecMaster.`);
  }
}
