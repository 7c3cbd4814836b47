import { functionExecutedEvent } from '../../src/sandbox/slack/requests';
import type { FunctionCompletion } from '../../src/sandbox/slack/standIn';
import { auditLines, auditRows, operationPosts } from './approvals/helpers';
import { CHANNELS, startHarness, TEAM, USERS, waitFor, type Harness } from './harness';

/**
 * Workflow Builder steps end to end (issue 20): signed `function_executed` events in the Events API
 * envelope reach the real bot, which authorizes `requested_by` with `via: workflow`, operates through
 * the lock, status check and attempt, audits with `"via":"workflow"`, and ends every step with
 * exactly one `functions.completeSuccess` or `functions.completeError`, as the Slack stand-in saw it.
 */
jest.setTimeout(60_000);

const POLICY = `
slack_team_id: ${TEAM}
roles:
  responder:
    users: [${USERS.responder}]
  lead:
    users: [${USERS.lead}]
rules:
  - operations: [VIEW]
    roles: [responder, lead]
  - operations: [RETRY]
    roles: [responder]
    via: [workflow]
  - operations: [RETRY]
    roles: [lead]
  - operations: [TERMINATE]
    roles: [responder]
    via: [workflow]
    approval:
      approvers: [lead]
      expires_after: 30m
  - operations: [TERMINATE]
    roles: [lead]
    via: [command, button, workflow]
`;

let h: Harness;
let n = 0;

beforeAll(async () => {
  h = await startHarness({ policy: POLICY, env: { OPERATIONS_PER_USER_PER_MINUTE: '1000' } });
});
afterAll(async () => {
  await h?.stop();
});

interface Step {
  executionId: string;
  workflowExecutionId: string;
  eventId: string;
  body: Record<string, unknown>;
}

function step(callbackId: string, inputs: Record<string, unknown>): Step {
  n++;
  const executionId = `Fx0E2E${String(n).padStart(4, '0')}`;
  const workflowExecutionId = `Wx0E2E${String(n).padStart(4, '0')}`;
  return { executionId, workflowExecutionId, eventId: `Ev0STEP${n}`, body: functionExecutedEvent({ teamId: TEAM, callbackId, functionExecutionId: executionId, workflowExecutionId, inputs }) };
}

async function send(s: Step, headers?: Record<string, string>) {
  const res = await h.event(s.eventId, s.body, headers);
  expect(res.status).toBe(200);
}

const completionsOf = (executionId: string) => h.slack.completions.filter((c) => c.executionId === executionId);
const completionCalls = (executionId: string) => h.slack.calls.filter((c) => c.method.startsWith('functions.') && c.args.function_execution_id === executionId);

/** Waits for the step's one completion, and a little longer to see that no second one follows. */
async function ended(s: Step): Promise<FunctionCompletion> {
  const c = await waitFor(() => completionsOf(s.executionId)[0], 15_000, `the completion of ${s.executionId}`);
  await new Promise((r) => setTimeout(r, 300));
  expect(completionsOf(s.executionId)).toHaveLength(1);
  expect(completionCalls(s.executionId).filter((x) => !x.error)).toHaveLength(1);
  return c;
}

const auditFor = (s: Step) => auditLines(h.logs).filter((a) => a.function_execution_id === s.executionId);

