import { z } from 'zod';
import { INSTANCE_STATUSES } from '../../core';
import { parseJsonOrUndefined } from '../../util/json';
import { runList } from './commands/list';
import type { ListenerDeps } from './context';
import { wrapClick } from './wrap';

const pageValue = z.strictObject({
  status: z.enum(INSTANCE_STATUSES).nullable(),
  page: z.number().int().min(1).max(999),
});

/** Paging of `/playbook list`: the same VIEW check, then the page replaces the one shown. */
export function listPageListener(deps: ListenerDeps) {
  const refused = { kind: 'foreign_button', button: 'page' } as const;
  return wrapClick(
    deps,
    { failure: 'a list page click failed', value: (raw) => pageValue.safeParse(parseJsonOrUndefined(raw ?? '')).data, noClick: refused, channel: refused, badValue: refused },
    ({ principal, value, reply }) => runList(deps, principal, { status: value.status ?? undefined, page: value.page }, reply, true),
  );
}
