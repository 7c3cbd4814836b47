import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Browser, Locator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandboxBot';
import { announceBrowser, browserTest, CHROMIUM_FOUND, launchChromium } from './browserSuite';

/**
 * The sandbox page in a real browser (a Chromium found by browserSuite.ts, driven by playwright-core): a person picks
 * who they are and the channel, types `/playbook …`, clicks buttons (confirm dialogs included) and
 * watches the cards the bot keeps current. Everything goes through the page's API and the bot's
 * signed `POST /slack/events`, as it would from Slack.
 */
jest.setTimeout(60_000);
announceBrowser('test/browser/sandbox.test.ts');
const WS = 'sandbox-workspace';
// From seedDemoInstances (src/sandbox/simulator/seed.ts).
const ID = {
  bruteForce: '3f2b8c1e-5d4a-4e8b-9c71-0a6f2d9e4b13', // FAILED, next run FINISHED
  phishing: '8a1d7e44-2c3b-4f5a-b6e8-91c0d3a7f2e5', // FAILED
  cryptoMiner: 'c47e2a90-6b1f-4d38-a5c2-7e9b0f1d3a64', // RUNNING
  portScan: '1b9f3d62-8e4c-47a1-9d0b-5c2e7a4f8b36', // RUNNING
  malware: '2d6a9f08-b4e3-4f1c-8d7a-c9e5b2f0a6d1', // RUNNING
};
const HOSTILE = '<img src=x onerror=alert(1)>';
// The README's picture is refreshed only on request (SANDBOX_SCREENSHOT=1 npx jest test/browser),
// so a test run never changes a committed file.
const SCREENSHOT = process.env.SANDBOX_SCREENSHOT === '1' ? path.resolve(__dirname, '..', '..', 'docs', 'sandbox.png') : path.join(os.tmpdir(), `sandbox-${process.pid}.png`);

let sandbox: Sandbox;
let browser: Browser;
let dataDir: string;
const logs: string[] = [];

interface Opened {
  page: Page;
  dialogs: string[];
  problems: string[];
  actionPosts: Array<Record<string, unknown>>;
}
const opened: Page[] = [];