test('granted: a responder’s retry step runs once and completes with the status after the call and SecMaster’s request ID', async () => {
  const id = h.addInstance('FAILED', { name: 'Brute force on ecs-prod-01' });
  const s = step('retry_playbook_instance', { instance_id: id, requested_by: USERS.responder, reason: 'workflow: approved by the SOC lead' });
  await send(s);
  const c = await ended(s);
  console.log(`successful step, as the Slack stand-in received it: ${c.method} ${JSON.stringify({ function_execution_id: c.executionId, outputs: c.outputs })}`);
  expect(c.method).toBe('functions.completeSuccess');
  const posts = operationPosts(h, id);
  expect(posts).toHaveLength(1);
  expect(posts[0]!.body).toEqual({ operation: 'RETRY' });
  expect(c.outputs).toEqual({ status: 'RETRYING', request_id: posts[0]!.requestId });
  // Audited as a workflow step, naming whom it was for and both execution IDs; no channel.
  const [line] = auditFor(s);
  expect(line).toMatchObject({ event: 'operation', operation: 'RETRY', instance_id: id, user: USERS.responder, channel: null, outcome: 'done', request_id: posts[0]!.requestId, via: 'workflow', workflow_execution_id: s.workflowExecutionId });
  expect(auditFor(s)).toHaveLength(1);
  const rows = auditRows(h, { instanceId: id });
  expect(rows.map((r) => [r.event, r.outcome, r.via, r.workflow_execution_id, r.function_execution_id])).toEqual([['operation', 'done', 'workflow', s.workflowExecutionId, s.executionId]]);
  // A step posts no card and tells nobody privately: Workflow Builder shows the outcome.
  expect(h.slack.messages.filter((m) => m.text.includes(id))).toEqual([]);
});

test('denied: a rule without via: [workflow] does not grant a step, and says so; nothing is sent', async () => {
  const id = h.addInstance('FAILED');
  const s = step('retry_playbook_instance', { instance_id: id, requested_by: USERS.lead });
  await send(s);
  const c = await ended(s);
  console.log(`denied step, as the Slack stand-in received it: ${c.method} ${JSON.stringify({ function_execution_id: c.executionId, error: c.error })}`);
  expect(c.method).toBe('functions.completeError');
  expect(c.error).toContain(`Denied: ${USERS.lead} may not retry from a workflow step`);
  expect(c.error).toContain('rules[2]');
  expect(c.error).toContain('via: [workflow]');
  expect(c.error).toContain('Nothing was sent to SecMaster');
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(auditFor(s)).toEqual([expect.objectContaining({ event: 'denied', outcome: 'via_not_allowed', user: USERS.lead, via: 'workflow', workflow_execution_id: s.workflowExecutionId })]);
});

test('and the other way round: a rule with via: [workflow] only does not grant the slash command', async () => {
  const id = h.addInstance('FAILED');
  expect((await h.command(USERS.responder, CHANNELS.incident, `retry ${id}`)).status).toBe(200);
  const reply = await waitFor(() => h.ephemeralsFor(USERS.responder).find((e) => e.includes(id) || e.includes('may not')), 5_000, 'the denial');
  expect(reply).toContain('only via workflow');
  expect(reply).toContain('not to a command');
  expect(operationPosts(h, id)).toHaveLength(0);
});

test('an approval rule refuses a step (the workflow does its own approving): no approval card, nothing sent', async () => {
  const id = h.addInstance('RUNNING');
  const s = step('terminate_playbook_instance', { instance_id: id, requested_by: USERS.responder });
  await send(s);
  const c = await ended(s);
  expect(c.method).toBe('functions.completeError');
  expect(c.error).toMatch(/needs an approval for you \(rules\[3\]\), and a workflow step cannot ask for one/);
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(h.slack.messages.filter((m) => m.text.includes(id))).toEqual([]);
  expect(auditFor(s)).toEqual([expect.objectContaining({ event: 'denied', outcome: 'approval_required', via: 'workflow' })]);
});

test('a lead’s terminate step, granted by a rule listing workflow, runs at once', async () => {
  const id = h.addInstance('RUNNING');
  const s = step('terminate_playbook_instance', { instance_id: id, requested_by: USERS.lead, workspace_id: '' });
  await send(s);
  const c = await ended(s);
  expect(c).toMatchObject({ method: 'functions.completeSuccess', outputs: { status: 'TERMINATING', request_id: operationPosts(h, id)[0]!.requestId } });
  expect(operationPosts(h, id)).toHaveLength(1);
});

