import { runLoad, type LoadTarget } from './load';

/**
 * The load generator in a process of its own, so that the stand-ins' work (which the bot causes
 * more of than the bare app) never delays the clock that measures acknowledgements. Reads one job
 * as JSON on stdin, writes the result as JSON on stdout.
 */
interface Job {
  target: Omit<LoadTarget, 'channelFor' | 'responseUrl'> & { channels: string[]; responseUrls: Record<string, string> };
  kind: 'command' | 'click';
  concurrency: number;
  ids: string[];
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const job = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Job;
  const { channels, responseUrls, ...rest } = job.target;
  const target: LoadTarget = {
    ...rest,
    channelFor: (i) => channels[i % channels.length]!,
    responseUrl: (user, channel) => responseUrls[`${user}:${channel}`] ?? responseUrls['*']!,
  };
  const result = await runLoad(target, job.kind, job.concurrency, job.ids);
  process.stdout.write(JSON.stringify(result));
}

main().catch((err) => {
  process.stderr.write(String(err));
  process.exit(1);
});