beforeAll(async () => {
  if (!CHROMIUM_FOUND) return;
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-browser-'));
  const [sb, br] = await Promise.all([
    startSandbox({
      port: 0,
      logLevel: 'warn',
      dataDir,
      stepMs: 300,
      runningMs: 0,
      logStream: new Writable({
        write(chunk, _enc, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    }),
    launchChromium(),
  ]);
  sandbox = sb;
  browser = br;
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close().catch(() => undefined)));
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function open(user: string, channel = 'C0INCIDENT'): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  opened.push(page);
  const out: Opened = { page, dialogs: [], problems: [], actionPosts: [] };
  // A native dialog would mean injected script ran (alert(1)): record it, never block on it.
  page.on('dialog', (d) => {
    out.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => out.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon|Failed to load resource/.test(m.text() + (m.location().url ?? ''))) out.problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/sandbox/api/action')) out.actionPosts.push(JSON.parse(r.postData() ?? '{}') as Record<string, unknown>);
  });
  await page.goto(`${sandbox.url}?user=${user}&channel=${channel}`);
  await page.getByTestId('instance-row').first().waitFor();
  await page.locator('.live-on').waitFor();
  return out;
}

async function type(page: Page, text: string): Promise<void> {
  const composer = page.getByTestId('composer');
  await composer.fill(text);
  await composer.press('Enter');
}

/** A top-level message whose header block contains `title`. */
function card(page: Page, title: string): Locator {
  return page.getByTestId('message').filter({ has: page.getByTestId('block-header').filter({ hasText: title }) });
}

/** The card's "Status" field showing `status` (not "Status when asked"). */
function statusField(c: Locator, status: string): Locator {
  return c.getByTestId('field').filter({ hasText: new RegExp(`^Status\\s+\\S+\\s+${status}$`) });
}

function operationCalls(instanceId: string) {
  return sandbox.simulator.calls.filter((c) => c.method === 'POST' && c.path.includes(`/instances/${instanceId}`) && c.path.endsWith('/operation'));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

browserTest('the page is served with its CSP, and the pickers show the demo users and channels', async () => {
  const res = await fetch(sandbox.url);
  expect(res.headers.get('content-security-policy')).toBe("default-src 'self'; style-src 'self'; script-src 'self'");
  const { page, problems } = await open('U0RESPONDER');
  const users = await page.getByTestId('user-select').locator('option').allTextContents();
  expect(users).toEqual(['Riley (responder)', 'Lee (lead)', 'Olive (outsider)']);
  await page.getByTestId('user-role').filter({ hasText: /^responder: may view and retry/ }).waitFor();
  await expect(page.getByTestId('channel-G0PRIVATE').getAttribute('data-private')).resolves.toBe('true');
  await page.getByTestId('user-select').selectOption('U0LEAD');
  await page.getByTestId('user-role').filter({ hasText: /^lead:/ }).waitFor();
  await page.getByTestId('channel-C0SOC').click();
  await expect(page.getByTestId('channel-title').textContent()).resolves.toBe('#soc-alerts');
  expect(problems).toEqual([]);
});

browserTest('help renders from Block Kit as an ephemeral reply, with entities and code shown literally', async () => {
  const { page, problems } = await open('U0LEAD', 'C0SOC');
  await type(page, '/playbook help');
  const help = page.getByTestId('ephemeral').filter({ hasText: 'SecMaster playbooks from Slack' });
  await help.waitFor();
  await expect(help.textContent()).resolves.toContain('Only visible to you');
  const codes = await help.locator('code').allTextContents();
  expect(codes).toContain('/playbook retry <instance_id> [reason]');
  await expect(help.locator('strong').first().textContent()).resolves.toBe('SecMaster playbooks from Slack');
  await expect(help.getByTestId('context').textContent()).resolves.toContain('Typing the full command is the confirmation');
  expect(problems).toEqual([]);
});

browserTest('as the responder, a typed retry of a FAILED instance posts a card that reaches FINISHED', async () => {
  const { page, problems } = await open('U0RESPONDER');
  await type(page, `/playbook retry ${ID.bruteForce} blocked the wrong IP`);
  const c = card(page, 'Brute force on ecs-prod-01');
  await c.waitFor();
  await expect(c.textContent()).resolves.toContain('requested by @Riley (responder)');
  await statusField(c, 'FINISHED').waitFor({ timeout: 20_000 });
  expect(Number(await c.getAttribute('data-edits'))).toBeGreaterThan(0);
  // The thread reply when it finished, indented under its card with a count.
  await c.getByTestId('thread-count').filter({ hasText: /1 reply/ }).waitFor();
  await page.getByTestId('ephemeral').filter({ hasText: 'retry sent for Brute force on ecs-prod-01' }).waitFor();
  expect(operationCalls(ID.bruteForce)).toHaveLength(1);
  expect(sandbox.simulator.state.get(WS, ID.bruteForce)?.status).toBe('FINISHED');
  // A finished card offers no buttons.
  await expect(c.getByTestId('button').count()).resolves.toBe(0);
  expect(problems).toEqual([]);
});

browserTest('as the outsider, a retry is denied in an ephemeral reply and nothing reaches SecMaster', async () => {
  const { page, problems } = await open('U0OUTSIDER');
  await type(page, `/playbook retry ${ID.phishing}`);
  const denial = page.getByTestId('ephemeral').filter({ hasText: 'may not' });
  await denial.waitFor();
  await expect(denial.textContent()).resolves.toContain('Nothing was sent to SecMaster');
  expect(operationCalls(ID.phishing)).toHaveLength(0);
  // Ephemerals are per person: the responder does not see it.
  await page.getByTestId('user-select').selectOption('U0RESPONDER');
  await page.getByTestId('user-role').filter({ hasText: /^responder/ }).waitFor();
  await sleep(300);
  await expect(page.getByTestId('ephemeral').filter({ hasText: 'may not' }).count()).resolves.toBe(0);
  expect(problems).toEqual([]);
});

browserTest("a responder's terminate asks for approval; the lead approves through the confirm dialog and the card reaches TERMINATED", async () => {
  const { page, problems, actionPosts } = await open('U0RESPONDER');
  await type(page, `/playbook terminate ${ID.cryptoMiner} miner is spreading`);
  const approval = card(page, 'Approval needed · Terminate Crypto-miner on ecs-batch-07');
  await approval.waitFor();
  const text = await approval.textContent();
  expect(text).toContain('@Riley (responder) asks to terminate Crypto-miner on ecs-batch-07');
  expect(text).toContain('@Lee (lead), @leads');
  expect(text).toContain('miner is spreading');
  // <!date^…> is rendered as a local date, with Slack's fallback as its title.
  await expect(approval.locator('time.date').first().getAttribute('title')).resolves.toMatch(/UTC$/);
  await page.getByTestId('ephemeral').filter({ hasText: 'needs 1 approval' }).waitFor();
  const ts = await approval.getAttribute('data-ts');

  // The lead sees the card and the approval: the screenshot for the README.
  await page.getByTestId('user-select').selectOption('U0LEAD');
  await page.getByTestId('user-role').filter({ hasText: /^lead/ }).waitFor();
  await approval.getByTestId('button').first().waitFor();
  await page.setViewportSize({ width: 1440, height: 1000 });
  await sleep(300);
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });

  await approval.locator('[data-action-id="playbook_approve"]').click();
  const dialog = page.getByTestId('confirm-dialog');
  await dialog.waitFor();
  await expect(page.getByTestId('confirm-title').textContent()).resolves.toBe('Approve terminate?');
  await expect(page.getByTestId('confirm-ok').textContent()).resolves.toBe('Approve');
  expect(actionPosts).toHaveLength(0);
  await page.getByTestId('confirm-ok').click();
  await dialog.waitFor({ state: 'hidden' });

  const same = page.locator(`[data-testid="message"][data-ts="${ts}"]`);
  await statusField(same, 'TERMINATED').waitFor({ timeout: 20_000 });
  await same.getByTestId('section').filter({ hasText: 'Approved by @Lee (lead)' }).waitFor();
  expect(actionPosts).toEqual([expect.objectContaining({ user: 'U0LEAD', channel: 'C0INCIDENT', messageTs: ts, actionId: 'playbook_approve' })]);
  expect(operationCalls(ID.cryptoMiner)).toHaveLength(1);
  expect(sandbox.simulator.state.get(WS, ID.cryptoMiner)?.status).toBe('TERMINATED');
  expect(problems).toEqual([]);
});

