import { Agent } from 'undici';
import { blockActionBody, commandBody, signedHeaders } from '../sandbox/slack/requests';
import { summarize, type LatencySummary } from './stats';
import { ACTION_IDS } from '../slack/ids';

/**
 * A closed-loop load generator: `concurrency` workers each send a signed Slack request, wait for
 * the HTTP answer (the acknowledgement), and send the next, until `total` requests are done.
 */
export interface LoadResult {
  kind: 'command' | 'click';
  concurrency: number;
  total: number;
  errors: number;
  seconds: number;
  throughput: number;
  ack: LatencySummary;
}

export interface LoadTarget {
  url: string;
  signingSecret: string;
  teamId: string;
  /** Requests spread over channels, as incidents are (Slack paces posts per channel). */
  channelFor: (i: number) => string;
  responseUrl: (user: string, channel: string) => string;
}

// One keep-alive pool for the generator, like Slack's own connections to an app.
const dispatcher = new Agent({ connections: 128, keepAliveTimeout: 10_000 });

export async function runLoad(target: LoadTarget, kind: 'command' | 'click', concurrency: number, ids: string[]): Promise<LoadResult> {
  const samples: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  const worker = async (w: number) => {
    for (let i = next++; i < ids.length; i = next++) {
      const user = `U0BENCH${(w % 50) + 1}`;
      const channel = target.channelFor(i);
      const body =
        kind === 'command'
          ? commandBody({ teamId: target.teamId, userId: user, channelId: channel, text: `retry ${ids[i]} bench`, responseUrl: target.responseUrl(user, channel) })
          : blockActionBody({ teamId: target.teamId, userId: user, channelId: channel, actionId: ACTION_IDS.retry, value: ids[i], responseUrl: target.responseUrl(user, channel) });
      const started = performance.now();
      try {
        const res = await fetch(target.url, { method: 'POST', headers: signedHeaders(target.signingSecret, body), body, dispatcher } as RequestInit);
        await res.arrayBuffer();
        if (res.status !== 200) errors++;
      } catch {
        errors++;
      }
      samples.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const seconds = (performance.now() - t0) / 1000;
  return { kind, concurrency, total: ids.length, errors, seconds, throughput: ids.length / seconds, ack: summarize(samples) };
}
