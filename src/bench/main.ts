import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../sandbox/simulator';
import { startSlackStandIn, type SlackStandIn } from '../sandbox/slack/standIn';
import { spawn } from 'node:child_process';
import { runLoad, type LoadResult, type LoadTarget } from './load';
import { freePort, startChild, type Child } from './processes';
import { summarizeProfile } from './profile';
import { fmt, ratio } from './stats';
import { per1000, renderStorm, stormRun, type StormResult } from './storm';
import { SLACK_EVENTS_PATH } from '../slack/ids';

/**
 * `npm run bench`: the bot (from dist/, production settings) and a bare Bolt app (same Bolt
 * version, acks and posts one message) measured in the same run against the SecMaster simulator
 * (latency 1.5 s by default) and the Slack stand-in. Signed slash commands and clicks at several
 * concurrency levels; ack latency, throughput, errors, RSS, start-up time, calls per operation;
 * then a scale run with 1,000 watched instances. Writes BENCHMARKS.md and prints the same.
 * The ack, per-operation and scale phases run against a stand-in without rate limits (they measure
 * the bot); the storm runs a fresh bot against one at the real tiers.
 *
 * instances), then the alert storm at Slack's real limits (storm.ts).
 *
 * Options: --latency-ms N (SecMaster latency), --requests N (per level), --scale N (watched
 * instances), --storm N and --storm-spread-ms N (alerts and retries in the storm, and over how
 * long the alerts are sent), --storm-only (only the storm, printed; BENCHMARKS.md is not written),
 * --profile (CPU profile of the bot during the load phases).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'main.js');
/** The production V8 flags `npm start` and the Procfile use. */
const NODE_FLAGS = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { config: { nodeFlags: string } }).config.nodeFlags.split(' ');
const BASELINE = path.join(ROOT, 'dist', 'bench', 'baseline.js');
const TEAM = 'T0BENCH';
const CHANNELS = Array.from({ length: 100 }, (_, i) => `C0BENCH${i}`);
const WS = 'bench-workspace';
const PROJECT = 'bench-project';
const SECRET = 'bench-signing-secret-0123456789abcdef';
const TOKEN = 'xoxb-bench-token-0123456789';
const IAM = { domain: 'bench-domain', user: 'bench-user', password: 'bench-password-0123' };
const LEVELS = [1, 10, 50];
const ALERT_TOKEN = 'bench-alert-webhook-token-0123456789';

interface Options {
  latencyMs: number;
  requests: number;
  scale: number;
  /** Alerts (and retries) in the storm at Slack's real limits, sent over `stormSpreadMs`. */
  storm: number;
  stormSpreadMs: number;
  stormOnly: boolean;
  profile: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { latencyMs: 1500, requests: 300, scale: 1000, storm: 300, stormSpreadMs: 60_000, stormOnly: false, profile: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--latency-ms') o.latencyMs = Number(argv[++i]);
    else if (argv[i] === '--requests') o.requests = Number(argv[++i]);
    else if (argv[i] === '--scale') o.scale = Number(argv[++i]);
    else if (argv[i] === '--storm') o.storm = Number(argv[++i]);
    else if (argv[i] === '--storm-spread-ms') o.stormSpreadMs = Number(argv[++i]);
    else if (argv[i] === '--storm-only') o.stormOnly = true;
    else if (argv[i] === '--profile') o.profile = true;
  }
  return o;
}

const POLICY = `slack_team_id: ${TEAM}
roles:
  everyone:
    users: ["*"]
rules:
  - operations: [VIEW, RETRY, TERMINATE]
    roles: [everyone]
`;