test('wrong status: the step ends with the status and what the operation needs; nothing is sent', async () => {
  const id = h.addInstance('RUNNING', { name: 'Still running' });
  const s = step('retry_playbook_instance', { instance_id: id, requested_by: USERS.responder });
  await send(s);
  const c = await ended(s);
  expect(c.method).toBe('functions.completeError');
  expect(c.error).toBe(`Playbook instance ${id} (Still running) is RUNNING; retry needs FAILED or TERMINATED. Nothing was sent to SecMaster.`);
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(auditFor(s)).toEqual([expect.objectContaining({ outcome: 'invalid_status', via: 'workflow' })]);
});

test('bad inputs: named in the error, nothing read or sent', async () => {
  const s = step('retry_playbook_instance', { instance_id: 'not an id!', requested_by: 'someone' });
  const before = h.sim.calls.length;
  await send(s);
  const c = await ended(s);
  expect(c.method).toBe('functions.completeError');
  expect(c.error).toContain('instance_id: must be a playbook instance ID');
  expect(c.error).toContain('requested_by: must be a Slack user ID');
  expect(h.sim.calls.length).toBe(before);
});

test('SecMaster refuses the operation: the step ends with its code, message and request ID', async () => {
  const id = h.addInstance('FAILED');
  h.sim.faults.add({ fault: { kind: 'status', status: 400, code: 'SecMaster.20048001', message: 'the playbook version is disabled' }, when: 'before', method: 'POST', pathIncludes: id, times: 1 });
  const s = step('retry_playbook_instance', { instance_id: id, requested_by: USERS.responder });
  await send(s);
  const c = await ended(s);
  const post = operationPosts(h, id)[0]!;
  expect(c.method).toBe('functions.completeError');
  expect(c.error).toBe(`SecMaster refused the retry: HTTP 400 SecMaster.20048001: the playbook version is disabled (request ID ${post.requestId}).`);
  expect(operationPosts(h, id)).toHaveLength(1);
});

