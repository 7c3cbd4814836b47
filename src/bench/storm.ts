import type { Simulator } from '../sandbox/simulator';
import { commandBody, signedHeaders } from '../sandbox/slack/requests';
import { startSlackStandIn, type SlackStandIn } from '../sandbox/slack/standIn';
import { SLACK_EVENTS_PATH } from '../slack/ids';
import { summarize, type LatencySummary } from './stats';

/**
 * The alert storm at Slack's real limits: a fresh bot against a rate-limited Slack stand-in (the
 * real tiers, see sandbox/slack/rateLimits.ts). `alerts` alert cards are posted through `/alerts`
 * over one minute into `channels` channels, and each alerted instance is retried a second later
 * by a person with `/playbook retry`, whose card is followed to its final status. Measured from the
 * outside: what the stand-in received and refused, what SecMaster's simulator recorded, and when.
 */
export interface StormOptions {
  sim: Simulator;
  workspaceId: string;
  teamId: string;
  botToken: string;
  signingSecret: string;
  alertToken: string;
  /** Starts the bot against this stand-in; resolves with its port and a way to stop it. */
  startBot: (slack: SlackStandIn) => Promise<{ port: number; stop: () => Promise<void> }>;
  alerts: number;
  channels: number;
  spreadMs: number;
  timeoutMs: number;
  log: (s: string) => void;
}

export interface StormResult {
  alerts: number;
  channels: number;
  retries: number;
  answers: { ok: number; queued: number; other: number };
  alertAnswer: LatencySummary;
  slackCalls: number;
  rateLimited: number;
  /** 429s by method (the stand-in's own count). */
  rateLimitedBy: Record<string, number>;
  byMethod: Record<string, number>;
  statusChanges: number;
  cardChanges: number;
  updates: number;
  finalToCard: LatencySummary;
  privateAnswer: LatencySummary;
  retryCardsFinal: number;
  alertCards: number;
  duplicateCards: number;
  seconds: number;
}

