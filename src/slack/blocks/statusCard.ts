import { OPERATIONS, type CardContext, type Instance, type InstanceRef } from '../../core';
import { code, mentionUser, safeText } from '../mrkdwn';
import { operationButtons } from './actionButtons';
import { instanceFields, instanceTitle } from './instanceFacts';
import { actions, context, fields, header, message, section, type SlackMessage } from './kit';

/**
 * The status card the channel sees, kept current until the instance reaches a final status: the
 * instance's facts, the raw status word, who asked and why, who approved, the SecMaster request ID,
 * and only the buttons the status allows. Pure: `(input) → { text, blocks }`.
 */
export interface StatusCardInput {
  instance: Instance;
  target: InstanceRef;
  defaultWorkspaceId: string;
  card: CardContext;
  /** One line shown above the facts (an operation's result, a watch that stopped). Already mrkdwn. */
  note?: string;
  /** False while an operation is under way: no buttons then. */
  buttons: boolean;
}

export function renderStatusCard(input: StatusCardInput): SlackMessage {
  const { instance, card } = input;
  const title = instanceTitle(instance);
  const lines: string[] = [];
  if (card.kind === 'alert' && card.title) {
    lines.push(`:rotating_light: *${safeText(card.title, 300)}*${card.severity ? `  ·  severity *${safeText(card.severity, 40)}*` : ''}`);
  }
  if (card.requester && card.operation) {
    lines.push(`*${OPERATIONS[card.operation].title}* requested by ${mentionUser(card.requester)}${card.reason ? `: “${safeText(card.reason, 500)}”` : ''}`);
  }
  if (card.approvers && card.approvers.length > 0) lines.push(`Approved by ${card.approvers.map(mentionUser).join(', ')}`);
  if (input.note) lines.push(input.note);

  // The fallback is what notifications show: outside text escaped, our own mention left live.
  const fallback =
    safeText(`${card.kind === 'alert' && card.title ? `Alert: ${card.title} · ` : ''}Playbook instance ${title} (${instance.id}) is ${instance.status}`, 2800) +
    (card.requester && card.operation ? ` · ${OPERATIONS[card.operation].verb} requested by ${mentionUser(card.requester)}` : '');
  const meta = [
    card.requestId ? `SecMaster request ID ${code(card.requestId, 120)}` : '',
    `Workspace ${code(input.target.workspaceId, 70)}`,
  ];

  return message(
    fallback,
    [
      header(`${card.kind === 'alert' ? 'Alert' : 'Playbook instance'} · ${title}`),
      lines.length > 0 ? section(lines.join('\n')) : undefined,
      fields(instanceFields(instance)),
      context(meta),
      input.buttons ? actions(operationButtons(instance, input.target, input.defaultWorkspaceId), 'instance_actions') : undefined,
    ],
  );
}