function botEnv(port: number, slack: SlackStandIn, sim: Simulator, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: String(port),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_API_URL: slack.apiUrl,
    SECMASTER_ENDPOINT: sim.url,
    IAM_ENDPOINT: sim.url,
    SECMASTER_PROJECT_ID: PROJECT,
    SECMASTER_WORKSPACE_ID: WS,
    HUAWEICLOUD_IAM_DOMAIN: IAM.domain,
    HUAWEICLOUD_IAM_USER: IAM.user,
    HUAWEICLOUD_IAM_PASSWORD: IAM.password,
    PLAYBOOK_POLICY_FILE: path.join(dir, 'policy.yml'),
    DATABASE_URL: `sqlite:${path.join(dir, `bench-${port}.sqlite`)}`,
    // A benchmark sends hundreds of operations as a few people: lift the per-person limit.
    OPERATIONS_PER_USER_PER_MINUTE: '100000',
    ...extra,
  };
}

const healthy = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
const answers = (port: number) => async () => {
  await fetch(`http://127.0.0.1:${port}/`);
  return true;
};

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measureStartup(start: () => Promise<Child>, times = 3): Promise<{ child: Child; ms: number }> {
  const ms: number[] = [];
  let child: Child | undefined;
  for (let i = 0; i < times; i++) {
    if (child) await child.stop();
    child = await start();
    ms.push(child.startMs);
  }
  return { child: child!, ms: median(ms) };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'playbook-bench-'));
  writeFileSync(path.join(dir, 'policy.yml'), POLICY);
  const log = (s: string) => process.stdout.write(`${s}\n`);

  const sim = await startSimulator({ projectId: PROJECT, timing: { stepMs: 3000, runningMs: 0 }, credentials: { users: [IAM], tokenTtlMs: 24 * 3600_000 } });
  sim.state.addWorkspace(WS);
  sim.faults.add({ fault: { kind: 'latency', ms: opts.latencyMs }, when: 'before' });
  // These phases measure the bot's own costs (acks, reads, memory): Slack's limits are off here, and on in the storm below.
  const slack = await startSlackStandIn({ botToken: TOKEN, teamId: TEAM, channels: CHANNELS.map((id) => ({ id, name: id.toLowerCase() })), rateLimits: false });
  if (opts.stormOnly) {
    // A quick look at the storm alone: printed, BENCHMARKS.md left as it is.
    log(renderStorm(await runStorm(opts, sim, dir, log), opts.latencyMs));
    await Promise.all([sim.close(), slack.close()]);
    return;
  }

  const botPort = await freePort();
  const basePort = await freePort();
  const profileDir = path.join(dir, 'profile');
  log(`bench: SecMaster latency ${opts.latencyMs} ms, ${opts.requests} requests per level, levels ${LEVELS.join(', ')}, scale ${opts.scale}`);

  const bot = await measureStartup(() =>
    startChild([...NODE_FLAGS, ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), MAIN], botEnv(botPort, slack, sim, dir), healthy(botPort)),
  );
  const base = await measureStartup(() => startChild([BASELINE, String(basePort), slack.apiUrl, SECRET, TOKEN], {}, answers(basePort)));
  log(`start-up (median of 3): bot ${fmt(bot.ms, 0)} ms, bare Bolt ${fmt(base.ms, 0)} ms`);

  const target = (port: number): LoadTarget => ({
    url: `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`,
    signingSecret: SECRET,
    teamId: TEAM,
    channelFor: (i) => CHANNELS[i % CHANNELS.length]!,
    responseUrl: (u, c) => slack.responseUrl(u, c),
  });

  // Calls per operation first, on a quiet bot: a few retries followed to their final status.
  const counted = await countCalls(target(botPort), sim, slack, 20);
  let operations = counted.ops;
  log(`calls per operation: SecMaster ${fmt(counted.secmasterPerOp, 2)}, status changes ${fmt(counted.statusChanges, 2)}, chat.update per change ${fmt(counted.updatesPerChange, 2)}`);

  const results: Array<{ bot: LoadResult; base: LoadResult }> = [];
  for (const kind of ['command', 'click'] as const) {
    for (const c of LEVELS) {
      const ids = Array.from({ length: opts.requests }, () => sim.state.add(WS, { status: 'FAILED' }).id);
      const posts = () => sim.calls.filter((x) => x.method === 'POST' && x.path.endsWith('/operation')).length;
      const before = posts();
      const r = await runLoadIsolated(botPort, slack, kind, c, ids);
      await waitUntil(() => posts() - before >= ids.length, 60_000);
      operations += posts() - before;
      const baseIds = ids.map((_, i) => `base-${kind}-${c}-${i}`);
      const b = await runLoadIsolated(basePort, slack, kind, c, baseIds);
      results.push({ bot: r, base: b });
      log(`${kind} c=${c}: bot p99 ${fmt(r.ack.p99, 2)} ms ${fmt(r.throughput, 0)}/s · bare Bolt p99 ${fmt(b.ack.p99, 2)} ms ${fmt(b.throughput, 0)}/s`);
    }
  }
  const botRss = bot.child.rssMb();
  const baseRss = base.child.rssMb();

  const iamPer1000 = (sim.auth.logins.length / operations) * 1000;

  await bot.child.stop();
  await base.child.stop();
  const profile = opts.profile ? summarizeProfile(profileDir, readdirSync, readFileSync) : undefined;

  // The scale run: a fresh bot following `scale` instances at once.
  sim.faults.clear();
  sim.faults.add({ fault: { kind: 'latency', ms: 50 }, when: 'before' });
  const scale = await scaleRun(opts.scale, sim, slack, dir);

  // The storm at Slack's real limits, with SecMaster at the configured latency again.
  const storm = await runStorm(opts, sim, dir, log);

  await Promise.all([sim.close(), slack.close()]);
  const report = renderReport({ opts, bot, base, results, botRss, baseRss, counted, iamPer1000, operations, scale, storm, profile, seconds: (Date.now() - started) / 1000 });
  writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), report);
  log('');
  log(report);
}

