import type { SlackMessage } from '../../src/slack/blocks/kit';
import type { SlackGateway, SlackResult } from '../../src/slack/gateway';

/** A Slack gateway that records what would be sent and answers ok (or the error set for the next call of a method). */
export interface RecordingGateway extends SlackGateway {
  readonly sent: Array<{
    method: 'postMessage' | 'updateMessage' | 'queueCardUpdate' | 'postEphemeral' | 'publishHome';
    channel?: string;
    ts?: string;
    threadTs?: string;
    msg?: SlackMessage;
    /** queueCardUpdate: the order it asked for and the thread reply that follows the update. */
    priority?: number;
    reply?: { threadTs: string; message: SlackMessage };
    metadata?: unknown;
  }>;
  failNext(method: 'postMessage' | 'updateMessage', error: string): void;
}

export function createRecordingGateway(): RecordingGateway {
  const failures = new Map<string, string[]>();
  let ts = 1_700_000_000;
  const fail = (method: string): SlackResult<never> | undefined => {
    const error = failures.get(method)?.shift();
    return error ? { ok: false, error } : undefined;
  };
  const gw: RecordingGateway = {
    sent: [],
    failNext: (method, error) => void failures.set(method, [...(failures.get(method) ?? []), error]),
    async postMessage(channel, msg, threadTs, opts) {
      gw.sent.push({ method: 'postMessage', channel, msg, threadTs, ...(opts?.metadata ? { metadata: opts.metadata } : {}) });
      return fail('postMessage') ?? { ok: true, value: { ts: `${++ts}.000100`, channel } };
    },
    async updateMessage(channel, at, msg) {
      gw.sent.push({ method: 'updateMessage', channel, ts: at, msg });
      return fail('updateMessage') ?? { ok: true, value: undefined };
    },
    async queueCardUpdate(channel, at, msg, opts) {
      gw.sent.push({ method: 'queueCardUpdate', channel, ts: at, msg, priority: opts.priority, ...(opts.reply ? { reply: opts.reply } : {}) });
    },
    resumeCardUpdate: () => undefined,
    // No message in any channel carries a card ID: a resumed card is posted.
    findCardMessage: async () => ({ ok: true, value: undefined }),
    idle: async () => true,
    async postEphemeral(channel, _user, msg) {
      gw.sent.push({ method: 'postEphemeral', channel, msg });
      return { ok: true, value: undefined };
    },
    async publishHome() {
      gw.sent.push({ method: 'publishHome' });
      return { ok: true, value: undefined };
    },
    usergroupMembers: async () => [],
    userTeam: async () => undefined,
  };
  return gw;
}
