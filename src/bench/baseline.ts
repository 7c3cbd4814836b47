import { App } from '@slack/bolt';

/**
 * The floor the benchmark compares against: a bare Bolt app (the same Bolt version) that acks and
 * posts one message, with Bolt's defaults. Started as its own process by the benchmark:
 * `node dist/bench/baseline.js <port> <slackApiUrl> <signingSecret> <botToken>`.
 */
async function main(): Promise<void> {
  const [port, slackApiUrl, signingSecret, token] = process.argv.slice(2);
  const app = new App({ token, signingSecret, clientOptions: { slackApiUrl } });
  app.command('/playbook', async ({ ack, client, command }) => {
    await ack();
    await client.chat.postMessage({ channel: command.channel_id, text: `ok: ${command.text}` });
  });
  app.action(/.*/, async ({ ack, client, body }) => {
    await ack();
    const channel = (body as { channel?: { id?: string } }).channel?.id ?? 'C0BENCH';
    await client.chat.postMessage({ channel, text: 'clicked' });
  });
  await app.start(Number(port));
  process.stdout.write(`${JSON.stringify({ message: 'baseline started', port: Number(port) })}\n`);
  process.on('SIGTERM', () => {
    app.stop().finally(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(`baseline failed: ${String(err)}\n`);
  process.exit(1);
});
