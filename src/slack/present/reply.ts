import type { RespondFn } from '@slack/bolt';
import type { Logger } from '../../log';
import type { SlackMessage } from '../blocks/kit';

/** Sends something only the requester sees, through the request's `response_url`. */
export type Reply = (msg: SlackMessage, opts?: { replaceOriginal?: boolean }) => Promise<void>;

export function replyVia(respond: RespondFn | undefined, logger: Logger): Reply {
  return async (raw, opts = {}) => {
    // Whatever the message quotes (an upstream error echoing a credential), no secret leaves.
    const msg = logger.redact.strings(raw);
    if (!respond) {
      logger.warn('no response_url to answer on', { text: msg.text });
      return;
    }
    try {
      await respond({ response_type: 'ephemeral', replace_original: opts.replaceOriginal ?? false, text: msg.text, blocks: msg.blocks as never });
    } catch (err) {
      // response_url expires after 30 minutes or 5 uses; the person can still run the command again.
      // Only what says why: the error object would carry the response_url, which lets anyone post as the bot.
      const e = err as { code?: string; message?: string; response?: { status?: number } };
      logger.warn('could not answer on response_url', { code: e.code, status: e.response?.status, reason: e.message?.split('\n')[0]?.replace(/https?:\/\/\S+/g, '[url]') });
    }
  };
}
