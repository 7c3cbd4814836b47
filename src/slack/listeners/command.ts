import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parsePlaybookCommand } from '../../domain/command';
import { renderHelp, renderInternalError } from '../blocks/replies';
import { renderUsage } from '../blocks/usage';
import { commandPayload, commandPrincipal } from '../payloads';
import { replyVia } from '../present/reply';
import type { ListenerDeps } from './context';
import { runCan } from './commands/can';
import { runList } from './commands/list';
import { runLog } from './commands/log';
import { runOperate } from './commands/operate';
import { runStatus } from './commands/status';

/**
 * `/playbook …`: acknowledged at once (help and usage errors ride on the acknowledgement itself, so
 * they need no network call at all), then parsed once and dispatched.
 */
export function commandListener(deps: ListenerDeps) {
  return async ({ command, ack, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const payload = commandPayload.safeParse(command);
    if (!payload.success) {
      await ack({ response_type: 'ephemeral', ...renderUsage({ kind: 'command_payload' }) });
      return;
    }
    const parsed = parsePlaybookCommand(payload.data.text);
    if (parsed.kind === 'help') return ack({ response_type: 'ephemeral', ...toAck(renderHelp()) });
    if (parsed.kind === 'usage') return ack({ response_type: 'ephemeral', ...toAck(renderUsage(parsed.problem)) });
    await ack();

    const reply = replyVia(respond, deps.logger);
    const principal = commandPrincipal(payload.data);
    try {
      switch (parsed.kind) {
        case 'operate':
          return await runOperate(deps, principal, parsed, reply);
        case 'status':
          return await runStatus(deps, principal, parsed.instanceId, reply);
        case 'list':
          return await runList(deps, principal, { status: parsed.status, page: parsed.page }, reply);
        case 'log':
          return await runLog(deps, principal, parsed.instanceId, reply);
        case 'can':
          return await runCan(deps, principal, parsed.permission, reply);
      }
    } catch (err) {
      deps.logger.error('the /playbook command failed', { err, subcommand: parsed.kind });
      await reply(renderInternalError());
    }
  };
}

function toAck(msg: { text: string; blocks: unknown[] }) {
  return { text: msg.text, blocks: msg.blocks as never };
}
