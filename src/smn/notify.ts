import type { AlertPublisher } from '../alerts/publish';
import type { Logger } from '../log';
import { instanceAlertTitle, smnSourceNote, unreadableInstanceNote, unusableFieldsNote } from '../slack/blocks/alertNotes';
import type { Store } from '../store/types';
import { alertFromNotification } from './alertFromMessage';
import type { SmnNotification } from './message';
import type { SmnAnswer } from './receiver';

/**
 * A verified, claimed notification becomes the alert card `/alerts` would post, in the topic's
 * channel (or the one its JSON names). When the instance it names cannot be read (unknown to
 * SecMaster, or SecMaster unavailable) the alert still reaches people, as a plain card that says
 * why it has no buttons. Only a card Slack refused releases the claim (502: SMN delivers again).
 */
export async function handleNotification(
  deps: { alerts: AlertPublisher; store: Pick<Store, 'finishSmnMessage' | 'releaseSmnMessage'>; logger: Logger; now: () => number },
  m: SmnNotification,
  topicChannel: string,
  token: string,
): Promise<SmnAnswer> {
  const alert = alertFromNotification(m.message, m.subject);
  const channel = alert.channel ?? topicChannel;
  const from = smnSourceNote(m.topic_urn);
  const log = { message_id: m.message_id, topic_urn: m.topic_urn, channel };

  // `ts` is missing when the card is stored but not yet in Slack (its post failed on the wire): it is
  // looked for and posted by the outbox, so SMN must not deliver it again (that would be a second card).
  let posted: { ok: true; ts?: string } | { ok: false; error: string };
  let instanceId: string | undefined;
  let card: 'instance' | 'plain' = 'plain';
  if (alert.kind === 'instance') {
    const res = await deps.alerts.instanceAlert({ channel, instanceId: alert.instanceId, workspaceId: alert.workspaceId, title: alert.title, severity: alert.severity });
    instanceId = alert.instanceId;
    if (res.ok || res.stage === 'slack') {
      card = 'instance';
      posted = !res.ok ? { ok: false, error: res.error } : 'queued' in res ? { ok: true } : { ok: true, ts: res.ts };
    } else {
      const e = res.error;
      deps.logger.warn('SMN alert names an instance that could not be read: posting it without buttons', { ...log, instance_id: alert.instanceId, code: e.code, request_id: e.requestId });
      const plain = await deps.alerts.plainAlert({
        channel,
        title: alert.title ?? instanceAlertTitle(alert.instanceId),
        severity: alert.severity,
        note: unreadableInstanceNote({ workspaceId: res.workspaceId, instanceId: alert.instanceId }, e, from),
      });
      posted = plain.ok ? { ok: true, ts: plain.value.ts } : plain;
    }
  } else {
    const plain = await deps.alerts.plainAlert({
      channel,
      title: alert.title,
      severity: alert.severity,
      text: alert.text,
      note: alert.problem ? unusableFieldsNote(alert.problem, from) : from,
    });
    posted = plain.ok ? { ok: true, ts: plain.value.ts } : plain;
  }

  if (!posted.ok) {
    await deps.store.releaseSmnMessage(m.message_id, token);
    deps.logger.error('SMN alert could not be posted; SMN will deliver it again', { ...log, error: posted.error });
    return { status: 502, body: { ok: false, error: posted.error } };
  }
  const finished = await deps.store.finishSmnMessage(m.message_id, token, deps.now(), posted.ts ? `posted ${channel}/${posted.ts}` : `queued ${channel}`);
  if (!finished) deps.logger.warn('SMN message claim was lost while its card was posted', log);
  if (!posted.ts) {
    deps.logger.info('SMN alert card queued for Slack', { ...log, instance_id: instanceId ?? null, card });
    return { status: 200, body: { ok: true, channel, queued: true } };
  }
  deps.logger.info('SMN alert card posted', { ...log, ts: posted.ts, instance_id: instanceId ?? null, card });
  return { status: 200, body: { ok: true, channel, ts: posted.ts } };
}
