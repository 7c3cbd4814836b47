import { decodeButtonValue } from '../blocks/buttonValue';
import { runLog } from './commands/log';
import type { ListenerDeps } from './context';
import { wrapClick } from './wrap';

/** "Why did it fail?" on FAILED cards: the action log, shown privately to whoever clicked (VIEW). */
export function explainButtonListener(deps: ListenerDeps) {
  const refused = { kind: 'not_instance_button', json: false } as const;
  return wrapClick(
    deps,
    { failure: 'a "why did it fail" click failed', value: (raw) => decodeButtonValue(raw, deps.defaultWorkspaceId), noClick: refused, channel: refused, badValue: refused },
    ({ principal, value, reply }) => runLog(deps, principal, value, reply),
  );
}
