import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { publishHome } from '../home/publishHome';
import { homeOpenedEvent } from '../payloads';
import type { ListenerDeps } from './context';

/**
 * `app_home_opened`: publish the viewer's Home tab. Events API redeliveries (`X-Slack-Retry-Num`,
 * same `event_id`) are recognised through the store and not processed twice, on any replica.
 */
export function homeOpenedListener(deps: ListenerDeps) {
  return async ({ event, body, context }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    try {
      const parsed = homeOpenedEvent.safeParse(event);
      if (!parsed.success) {
        // Signed, but no viewer that parses as a Slack user ID: there is nobody to publish a Home for.
        deps.logger.warn('dropped an app_home_opened event without a valid user');
        return;
      }
      if (parsed.data.tab !== 'home') return;
      const eventId = (body as { event_id?: string }).event_id;
      if (eventId && !(await deps.store.markSeen(`event:${eventId}`, deps.now()))) {
        deps.logger.info('ignored a redelivered event', { eventId, retryNum: context.retryNum, retryReason: context.retryReason });
        return;
      }
      const teamId = (body as { team_id?: string }).team_id ?? context.teamId ?? '';
      await publishHome({ ...deps, approvals: deps.approvalService }, { teamId, userId: parsed.data.user });
    } catch (err) {
      deps.logger.error('could not handle app_home_opened', { err });
    }
  };
}