test('SecMaster down: the step still ends, once, saying nothing was sent', async () => {
  const id = h.addInstance('FAILED');
  h.sim.faults.add({ fault: { kind: 'status', status: 503, code: 'SecMaster.00000503', message: 'service busy' }, when: 'before', pathIncludes: id });
  try {
    const s = step('retry_playbook_instance', { instance_id: id, requested_by: USERS.responder });
    await send(s);
    const c = await ended(s);
    expect(c.method).toBe('functions.completeError');
    expect(c.error).toMatch(/^SecMaster could not be read \(HTTP 503 SecMaster\.00000503: service busy/);
    expect(c.error).toContain('so nothing was sent');
    expect(operationPosts(h, id)).toHaveLength(0);
  } finally {
    h.sim.faults.clear();
  }
});

test('SecMaster never answers the POST (timeout): the bot reads the instance, and the step ends once with what it finds; nothing repeated', async () => {
  const id = h.addInstance('FAILED');
  // The retry is carried out, but its answer comes after the bot's 10 s bound on a request.
  h.sim.faults.add({ fault: { kind: 'latency', ms: 15_000 }, when: 'after', method: 'POST', pathIncludes: id, times: 1 });
  const s = step('retry_playbook_instance', { instance_id: id, requested_by: USERS.responder });
  await send(s);
  const c = await waitFor(() => completionsOf(s.executionId)[0], 30_000, 'the completion after the timeout');
  expect(c.method).toBe('functions.completeSuccess');
  // The status read after the timeout: the retry took effect (this simulator moves on quickly).
  expect(['RETRYING', 'RUNNING', 'FINISHED']).toContain(c.outputs!.status);
  expect(operationPosts(h, id)).toHaveLength(1);
  expect(completionCalls(s.executionId)).toHaveLength(1);
  expect(auditFor(s)).toEqual([expect.objectContaining({ outcome: 'done_unconfirmed', via: 'workflow' })]);
});

test('the same event delivered twice (Slack’s retry), and again under another event ID: one operation, one completion', async () => {
  const id = h.addInstance('FAILED');
  const s = step('retry_playbook_instance', { instance_id: id, requested_by: USERS.responder });
  // SecMaster slow enough that the redeliveries arrive while the first is under way.
  h.sim.faults.add({ fault: { kind: 'latency', ms: 600 }, when: 'before', method: 'POST', pathIncludes: id, times: 1 });
  await Promise.all([send(s), send(s, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }), send({ ...s, eventId: `${s.eventId}b` })]);
  const c = await ended(s);
  expect(c.method).toBe('functions.completeSuccess');
  // And once more after it ended.
  await send(s, { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' });
  await new Promise((r) => setTimeout(r, 500));
  expect(operationPosts(h, id)).toHaveLength(1);
  expect(completionCalls(s.executionId)).toHaveLength(1);
  expect(auditFor(s)).toHaveLength(1);
});

test('a malformed function_executed (no execution ID) is refused with 400, as any payload Bolt cannot process: no crash, nothing sent', async () => {
  const before = h.sim.calls.length;
  const completionsBefore = h.slack.completions.length;
  const res = await h.event('Ev0BROKEN', { type: 'function_executed', function: { callback_id: 'retry_playbook_instance' }, inputs: 'x' });
  expect(res).toEqual({ status: 400, text: JSON.stringify({ ok: false, error: 'unprocessable_payload' }) });
  await new Promise((r) => setTimeout(r, 200));
  expect(h.sim.calls.length).toBe(before);
  expect(h.slack.completions).toHaveLength(completionsBefore);
  expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
});

test('a function_executed whose inputs are not an object still ends, with the inputs named', async () => {
  const s = step('retry_playbook_instance', {});
  (s.body as { inputs: unknown }).inputs = 'x';
  await send(s);
  const c = await ended(s);
  expect(c.method).toBe('functions.completeError');
  expect(c.error).toContain('instance_id: required: the playbook instance ID');
});

test('Slack refuses the completion (5xx): the stored result is sent again when the step’s lease runs out, and Slack gets it once', async () => {
  const id = h.addInstance('FAILED');
  const s = step('retry_playbook_instance', { instance_id: id, requested_by: USERS.responder });
  h.slack.fault({ method: 'functions.completeSuccess', status: 500, times: 1, match: s.executionId });
  await send(s);
  await waitFor(() => completionCalls(s.executionId).length === 1, 5_000, 'the refused completion');
  expect(completionsOf(s.executionId)).toEqual([]);
  const c = await ended({ ...s });
  expect(c).toMatchObject({ method: 'functions.completeSuccess', outputs: { status: 'RETRYING' } });
  // Two calls (the refused one and the one that ended it), one operation, one audit row.
  expect(h.slack.calls.filter((x) => x.method.startsWith('functions.') && x.args.function_execution_id === s.executionId).map((x) => x.error ?? 'ok')).toEqual(['internal_error', 'ok']);
  expect(operationPosts(h, id)).toHaveLength(1);
  expect(auditFor(s)).toHaveLength(1);
});

test('/playbook can retry explains via: for the command and for a workflow step', async () => {
  const before = h.ephemeralsFor(USERS.responder).length;
  await h.command(USERS.responder, CHANNELS.general, 'can retry');
  const responder = await waitFor(() => h.ephemeralsFor(USERS.responder)[before], 5_000, 'the responder’s answer');
  expect(responder).toContain('You may not *retry* here: RETRY is granted to you only via workflow (rules[1]), not to a command');
  expect(responder).toContain('In Workflow Builder, the workflow step `retry_playbook_instance` may *retry* for you — `rules[1]` lists `via: [workflow]`.');

  const leadBefore = h.ephemeralsFor(USERS.lead).length;
  await h.command(USERS.lead, CHANNELS.general, 'can retry');
  const lead = await waitFor(() => h.ephemeralsFor(USERS.lead)[leadBefore], 5_000, 'the lead’s answer');
  expect(lead).toContain('You may *retry* in this channel, at once — `rules[2]`');
  expect(lead).toContain('It grants commands and buttons (it names no `via:`).');
  expect(lead).toContain('In Workflow Builder, the workflow step `retry_playbook_instance` may not *retry* for you: RETRY is granted to you only via command, button (rules[2]), not to a workflow step');
});