const FINAL = new Set(['FINISHED', 'FAILED', 'TERMINATED']);
const statusOf = (text: string) => /\bis ([A-Z_]+)\b/.exec(text)?.[1];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function stormRun(o: StormOptions): Promise<StormResult> {
  const channels = Array.from({ length: o.channels }, (_, i) => `C0STORM${i}`);
  const slack = await startSlackStandIn({ botToken: o.botToken, teamId: o.teamId, channels: channels.map((id) => ({ id, name: id.toLowerCase() })) });
  const bot = await o.startBot(slack);
  const ids = Array.from({ length: o.alerts }, (_, i) => o.sim.state.add(o.workspaceId, { status: 'FAILED', name: `storm-${i}` }).id);
  const channelOf = (i: number) => channels[i % channels.length]!;
  const userOf = (i: number) => `U0STORM${(i % 20) + 1}`;
  const answers = { ok: 0, queued: 0, other: 0 };
  const alertMs: number[] = [];
  const retrySentAt = new Map<string, number>();
  const historyFrom = o.sim.state.history.length;
  const t0 = Date.now();
  o.log(`storm: ${o.alerts} alerts over ${o.spreadMs / 1000} s into ${o.channels} channels, each retried 1 s later`);

  const sent: Array<Promise<void>> = [];
  for (let i = 0; i < ids.length; i++) {
    const due = t0 + Math.round((i * o.spreadMs) / ids.length);
    if (due > Date.now()) await sleep(due - Date.now());
    sent.push(sendAlert(o, bot.port, channelOf(i), ids[i]!, answers, alertMs));
    const id = ids[i]!;
    sent.push(
      sleep(1_000).then(async () => {
        retrySentAt.set(id, Date.now());
        const body = commandBody({ teamId: o.teamId, userId: userOf(i), channelId: channelOf(i), text: `retry ${id} storm`, responseUrl: slack.responseUrl(userOf(i), channelOf(i)) });
        await fetch(`http://127.0.0.1:${bot.port}${SLACK_EVENTS_PATH}`, { method: 'POST', headers: signedHeaders(o.signingSecret, body), body }).then((r) => r.arrayBuffer());
      }),
    );
  }
  await Promise.all(sent);
  o.log(`storm: all requests sent after ${((Date.now() - t0) / 1000).toFixed(0)} s; /alerts answered ${answers.ok} × 200, ${answers.queued} × 202, ${answers.other} other`);

  const retryCard = (id: string) => slack.messages.find((m) => !m.threadTs && m.text.includes(id) && !m.text.startsWith('Alert'));
  // Checked every 2 s and cheaply: this process is also the Slack stand-in, whose clock the limits use.
  const finalCount = () => slack.messages.filter((m) => !m.threadTs && !m.text.startsWith('Alert') && FINAL.has(statusOf(m.text) ?? '')).length;
  const deadline = t0 + o.timeoutMs;
  let lastLog = Date.now();
  while (finalCount() < ids.length && Date.now() < deadline) {
    await sleep(2_000);
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      o.log(`storm: ${finalCount()} of ${ids.length} retry cards final after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  // The last final-status replies follow their cards.
  await sleep(5_000);
  const seconds = (Date.now() - t0) / 1000;
  await bot.stop();

  const idSet = new Set(ids);
  const history = o.sim.state.history.slice(historyFrom).filter((h) => idSet.has(h.id));
  const web = slack.calls.filter((c) => c.method !== 'response_url' && c.at >= t0);
  const byMethod: Record<string, number> = {};
  for (const c of web) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
  const okUpdates = web.filter((c) => c.method === 'chat.update' && !c.error);

  const finalToCard: number[] = [];
  let retryCardsFinal = 0;
  let cardChanges = 0;
  for (const id of ids) {
    const card = retryCard(id);
    const final = history.find((h) => h.id === id && FINAL.has(h.to));
    if (!card || !final) continue;
    // Status changes of the instance after its card was posted (the one before is shown by the post itself).
    // The changes after the retry's own (FAILED → RETRYING, which the new card shows when posted).
    cardChanges += history.filter((h) => h.id === id && h.from !== 'FAILED').length;
    if (statusOf(card.text) === final.to) retryCardsFinal++;
    const shown = okUpdates.find((c) => c.args.ts === card.ts && statusOf(String(c.args.text ?? '')) === final.to);
    if (shown) finalToCard.push(Math.max(0, shown.at - final.at));
  }
  const privateMs: number[] = [];
  for (const id of ids) {
    const at = retrySentAt.get(id);
    const answer = slack.ephemerals.find((e) => e.text.includes(id) && e.at >= (at ?? Infinity));
    if (at !== undefined && answer) privateMs.push(answer.at - at);
  }
  const alertCardsOf = (id: string) => slack.messages.filter((m) => !m.threadTs && m.text.startsWith('Alert') && m.text.includes(id)).length;
  const result: StormResult = {
    alerts: ids.length,
    channels: o.channels,
    retries: retrySentAt.size,
    answers,
    alertAnswer: summarize(alertMs),
    slackCalls: web.length,
    rateLimited: web.filter((c) => c.error === 'ratelimited').length,
    rateLimitedBy: Object.fromEntries(slack.rateLimited),
    byMethod,
    statusChanges: history.length,
    cardChanges,
    updates: okUpdates.length,
    finalToCard: summarize(finalToCard),
    privateAnswer: summarize(privateMs),
    retryCardsFinal,
    alertCards: ids.filter((id) => alertCardsOf(id) === 1).length,
    duplicateCards: ids.filter((id) => alertCardsOf(id) > 1).length + ids.filter((id) => slack.messages.filter((m) => !m.threadTs && m.text.includes(id) && !m.text.startsWith('Alert')).length > 1).length,
    seconds,
  };
  await slack.close();
  return result;
}

async function sendAlert(o: StormOptions, port: number, channel: string, id: string, answers: StormResult['answers'], ms: number[]): Promise<void> {
  const started = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.alertToken}` },
      body: JSON.stringify({ channel, instance_id: id, title: `Storm alert ${id.slice(0, 8)}`, severity: 'high' }),
    });
    await res.arrayBuffer();
    if (res.status === 200) answers.ok++;
    else if (res.status === 202) answers.queued++;
    else answers.other++;
  } catch {
    answers.other++;
  }
  ms.push(performance.now() - started);
}

