import { canonicalInstanceId } from '../core';
import { secMasterErrorOrRethrow, type SecMasterError } from '../secmaster/errors';
import type { SecMasterClient } from '../secmaster/client';
import { renderPlainAlertCard } from '../slack/blocks/plainAlertCard';
import type { CardService } from '../slack/cards/cardService';
import type { SlackGateway, SlackResult } from '../slack/gateway';
import { PRIORITY } from '../slack/outbound/priority';

/**
 * Posts alert cards, whoever raised the alert (`POST /alerts`, an SMN notification): an instance's
 * alert card is the status card with the alert's title and severity, the buttons its status allows,
 * kept current like any status card; an alert that names no instance gets a plain card without
 * buttons. The callers only translate the result into their own answers.
 */
export interface InstanceAlert {
  channel: string;
  instanceId: string;
  workspaceId?: string;
  title?: string;
  severity?: string;
}

export interface PlainAlert {
  channel: string;
  title: string;
  severity?: string;
  /** The alert's own text, shown as it came (escaped). */
  text?: string;
  /** One line about where it came from or what could not be done, already mrkdwn. */
  note?: string;
}

export type InstanceAlertResult =
  | { ok: true; ts: string; workspaceId: string }
  /** The instance could not be read: nothing was posted. */
  | { ok: false; stage: 'instance'; error: SecMasterError; workspaceId: string }
  /** Slack refused the card. */
  | { ok: false; stage: 'slack'; error: string; workspaceId: string };

/** As {@link InstanceAlertResult}, or `queued`: the card is stored and posted as soon as Slack's limit allows. */
export type QueuedInstanceAlertResult = InstanceAlertResult | { ok: true; queued: true; workspaceId: string };

export interface AlertPublisher {
  /**
   * Waits for Slack's answer however long its limit holds the post. `queued` still comes back when
   * the post failed on the wire: the card is stored, and is looked for before it is posted again.
   */
  instanceAlert(alert: InstanceAlert): Promise<QueuedInstanceAlertResult>;
  /** The same card, but when Slack's limit holds the post longer than `answerWithinMs` the answer is `queued`. */
  instanceAlertOrQueue(alert: InstanceAlert, answerWithinMs: number): Promise<QueuedInstanceAlertResult>;
  plainAlert(alert: PlainAlert): Promise<SlackResult<{ ts: string }>>;
}

export function createAlertPublisher(deps: { secmaster: Pick<SecMasterClient, 'getInstance'>; cards: Pick<CardService, 'publishOrQueue'>; gateway: Pick<SlackGateway, 'postMessage'>; defaultWorkspaceId: string }): AlertPublisher {
  async function publish(a: InstanceAlert, answerWithinMs: number): Promise<QueuedInstanceAlertResult> {
    // Whoever raised it, a UUID names its instance in lower case (what the card records and clicks are checked against).
    const target = { workspaceId: a.workspaceId ?? deps.defaultWorkspaceId, instanceId: canonicalInstanceId(a.instanceId) };
    let answer;
    try {
      answer = await deps.secmaster.getInstance(target);
    } catch (err) {
      return { ok: false, stage: 'instance', error: secMasterErrorOrRethrow(err), workspaceId: target.workspaceId };
    }
    const posted = await deps.cards.publishOrQueue(
      {
        channel: a.channel,
        instance: answer.data,
        target,
        card: { kind: 'alert', title: a.title, severity: a.severity, requestId: answer.requestId },
        placement: { kind: 'new' },
        // Nobody has asked for this card yet: what people wait for goes first.
        priority: PRIORITY.alert,
      },
      answerWithinMs,
    );
    if (!posted.ok) return { ok: false, stage: 'slack', error: posted.error, workspaceId: target.workspaceId };
    if ('queued' in posted) return { ok: true, queued: true, workspaceId: target.workspaceId };
    return { ok: true, ts: posted.ts, workspaceId: target.workspaceId };
  }

  return {
    instanceAlert: (a) => publish(a, Infinity),

    instanceAlertOrQueue: publish,

    async plainAlert(a) {
      const posted = await deps.gateway.postMessage(a.channel, renderPlainAlertCard(a));
      return posted.ok ? { ok: true, value: { ts: posted.value.ts } } : posted;
    },
  };
}
