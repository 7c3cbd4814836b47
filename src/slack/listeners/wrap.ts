import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, SlackCommandMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { z } from 'zod';
import type { Logger } from '../../log';
import type { Principal, SlackIdentity } from '../../policy/evaluate';
import type { SlackMessage } from '../blocks/kit';
import { renderInternalError } from '../blocks/replies';
import { renderUsage, type RequestProblem } from '../blocks/usage';
import { clickContext, clickIdentity, clickPrincipal, commandPayload, commandPrincipal, type ClickContext } from '../payloads';
import { replyVia, type Reply } from '../present/reply';

/**
 * The pipeline every Slack listener runs in, so that each listener keeps only its own logic:
 * acknowledge at once (Slack shows a failure after 3 s), check the payload with zod, build who is
 * asking (the principal the policy sees) and how to answer them, then run the listener; a bug in it
 * is logged and the person gets the internal-error reply instead of silence.
 */

type WrapDeps = { logger: Logger; botId: string };

/** A click that parsed: who clicked, where, on which value, and how to answer them. */
export interface ClickRequest<V, P, R extends Reply> {
  click: ClickContext;
  principal: P;
  value: V;
  reply: R;
}

/** A click's principal: with its channel when the listener needs one, else only who clicked. */
type ClickPrincipalOf<C> = C extends 'optional' ? SlackIdentity & { channelId?: string } : Principal;

export interface ClickSpec<V, C extends RequestProblem | 'optional', R extends Reply> {
  /** What the error log line says failed, e.g. "a button click failed". */
  failure: string;
  /** More fields for that log line. */
  logFields?: Record<string, unknown>;
  /** The button's value as the listener needs it; undefined for a value the bot did not make. */
  value: (raw: string | undefined) => V | undefined;
  /** The usage answer to a click without its team or user. */
  noClick: RequestProblem;
  /** The usage answer to a click without a channel, or `optional` when the listener needs none. */
  channel: C;
  /** The usage answer to a value `value` refused. */
  badValue: RequestProblem;
  /** How to answer instead of through the click's `response_url` (a Home tab click has none). */
  reply?: (body: unknown, viaResponseUrl: Reply) => R;
}

export function wrapClick<V, C extends RequestProblem | 'optional', R extends Reply = Reply>(
  deps: WrapDeps,
  spec: ClickSpec<V, C, R>,
  handle: (req: ClickRequest<V, ClickPrincipalOf<C>, R>) => Promise<void>,
) {
  return async ({ ack, body, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const viaResponseUrl = replyVia(respond, deps.logger);
    const reply = spec.reply ? spec.reply(body, viaResponseUrl) : (viaResponseUrl as R);
    try {
      const click = clickContext(body, deps.botId);
      if (!click) return await reply(renderUsage(spec.noClick));
      if (spec.channel !== 'optional' && !click.channelId) return await reply(renderUsage(spec.channel as RequestProblem));
      const value = spec.value(click.value);
      if (value === undefined) return await reply(renderUsage(spec.badValue));
      const principal = click.channelId ? clickPrincipal(click, click.channelId) : clickIdentity(click);
      await handle({ click, principal: principal as ClickPrincipalOf<C>, value, reply });
    } catch (err) {
      deps.logger.error(spec.failure, { err, ...spec.logFields });
      await reply(renderInternalError());
    }
  };
}

/** What a command's text parser decides: answer at once on the acknowledgement, or run. */
export type CommandParse<C> = { answer: SlackMessage } | { run: C };

export interface CommandRequest<C> {
  command: C;
  principal: Principal;
  reply: Reply;
}

/**
 * A slash command: answers that need no network call (help, usage errors) ride on the
 * acknowledgement itself; anything else is acknowledged empty, then run.
 */
export function wrapCommand<C>(
  deps: Pick<WrapDeps, 'logger'>,
  spec: { failure: string; parse: (text: string) => CommandParse<C>; logFields?: (command: C) => Record<string, unknown> },
  handle: (req: CommandRequest<C>) => Promise<void>,
) {
  return async ({ command, ack, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const payload = commandPayload.safeParse(command);
    if (!payload.success) return ack({ response_type: 'ephemeral', ...toAck(renderUsage({ kind: 'command_payload' })) });
    const parsed = spec.parse(payload.data.text);
    if ('answer' in parsed) return ack({ response_type: 'ephemeral', ...toAck(parsed.answer) });
    await ack();
    const reply = replyVia(respond, deps.logger);
    try {
      await handle({ command: parsed.run, principal: commandPrincipal(payload.data), reply });
    } catch (err) {
      deps.logger.error(spec.failure, { err, ...spec.logFields?.(parsed.run) });
      await reply(renderInternalError());
    }
  };
}

function toAck(msg: SlackMessage) {
  return { text: msg.text, blocks: msg.blocks as never };
}

/**
 * An Events API event: acknowledged by Bolt itself; the event is checked with `schema` (one that
 * does not parse is dropped with `dropped` logged) and a failure is logged, since nobody waits for an answer.
 */
export function wrapEvent<E extends SlackEventMiddlewareArgs['payload']['type'], S extends z.ZodType>(
  deps: Pick<WrapDeps, 'logger'>,
  spec: { failure: string; schema: S; dropped: string },
  handle: (event: z.infer<S>, args: SlackEventMiddlewareArgs<E> & AllMiddlewareArgs) => Promise<void>,
) {
  return async (args: SlackEventMiddlewareArgs<E> & AllMiddlewareArgs): Promise<void> => {
    try {
      const parsed = spec.schema.safeParse(args.event);
      if (!parsed.success) {
        deps.logger.warn(spec.dropped);
        return;
      }
      await handle(parsed.data, args);
    } catch (err) {
      deps.logger.error(spec.failure, { err });
    }
  };
}
