import { parsePlaybookCommand, type PlaybookCommand } from '../../domain/command';
import { renderHelp } from '../blocks/replies';
import { renderUsage } from '../blocks/usage';
import type { ListenerDeps } from './context';
import { runCan } from './commands/can';
import { runList } from './commands/list';
import { runLog } from './commands/log';
import { runOperate } from './commands/operate';
import { runStatus } from './commands/status';
import { wrapCommand, type CommandParse } from './wrap';

type RunnableCommand = Exclude<PlaybookCommand, { kind: 'help' | 'usage' }>;

/** Help and usage errors need no network call at all: they ride on the acknowledgement. */
function parse(text: string): CommandParse<RunnableCommand> {
  const parsed = parsePlaybookCommand(text);
  if (parsed.kind === 'help') return { answer: renderHelp() };
  if (parsed.kind === 'usage') return { answer: renderUsage(parsed.problem) };
  return { run: parsed };
}

/** `/playbook …`: parsed once, then dispatched to the subcommand. */
export function commandListener(deps: ListenerDeps) {
  return wrapCommand(deps, { failure: 'the /playbook command failed', parse, logFields: (c) => ({ subcommand: c.kind }) }, async ({ command, principal, reply }) => {
    switch (command.kind) {
      case 'operate':
        return runOperate(deps, principal, command, reply);
      case 'status':
        return runStatus(deps, principal, command.instanceId, reply);
      case 'list':
        return runList(deps, principal, { status: command.status, page: command.page }, reply);
      case 'log':
        return runLog(deps, principal, { workspaceId: deps.defaultWorkspaceId, instanceId: command.instanceId }, reply);
      case 'can':
        return runCan(deps, principal, command.permission, reply);
    }
  });
}
