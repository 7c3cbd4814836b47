import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { createLineCollector, createLogger } from '../../../src/log';
import { createInstanceQueries } from '../../../src/operations/queries';
import type { OperationsService } from '../../../src/operations/service';
import type { SecMasterClient } from '../../../src/secmaster/client';
import { SecMasterError } from '../../../src/secmaster/errors';
import { commandListener } from '../../../src/slack/listeners/command';
import type { ListenerDeps } from '../../../src/slack/listeners/context';

/**
 * What a person sees when the bot has a bug (issue 16, point 8): the internal-error reply, and the
 * operators a logged error. Before, a bug under `/playbook status|list|log` was turned into a
 * SecMaster "invalid_response" and shown as "SecMaster could not be read: an internal error…",
 * with nothing logged. A real SecMaster failure is still shown as SecMaster's, with its code.
 */
type Respond = SlackCommandMiddlewareArgs['respond'];

async function run(text: string, secmaster: Partial<SecMasterClient>) {
  const collector = createLineCollector();
  const logger = createLogger({ level: 'info', secrets: [], stream: collector.stream });
  const ops = { authorize: async () => ({ effect: 'allow' }) } as unknown as OperationsService;
  const queries = createInstanceQueries({ authorize: ops.authorize, audit: { record: async () => undefined }, secmaster: secmaster as SecMasterClient, logger, defaultWorkspaceId: 'ws-1' });
  const deps = { ops, queries, logger, defaultWorkspaceId: 'ws-1' } as unknown as ListenerDeps;
  const replies: Array<{ text?: string }> = [];
  const respond = (async (msg: { text?: string }) => void replies.push(msg)) as unknown as Respond;
  const command = { team_id: 'T0TEAM', user_id: 'U0ONE', channel_id: 'C0INCIDENT', text, response_url: 'https://hooks.slack.test/r' };
  await commandListener(deps)({ command, ack: async () => undefined, respond } as unknown as SlackCommandMiddlewareArgs & AllMiddlewareArgs);
  await new Promise((r) => setImmediate(r));
  const errors = collector.lines.map((l) => JSON.parse(l) as { level: string; message: string; err?: { message?: string } }).filter((l) => l.level === 'error');
  return { replies, errors };
}

const bug = () => new TypeError("Cannot read properties of undefined (reading 'status')");
const throwing = (err: Error) => async () => {
  throw err;
};

describe('a bug under a SecMaster read', () => {
  it.each([
    ['status', 'status 0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9', { getInstance: throwing(bug()) }],
    ['list', 'list', { listInstances: throwing(bug()) }],
    ['log', 'log 0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9', { getInstance: throwing(bug()), listAuditLogs: throwing(bug()), getTopology: throwing(bug()) }],
  ])('/playbook %s: the internal-error reply, and the bug logged as an error', async (_sub, text, secmaster) => {
    const { replies, errors } = await run(text, secmaster);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toBe('Something went wrong');
    expect(JSON.stringify(replies)).not.toMatch(/SecMaster could not|internal error stopped/);
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toContain("Cannot read properties of undefined (reading 'status')");
  });

  it('a real SecMaster failure is shown as SecMaster\'s, with its code, and is no internal error', async () => {
    const refusal = new SecMasterError({ kind: 'http', call: 'GET /x', status: 403, code: 'SecMaster.20010001', message: 'The workspace is not accessible', requestId: 'rid-403' });
    const { replies, errors } = await run('status 0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9', { getInstance: throwing(refusal) });
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain('SecMaster.20010001');
    expect(replies[0]!.text).not.toBe('Something went wrong');
    expect(errors).toEqual([]);
  });
});
