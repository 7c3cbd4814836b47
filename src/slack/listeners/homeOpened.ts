import { publishHome } from '../home/publishHome';
import { homeOpenedEvent } from '../payloads';
import type { ListenerDeps } from './context';
import { wrapEvent } from './wrap';

/**
 * `app_home_opened`: publish the viewer's Home tab. Events API redeliveries (`X-Slack-Retry-Num`,
 * same `event_id`) are recognised through the store and not processed twice, on any replica.
 */
export function homeOpenedListener(deps: ListenerDeps) {
  return wrapEvent<'app_home_opened', typeof homeOpenedEvent>(
    deps,
    // Signed, but no viewer that parses as a Slack user ID: there is nobody to publish a Home for.
    { failure: 'could not handle app_home_opened', schema: homeOpenedEvent, dropped: 'dropped an app_home_opened event without a valid user' },
    async (event, { body, context }) => {
      if (event.tab !== 'home') return;
      const eventId = (body as { event_id?: string }).event_id;
      if (eventId && !(await deps.store.markSeen(`event:${eventId}`, deps.now()))) {
        deps.logger.info('ignored a redelivered event', { eventId, retryNum: context.retryNum, retryReason: context.retryReason });
        return;
      }
      const teamId = (body as { team_id?: string }).team_id ?? context.teamId ?? '';
      await publishHome(deps, { teamId, userId: event.user });
    },
  );
}