browserTest('a confirm dialog is honoured: Cancel sends nothing and leaves the card; OK terminates', async () => {
  const { page, problems, actionPosts } = await open('U0LEAD', 'C0SOC');
  await page.getByTestId('alert-severity').selectOption('critical');
  await page.locator(`[data-testid="instance-row"][data-id="${ID.portScan}"]`).getByTestId('raise-alert').click();
  const alertCard = card(page, 'Alert · Port scan from 198.51.100.23');
  await alertCard.waitFor();
  await expect(alertCard.textContent()).resolves.toContain('severity critical');
  await statusField(alertCard, 'RUNNING').waitFor();
  const edits = await alertCard.getAttribute('data-edits');
  const terminate = alertCard.locator('[data-action-id="playbook_terminate"]');

  await terminate.click();
  const dialog = page.getByTestId('confirm-dialog');
  await dialog.waitFor();
  await expect(page.getByTestId('confirm-title').textContent()).resolves.toBe('Terminate this playbook instance?');
  await expect(page.getByTestId('confirm-cancel').textContent()).resolves.toBe('Keep it running');
  await expect(page.getByTestId('confirm-text').textContent()).resolves.toContain(`Port scan from 198.51.100.23 (${ID.portScan}) will be stopped`);
  await page.getByTestId('confirm-cancel').click();
  await dialog.waitFor({ state: 'hidden' });
  await sleep(1000);
  expect(actionPosts).toHaveLength(0);
  expect(operationCalls(ID.portScan)).toHaveLength(0);
  await expect(alertCard.getAttribute('data-edits')).resolves.toBe(edits);
  await statusField(alertCard, 'RUNNING').waitFor();
  expect(sandbox.simulator.state.get(WS, ID.portScan)?.status).toBe('RUNNING');

  // Escape closes it too, without sending.
  await terminate.click();
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  expect(actionPosts).toHaveLength(0);

  await terminate.click();
  await dialog.waitFor();
  await page.getByTestId('confirm-ok').click();
  await statusField(alertCard, 'TERMINATED').waitFor({ timeout: 20_000 });
  expect(actionPosts).toEqual([expect.objectContaining({ user: 'U0LEAD', channel: 'C0SOC', actionId: 'playbook_terminate', value: ID.portScan })]);
  expect(operationCalls(ID.portScan)).toHaveLength(1);
  expect(problems).toEqual([]);
});