async function runStorm(opts: Options, sim: Simulator, dir: string, log: (s: string) => void): Promise<StormResult> {
  sim.faults.clear();
  sim.faults.add({ fault: { kind: 'latency', ms: opts.latencyMs }, when: 'before' });
  sim.state.timing.stepMs = 3000;
  return stormRun({
    sim,
    workspaceId: WS,
    teamId: TEAM,
    botToken: TOKEN,
    signingSecret: SECRET,
    alertToken: ALERT_TOKEN,
    alerts: opts.storm,
    channels: 5,
    spreadMs: opts.stormSpreadMs,
    timeoutMs: 20 * 60_000,
    log,
    startBot: async (limited) => {
      const port = await freePort();
      const child = await startChild([...NODE_FLAGS, MAIN], botEnv(port, limited, sim, dir, { ALERT_WEBHOOK_TOKEN: ALERT_TOKEN, LOG_LEVEL: 'warn' }), healthy(port));
      return { port, stop: () => child.stop() };
    },
  });
}

/** Runs one load phase in a separate process (see loadWorker.ts). */
async function runLoadIsolated(port: number, slack: SlackStandIn, kind: 'command' | 'click', concurrency: number, ids: string[]): Promise<LoadResult> {
  const responseUrls: Record<string, string> = {};
  for (let u = 1; u <= 50; u++) for (const ch of CHANNELS) responseUrls[`U0BENCH${u}:${ch}`] = slack.responseUrl(`U0BENCH${u}`, ch);
  const job = { target: { url: `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`, signingSecret: SECRET, teamId: TEAM, channels: CHANNELS, responseUrls }, kind, concurrency, ids };
  const child = spawn(process.execPath, [path.join(__dirname, 'loadWorker.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.stdin.end(JSON.stringify(job));
  if ((await done) !== 0) throw new Error('the load worker failed');
  return JSON.parse(Buffer.concat(out).toString('utf8')) as LoadResult;
}

interface Counted {
  ops: number;
  secmasterPerOp: number;
  requestPathPerOp: number;
  statusReadsPerOp: number;
  slackPerOp: Record<string, number>;
  statusChanges: number;
  updatesPerChange: number;
}

async function countCalls(t: LoadTarget, sim: Simulator, slack: SlackStandIn, n: number): Promise<Counted> {
  // Named after themselves, so the final-status reply (which names the instance) is counted too.
  const ids = Array.from({ length: n }, (_, i) => sim.state.add(WS, { status: 'FAILED', name: `counted-${i}-${Date.now()}` })).map((x) => x.id);
  const names = ids.map((id) => sim.state.get(WS, id)!.name);
  const simBefore = sim.calls.length;
  const slackBefore = slack.calls.length;
  await runLoad(t, 'command', 1, ids);
  const final = () => ids.every((id) => slack.messages.some((m) => !m.threadTs && m.text.includes(id) && m.text.includes('FINISHED')));
  await waitUntil(final, 120_000);
  await new Promise((r) => setTimeout(r, 500));
  const simCalls = sim.calls.slice(simBefore).filter((c) => ids.some((id) => c.path.includes(id)));
  const slackCalls = slack.calls.slice(slackBefore).filter((c) => {
    const args = JSON.stringify(c.args);
    return ids.some((id) => args.includes(id)) || names.some((name) => args.includes(name));
  });
  const byMethod: Record<string, number> = {};
  for (const c of slackCalls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1 / n;
  const changes = ids.reduce((a, id) => a + sim.state.history.filter((h) => h.id === id).length - 1, 0);
  const updates = slackCalls.filter((c) => c.method === 'chat.update').length;
  const posts = simCalls.filter((c) => c.method === 'POST').length;
  return {
    ops: n,
    secmasterPerOp: simCalls.length / n,
    requestPathPerOp: (n + posts) / n,
    statusReadsPerOp: (simCalls.length - n - posts) / n,
    slackPerOp: byMethod,
    statusChanges: changes / n,
    updatesPerChange: updates / Math.max(1, changes),
  };
}

interface ScaleResult {
  instances: number;
  readsBound: number;
  maxReadsPerSecond: number;
  maxSteadyReadsPerSecond: number;
  meanReadsPerSecond: number;
  rssMb: number[];
  finished: number;
  seconds: number;
  updatesPerMinute: number;
}

async function scaleRun(n: number, sim: Simulator, slack: SlackStandIn, dir: string): Promise<ScaleResult> {
  const port = await freePort();
  const readsBound = 25;
  const updatesPerMinute = 3000;
  const child = await startChild(
    [...NODE_FLAGS, MAIN],
    botEnv(port, slack, sim, dir, { STATUS_READS_PER_SECOND: String(readsBound), SLACK_UPDATES_PER_MINUTE: String(updatesPerMinute), LOG_LEVEL: 'warn' }),
    healthy(port),
  );
  sim.state.timing.stepMs = 5000;
  const ids = Array.from({ length: n }, () => sim.state.add(WS, { status: 'FAILED' }).id);
  const t0 = Date.now();
  const simStart = sim.calls.length;
  const target: LoadTarget = {
    url: `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`,
    signingSecret: SECRET,
    teamId: TEAM,
    channelFor: (i) => CHANNELS[i % CHANNELS.length]!,
    responseUrl: (u, c) => slack.responseUrl(u, c),
  };
  await runLoad(target, 'command', 50, ids);
  const idSet = new Set(ids);
  const finished = () => slack.messages.filter((m) => !m.threadTs && m.text.includes('FINISHED') && idSet.has(/\(([0-9a-f-]{36})\)/.exec(m.text)?.[1] ?? '')).length;
  const rss: number[] = [];
  const deadline = Date.now() + 180_000;
  while (finished() < n && Date.now() < deadline) {
    rss.push(child.rssMb());
    await new Promise((r) => setTimeout(r, 2000));
  }
  rss.push(child.rssMb());
  const seconds = (Date.now() - t0) / 1000;
  await child.stop();
  // Status reads per second: GETs of one instance, bucketed by second, after the requests were sent.
  const reads = sim.calls.slice(simStart).filter((c) => c.method === 'GET' && /\/instances\/[0-9a-f-]{36}$/.test(c.path));
  const perSecond = new Map<number, number>();
  for (const r of reads) perSecond.set(Math.floor(r.at / 1000), (perSecond.get(Math.floor(r.at / 1000)) ?? 0) + 1);
  // The first read of each instance is the command's own status check, not the watcher: exclude it.
  const firstReads = new Set<string>();
  const watchReads = reads.filter((r) => {
    const id = r.path.slice(-36);
    if (firstReads.has(id)) return true;
    firstReads.add(id);
    return false;
  });
  const watchPerSecond = new Map<number, number>();
  for (const r of watchReads) watchPerSecond.set(Math.floor(r.at / 1000), (watchPerSecond.get(Math.floor(r.at / 1000)) ?? 0) + 1);
  const counts = [...watchPerSecond.values()];
  // After the first second (when the bucket's burst is spent) the bound itself applies.
  const firstSecond = Math.min(...watchPerSecond.keys());
  const steady = [...watchPerSecond.entries()].filter(([s]) => s > firstSecond).map(([, n]) => n);
  return {
    instances: n,
    readsBound,
    maxReadsPerSecond: Math.max(0, ...counts),
    maxSteadyReadsPerSecond: Math.max(0, ...steady),
    meanReadsPerSecond: watchReads.length / Math.max(1, seconds),
    rssMb: rss,
    finished: finished(),
    seconds,
    updatesPerMinute,
  };
}

function renderReport(r: {
  opts: Options;
  bot: { ms: number };
  base: { ms: number };
  results: Array<{ bot: LoadResult; base: LoadResult }>;
  botRss: number;
  baseRss: number;
  counted: Counted;
  iamPer1000: number;
  operations: number;
  scale: ScaleResult;
  storm: StormResult;
  profile?: string;
  seconds: number;
}): string {
  const cpus = os.cpus();
  const rows = r.results.map(({ bot, base }) =>
    [
      `${bot.kind} ×${bot.total}, c=${bot.concurrency}`,
      `${fmt(bot.ack.p50, 2)} / ${fmt(bot.ack.p95, 2)} / ${fmt(bot.ack.p99, 2)}`,
      `${fmt(base.ack.p50, 2)} / ${fmt(base.ack.p95, 2)} / ${fmt(base.ack.p99, 2)}`,
      ratio(bot.ack.p99, base.ack.p99),
      `${fmt(bot.throughput, 0)} / ${fmt(base.throughput, 0)}`,
      ratio(bot.throughput, base.throughput),
      `${bot.errors} / ${base.errors}`,
    ].join(' | '),
  );
  const worstP99 = Math.max(...r.results.map(({ bot, base }) => bot.ack.p99 / base.ack.p99));
  const worstTput = Math.min(...r.results.map(({ bot, base }) => bot.throughput / base.throughput));
  const maxScaleRss = Math.max(...r.scale.rssMb);
  const slack = Object.entries(r.counted.slackPerOp)
    .map(([m, v]) => `${m} ${v.toFixed(2)}`)
    .join(', ');
  const target = (ok: boolean) => (ok ? 'met' : '**not met**');
  return `# Benchmarks

Written by \`npm run bench\` (${new Date().toISOString().slice(0, 10)}, ${fmt(r.seconds, 0)} s). The bot runs from \`dist/\` with production
settings (\`NODE_ENV=production\`, default poll and limits, IAM password credential, SQLite) next to a bare
Bolt app (same @slack/bolt, acks and posts one message) in the same run, both against the SecMaster
simulator (latency ${r.opts.latencyMs} ms on every call) and the Slack Web API stand-in, over loopback.

Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}.

## Acknowledgement latency and throughput (signed requests to \`POST /slack/events\`)

Latency in ms, p50 / p95 / p99; throughput in acknowledged requests per second (closed loop, c workers).

| load | bot | bare Bolt | p99 ratio | throughput bot / bare | ratio | errors bot / bare |
|---|---|---|---|---|---|---|
${rows.map((x) => `| ${x} |`).join('\n')}

## Process

| figure | bot | bare Bolt | ratio |
|---|---|---|---|
| start-up to healthy, median of 3 (ms) | ${fmt(r.bot.ms, 0)} | ${fmt(r.base.ms, 0)} | ${ratio(r.bot.ms, r.base.ms)} |
| RSS after the load phases (MB) | ${fmt(r.botRss, 1)} | ${fmt(r.baseRss, 1)} | ${ratio(r.botRss, r.baseRss)} |

## Calls per operation (${r.counted.ops} retries followed to FINISHED)

| figure | value |
|---|---|
| SecMaster calls per operation, all | ${fmt(r.counted.secmasterPerOp, 2)} |
| – on the request path (read + operate) | ${fmt(r.counted.requestPathPerOp, 2)} |
| – status reads while following the card | ${fmt(r.counted.statusReadsPerOp, 2)} |
| status changes per operation | ${fmt(r.counted.statusChanges, 2)} |
| Slack Web API calls per operation | ${slack} |
| chat.update per status change | ${fmt(r.counted.updatesPerChange, 2)} |
| IAM logins per 1,000 operations (${r.operations} operations in this run) | ${fmt(r.iamPer1000, 2)} |

The bare Bolt app makes no SecMaster call and one \`chat.postMessage\` per request.

## Scale run: ${r.scale.instances} instances watched at once

Status reads bounded at ${r.scale.readsBound}/s (\`STATUS_READS_PER_SECOND\`), \`chat.update\` budget ${r.scale.updatesPerMinute}/min (the stand-in has no rate limit in this phase; real Slack allows about 50/min: see the storm below).

| figure | value |
|---|---|
| cards that reached FINISHED | ${r.scale.finished} of ${r.scale.instances} in ${fmt(r.scale.seconds, 0)} s |
| watcher status reads per second, max in any second | ${r.scale.maxReadsPerSecond} (the bucket starts full: a burst of ${r.scale.readsBound} on top of the bound) |
| watcher status reads per second, max after the first second | ${r.scale.maxSteadyReadsPerSecond} (bound ${r.scale.readsBound}) |
| watcher status reads per second, mean | ${fmt(r.scale.meanReadsPerSecond, 1)} |
| RSS during the run (MB), first / max / last | ${fmt(r.scale.rssMb[0] ?? NaN, 1)} / ${fmt(maxScaleRss, 1)} / ${fmt(r.scale.rssMb[r.scale.rssMb.length - 1] ?? NaN, 1)} |

${renderStorm(r.storm, r.opts.latencyMs)}
## Targets

| target | result |
|---|---|
| p99 ack within 1.2× the baseline | worst ratio ${fmt(worstP99, 2)}× — ${target(worstP99 <= 1.2)} |
| throughput at least 0.8× the baseline | worst ratio ${fmt(worstTput, 2)}× — ${target(worstTput >= 0.8)} |
| RSS under 150 MB | ${fmt(Math.max(r.botRss, maxScaleRss), 1)} MB — ${target(Math.max(r.botRss, maxScaleRss) < 150)} |
| start-up under 1.5 s | ${fmt(r.bot.ms, 0)} ms — ${target(r.bot.ms < 1500)} |
| storm: 429s per 1,000 Slack calls under 5 | ${fmt(per1000(r.storm), 2)} — ${target(per1000(r.storm) < 5)} |
| storm: every retried card shows its final status, every alert card posted once | ${r.storm.retryCardsFinal} of ${r.storm.alerts} final, ${r.storm.alertCards} of ${r.storm.alerts} alert cards, ${r.storm.duplicateCards} doubled — ${target(r.storm.retryCardsFinal === r.storm.alerts && r.storm.alertCards === r.storm.alerts && r.storm.duplicateCards === 0)} |
${r.profile ? `\n## CPU profile of the bot during the load phases (\`--profile\`)\n\n${r.profile}\n` : ''}`;
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
