import path from 'node:path';
import type { Simulator } from '../../src/sandbox/simulator';
import { eventBody, functionExecutedEvent, sendSigned } from '../../src/sandbox/slack/requests';
import type { SlackStandIn } from '../../src/sandbox/slack/standIn';
import { auditRowsIn } from './approvals/helpers';
import { botEnv, SECRETS, TEAM, USERS, waitFor, WS } from './harness';
import { startProcessPeers, type ProcessPeers } from './processPeers';
import { spawnBot, type BotProcess } from './processes';

/**
 * A Workflow Builder step whose process is killed (-9) in the middle of its operation call still
 * ends, once (issue 20, point 2): the next process resolves the operation's attempt (reads the
 * instance: the retry took effect), then ends the step with `functions.completeSuccess`; the POST is
 * never repeated and Slack receives one completion.
 */
jest.setTimeout(90_000);

const POLICY = `
slack_team_id: ${TEAM}
roles:
  responder:
    users: [${USERS.responder}]
rules:
  - operations: [VIEW, RETRY]
    roles: [responder]
    via: [workflow]
`;

let sim: Simulator;
let slack: SlackStandIn;
let dir: string;
let peers: ProcessPeers | undefined;
const procs: BotProcess[] = [];

beforeAll(async () => {
  peers = await startProcessPeers({ tmpPrefix: 'playbook-step-restart-', policy: POLICY });
  ({ sim, slack, dir } = peers);
});

afterAll(async () => {
  await peers?.close(procs);
});

function start(dbFile: string): BotProcess {
  const p = spawnBot(botEnv({ slackApiUrl: slack.apiUrl, simulatorUrl: sim.url, policyFile: path.join(dir, 'policy.yml'), databaseUrl: `sqlite:${dbFile}` }));
  procs.push(p);
  return p;
}

const operationPosts = (id: string) => sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${id}/operation`));

test('kill -9 during the step’s POST: the restarted bot ends the step once, with the status it finds; one POST in all', async () => {
  const dbFile = path.join(dir, 'killed.sqlite');
  const id = sim.state.add(WS, { status: 'FAILED', name: 'Killed mid-step' }).id;
  // SecMaster carries the retry out at once but holds its answer back for a minute.
  sim.faults.add({ fault: { kind: 'latency', ms: 60_000 }, when: 'after', method: 'POST', pathIncludes: id, times: 1 });
  const executionId = 'Fx0RESTART1';
  const workflowExecutionId = 'Wx0RESTART1';
  const event = functionExecutedEvent({ teamId: TEAM, callbackId: 'retry_playbook_instance', functionExecutionId: executionId, workflowExecutionId, inputs: { instance_id: id, requested_by: USERS.responder } });

  const first = start(dbFile);
  const res = await sendSigned(`http://127.0.0.1:${await first.port()}/slack/events`, SECRETS.signing, eventBody({ teamId: TEAM, eventId: 'Ev0RESTART1', event }), { contentType: 'application/json' });
  expect(res.status).toBe(200);
  await waitFor(() => sim.state.get(WS, id)!.status === 'RETRYING', 10_000, 'SecMaster to carry the retry out');
  first.child.kill('SIGKILL');
  const killedAt = Date.now();
  await first.exited;
  expect(slack.completions).toEqual([]);
  expect(auditRowsIn(dbFile, { instanceId: id })).toEqual([]);

  const second = start(dbFile);
  await second.port();
  const completion = await waitFor(() => slack.completions.find((c) => c.executionId === executionId), 40_000, 'the step to end');
  console.log(`kill -9 during a step's POST → the step ended by the restarted process ${((Date.now() - killedAt) / 1000).toFixed(2)} s after the kill: ${completion.method} ${JSON.stringify(completion.outputs ?? completion.error)}`);
  expect(completion).toMatchObject({ method: 'functions.completeSuccess', outputs: { status: 'RETRYING' } });
  // The audit row the attempt recovery wrote names the step and how it came.
  const rows = auditRowsIn(dbFile, { instanceId: id });
  expect(rows.map((r) => [r.event, r.outcome, r.user_id, r.via, r.workflow_execution_id, r.function_execution_id])).toEqual([
    ['operation', 'done_unconfirmed', USERS.responder, 'workflow', workflowExecutionId, executionId],
  ]);
  // Slack redelivers the event to the new process: nothing more happens.
  const again = await sendSigned(`http://127.0.0.1:${await second.port()}/slack/events`, SECRETS.signing, eventBody({ teamId: TEAM, eventId: 'Ev0RESTART1', event }), {
    contentType: 'application/json',
    headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
  });
  expect(again.status).toBe(200);
  await new Promise((r) => setTimeout(r, 2_500));
  expect(slack.calls.filter((c) => c.method.startsWith('functions.') && c.args.function_execution_id === executionId)).toHaveLength(1);
  expect(operationPosts(id)).toHaveLength(1);
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
});