browserTest('the Home tab renders for the lead and its Approve button decides a pending request', async () => {
  const { page, problems, actionPosts } = await open('U0RESPONDER');
  await type(page, `/playbook terminate ${ID.malware} hash matches a known dropper`);
  const approval = card(page, 'Approval needed · Terminate Malware hash on laptop-231');
  await approval.waitFor();
  const ts = await approval.getAttribute('data-ts');

  await page.getByTestId('user-select').selectOption('U0LEAD');
  await page.getByTestId('nav-home').click();
  const home = page.getByTestId('home');
  await home.getByTestId('block-header').filter({ hasText: 'SecMaster playbooks' }).waitFor();
  const waiting = home.getByTestId('section').filter({ hasText: 'Malware hash on laptop-231' });
  await waiting.waitFor();
  await expect(waiting.textContent()).resolves.toContain('asked by @Riley (responder)');
  await home.locator('[data-action-id="playbook_approve"]').first().click();
  await page.waitForFunction(() => document.querySelector('[data-testid="home"]')?.textContent?.includes('Nothing waits for you') ?? false, undefined, { timeout: 20_000 });
  expect(actionPosts).toEqual([expect.objectContaining({ user: 'U0LEAD', home: true, actionId: 'playbook_approve' })]);
  expect(actionPosts[0]).not.toHaveProperty('channel');

  await page.getByTestId('channel-C0INCIDENT').click();
  await statusField(page.locator(`[data-testid="message"][data-ts="${ts}"]`), 'TERMINATED').waitFor({ timeout: 20_000 });
  expect(problems).toEqual([]);
});

browserTest('a hostile instance name is shown literally, never as HTML', async () => {
  const hostile = sandbox.simulator.state.add(WS, { name: HOSTILE, status: 'FAILED' });
  const { page, dialogs, problems, actionPosts } = await open('U0LEAD');
  const row = page.locator(`[data-testid="instance-row"][data-id="${hostile.id}"]`);
  await expect(row.locator('.instance-name').textContent()).resolves.toBe(HOSTILE);
  await row.getByTestId('raise-alert').click();
  const alertCard = card(page, `Alert · ${HOSTILE}`);
  await alertCard.waitFor();
  await expect(alertCard.getByTestId('block-header').textContent()).resolves.toBe(`Alert · ${HOSTILE}`);
  // The title went through mrkdwn escaping (&lt;…&gt;) and comes back as the same literal text.
  await expect(alertCard.getByTestId('section').first().textContent()).resolves.toContain(`Suspicious activity: ${HOSTILE}`);
  await page.getByText(HOSTILE, { exact: true }).first().waitFor();

  // `status` answers with an ephemeral card; its Retry button (an ephemeral click) posts the
  // channel's status card: both show the name as text.
  await type(page, `/playbook status ${hostile.id}`);
  const statusCard = page.getByTestId('ephemeral').filter({ has: page.getByTestId('block-header').filter({ hasText: `Playbook instance · ${HOSTILE}` }) });
  await statusCard.waitFor();
  await statusCard.locator('[data-action-id="playbook_retry"]').click();
  const channelCard = card(page, `Playbook instance · ${HOSTILE}`);
  await statusField(channelCard, 'FINISHED').waitFor({ timeout: 20_000 });
  expect(actionPosts).toEqual([expect.objectContaining({ user: 'U0LEAD', channel: 'C0INCIDENT', ephemeral: true, actionId: 'playbook_retry', value: hostile.id })]);
  expect(actionPosts[0]).not.toHaveProperty('messageTs');
  await sleep(500);
  await expect(page.locator('main img, aside img').count()).resolves.toBe(0);
  expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
  expect(dialogs).toEqual([]);
  expect(problems).toEqual([]);
});

