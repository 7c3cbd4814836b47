import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startSandbox, type Sandbox } from '../../src/sandboxBot';

/**
 * The sandbox page's "run as workflow step" (issue 20, point 4): the route sends the signed
 * `function_executed` Slack would send, through the bot's own `POST /slack/events`, and answers with
 * what the Slack stand-in received to end the step, as the page shows it. The demo policy lets a
 * lead's steps act and denies a responder's.
 */
let sandbox: Sandbox;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-step-'));
  sandbox = await startSandbox({ port: 0, logLevel: 'warn', dataDir, logStream: new Writable({ write: (_c, _e, done) => done() }) });
});

afterAll(async () => {
  await sandbox?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function runStep(body: Record<string, unknown>) {
  const url = `http://localhost:${sandbox.bot.port}`;
  const res = await fetch(`${url}/sandbox/api/workflow-step`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const failedInstance = () => sandbox.simulator.state.list('sandbox-workspace').find((i) => i.status === 'FAILED')!;
const operationPosts = (id: string) => sandbox.simulator.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${id}/operation`));

test('a lead’s retry step: the page is shown what Slack receives (completeSuccess with status and request_id); again with the same ID, nothing more', async () => {
  const target = failedInstance();
  const res = await runStep({ user: 'U0LEAD', step: 'retry_playbook_instance', instanceId: target.id, executionId: 'FxSANDBOX1', reason: 'approved in the workflow' });
  expect(res.status).toBe(200);
  const post = operationPosts(target.id);
  expect(post).toHaveLength(1);
  expect(res.json).toMatchObject({ ok: true, executionId: 'FxSANDBOX1', redelivery: false, completionCalls: 1, completion: { method: 'functions.completeSuccess', outputs: { status: 'RETRYING', request_id: post[0]!.requestId } } });
  expect(sandbox.slack.completions.filter((c) => c.executionId === 'FxSANDBOX1')).toHaveLength(1);

  const again = await runStep({ user: 'U0LEAD', step: 'retry_playbook_instance', instanceId: target.id, executionId: 'FxSANDBOX1' });
  await new Promise((r) => setTimeout(r, 300));
  expect(again.json).toMatchObject({ ok: true, redelivery: true, completionCalls: 1, completion: { method: 'functions.completeSuccess' } });
  expect(operationPosts(target.id)).toHaveLength(1);
});

test('a responder’s step is denied by the demo policy, and the page shows the error text', async () => {
  const target = failedInstance();
  const res = await runStep({ user: 'U0RESPONDER', step: 'retry_playbook_instance', instanceId: target.id, executionId: 'FxSANDBOX2' });
  expect(res.json).toMatchObject({ ok: true, completion: { method: 'functions.completeError' } });
  expect((res.json.completion as { error: string }).error).toMatch(/^Denied: U0RESPONDER may not retry from a workflow step: RETRY is granted to you only via command, button \(rules\[1\]\)/);
  expect(operationPosts(target.id)).toHaveLength(0);
});

test('a bad execution ID is refused by the route itself, naming the field', async () => {
  const res = await runStep({ user: 'U0LEAD', step: 'retry_playbook_instance', instanceId: 'x', executionId: 'no spaces please' });
  expect(res).toEqual({ status: 400, json: { ok: false, error: 'executionId: letters, digits, - and _ (at most 40)' } });
});