/** 429s per 1,000 Web API calls the stand-in received. */
export function per1000(r: StormResult): number {
  return (r.rateLimited / Math.max(1, r.slackCalls)) * 1000;
}

const ms = (n: number) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)} s` : '—');

export function renderStorm(r: StormResult, latencyMs: number): string {
  const methods = Object.entries(r.byMethod)
    .sort((a, b) => b[1] - a[1])
    .map(([m, n]) => `${m} ${n}`)
    .join(', ');
  return `## Alert storm at Slack's real limits

A fresh bot (default settings: \`chat.update\` budget 50/min) against a Slack stand-in that enforces
the real tiers (\`chat.postMessage\` 1/s per channel, \`chat.update\` 50/min, \`chat.postEphemeral\` and
\`views.publish\` 100/min, \`usergroups.users.list\` 20/min; 429 + \`Retry-After\` beyond). ${r.alerts} alert
cards posted through \`POST /alerts\` over one minute into ${r.channels} channels (FAILED instances),
each instance retried by a person with \`/playbook retry\` one second after its alert, and every
retry's status card followed to its final status; SecMaster at ${latencyMs} ms latency on every call.

| figure | value |
|---|---|
| \`/alerts\` answers | ${r.answers.ok} × 200 (posted), ${r.answers.queued} × 202 (queued), ${r.answers.other} other |
| \`/alerts\` answer time p50 / p99 | ${ms(r.alertAnswer.p50)} / ${ms(r.alertAnswer.p99)} (a SecMaster read, then at most 3 s waiting for the post) |
| Slack Web API calls received | ${r.slackCalls} (${methods}) |
| 429s received per 1,000 Slack calls | ${per1000(r).toFixed(2)} (${r.rateLimited} in all${r.rateLimited > 0 ? `: ${Object.entries(r.rateLimitedBy).map(([m, n]) => `${m} ${n}`).join(', ')}` : ''}; goal under 5) |
| Slack calls per status change | ${(r.slackCalls / Math.max(1, r.statusChanges)).toFixed(2)} (${r.statusChanges} status changes of the ${r.alerts} instances) |
| \`chat.update\` per status change after the retry | ${(r.updates / Math.max(1, r.cardChanges)).toFixed(2)} (${r.updates} updates for ${r.cardChanges} changes, ${(r.updates / Math.max(1, r.retries)).toFixed(2)} per card: intermediate states are merged into the final one while updates wait) |
| SecMaster's final status → the card shows it, p50 / p99 (max) | ${ms(r.finalToCard.p50)} / ${ms(r.finalToCard.p99)} (${ms(r.finalToCard.max)}) over ${r.finalToCard.n} cards |
| private answer to \`/playbook retry\`, p50 / p99 (max) | ${ms(r.privateAnswer.p50)} / ${ms(r.privateAnswer.p99)} (${ms(r.privateAnswer.max)}) over ${r.privateAnswer.n} (two SecMaster calls of ${latencyMs} ms, then at most 2 s waiting for the card's post) |
| retried cards showing their final status | ${r.retryCardsFinal} of ${r.alerts} |
| alert cards posted exactly once | ${r.alertCards} of ${r.alerts}; doubled cards: ${r.duplicateCards} |
| storm duration until every card was final | ${r.seconds.toFixed(0)} s |

\`chat.update\` is the bottleneck: ${r.alerts} final statuses at about 50 a minute take at least ${Math.ceil(r.alerts / 50)} minutes
whatever the bot does, so the final statuses wait in the queue (stored, so a restart would send them)
while what people wait for (private answers, the cards they asked for, final-status replies) goes first.
`;
}