browserTest('raise alert via SMN: the page publishes a signed SMN message; the bot verifies it and posts the alert card', async () => {
  const { page, problems } = await open('U0LEAD', 'C0INCIDENT');
  // At start-up the sandbox topic subscribed the bot, which confirmed it over HTTPS.
  await page.getByTestId('smn-status').filter({ hasText: 'subscription confirmed by the bot' }).waitFor();
  const delivered = sandbox.smn.deliveries.length;

  await page.getByTestId('alert-title').fill('Privilege escalation seen by SecMaster');
  await page.getByTestId('alert-channel').selectOption('C0SOC');
  await page.getByTestId('alert-severity').selectOption('critical');
  const row = page.getByTestId('instance-row').filter({ hasText: 'Privilege escalation on k8s-node-4' });
  await row.getByTestId('raise-smn-alert').click();

  const alertCard = card(page, 'Alert · Privilege escalation on k8s-node-4');
  await alertCard.waitFor();
  await expect(page.getByTestId('channel-title').textContent()).resolves.toBe('#soc-alerts');
  await expect(alertCard.textContent()).resolves.toContain('Privilege escalation seen by SecMaster');
  await expect(alertCard.textContent()).resolves.toContain('severity critical');
  await statusField(alertCard, 'FAILED').waitFor();
  await alertCard.locator('[data-action-id="playbook_retry"]').waitFor();
  await page.getByTestId('smn-status').filter({ hasText: `${delivered + 1} deliveries` }).waitFor();

  // What travelled: one signed Notification, answered 200 by the bot's POST /smn; the bot fetched
  // the topic's certificate over HTTPS (once, at the confirmation) and the card is the bot's.
  const last = sandbox.smn.deliveries.at(-1)!;
  expect(last.body).toMatchObject({ type: 'Notification', topic_urn: sandbox.smn.topicUrn, signature_version: 'v1', signing_cert_url: sandbox.smn.certUrl });
  expect(last.body.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
  expect(last.status).toBe(200);
  expect(JSON.parse(last.body.message!)).toMatchObject({ title: 'Privilege escalation seen by SecMaster', severity: 'critical', channel: 'C0SOC' });
  expect(sandbox.smn.requests.filter((r) => r.endsWith('.pem'))).toHaveLength(1);
  const posted = sandbox.slack.messages.filter((m) => m.channel === 'C0SOC' && m.text.includes('Privilege escalation seen by SecMaster'));
  expect(posted).toHaveLength(1);
  expect(posted[0]!.botId).toBe(sandbox.slack.botId);
  expect(problems).toEqual([]);
});

browserTest('run as workflow step: the page sends the signed function_executed and shows what Slack receives; the same execution ID again does nothing more', async () => {
  const { page, problems } = await open('U0LEAD', 'C0INCIDENT');
  const target = sandbox.simulator.state.list('sandbox-workspace').find((i) => i.status === 'FAILED' && operationCalls(i.id).length === 0)!;
  await page.getByTestId('step-callback').selectOption('retry_playbook_instance');
  await page.getByTestId('step-execution').fill('FxBROWSER1');
  await page.getByTestId('step-reason').fill('approved in the workflow');
  const row = page.getByTestId('instance-row').filter({ hasText: target.id });
  await row.getByTestId('run-step').click();
  const result = page.getByTestId('step-result');
  await result.filter({ hasText: 'Slack would receive functions.completeSuccess' }).waitFor();
  const shown = (await result.textContent()) ?? '';
  const post = operationCalls(target.id);
  expect(post).toHaveLength(1);
  expect(JSON.parse(shown.slice(shown.indexOf('{')))).toEqual({ function_execution_id: 'FxBROWSER1', outputs: { status: 'RETRYING', request_id: post[0]!.requestId } });
  // A fresh execution ID is offered for the next run; typing the old one again is Slack's redelivery.
  await expect(page.getByTestId('step-execution').inputValue()).resolves.not.toBe('FxBROWSER1');
  await page.getByTestId('step-execution').fill('FxBROWSER1');
  await row.getByTestId('run-step').click();
  await result.filter({ hasText: 'Redelivered FxBROWSER1: the bot did nothing more' }).waitFor();
  expect(operationCalls(target.id)).toHaveLength(1);
  expect(sandbox.slack.completions.filter((c) => c.executionId === 'FxBROWSER1')).toHaveLength(1);
  expect(problems).toEqual([]);
});

browserTest('the sandbox logged no errors', () => {
  expect(logs.filter((l) => /"level":"error"/.test(l))).toEqual([]);
});
