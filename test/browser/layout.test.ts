import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandboxBot';
import { announceBrowser, browserTest, CHROMIUM_FOUND, launchChromium } from './browserSuite';

/**
 * The sandbox page at a laptop's and a phone's width, measured in the browser
 * (getBoundingClientRect, scrollWidth against clientWidth), its icon, the list's paging buttons and
 * the reset control. The screenshots under docs/ are refreshed only on request
 * (SANDBOX_SCREENSHOT=1 npx jest test/browser/layout.test.ts), so a test run changes no committed file.
 */
jest.setTimeout(60_000);
announceBrowser('test/browser/layout.test.ts');

const WS = 'sandbox-workspace';
const BRUTE_FORCE = '3f2b8c1e-5d4a-4e8b-9c71-0a6f2d9e4b13';
const CRYPTO_MINER = 'c47e2a90-6b1f-4d38-a5c2-7e9b0f1d3a64';
const PRIVILEGE_ESCALATION = 'b8c5f3e1-2a7d-4d96-9f0e-6c4b1a8d3e72';
const screenshot = (name: string) => (process.env.SANDBOX_SCREENSHOT === '1' ? path.resolve(__dirname, '..', '..', 'docs', name) : path.join(os.tmpdir(), `${process.pid}-${name}`));

let sandbox: Sandbox;
let browser: Browser;
let dataDir: string;
const opened: Page[] = [];

beforeAll(async () => {
  if (!CHROMIUM_FOUND) return;
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-layout-'));
  [sandbox, browser] = await Promise.all([
    startSandbox({ port: 0, logLevel: 'warn', dataDir, stepMs: 300, runningMs: 0, logStream: new Writable({ write: (_c, _e, done) => done() }) }),
    launchChromium(),
  ]);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close().catch(() => undefined)));
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A page at this size; `problems` collects every console error and failed request (a 404 icon included). */
async function open(width: number, height: number, user = 'U0LEAD'): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height } });
  opened.push(page);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} ${m.location().url ?? ''}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${sandbox.url}?user=${user}&channel=C0INCIDENT`);
  await page.getByTestId('instance-row').first().waitFor({ state: 'attached' });
  await page.locator('.live-on').waitFor();
  return { page, problems };
}

async function type(page: Page, text: string): Promise<void> {
  const composer = page.getByTestId('composer');
  await composer.fill(text);
  await composer.press('Enter');
}

/**
 * What is as wide as the page gets: a list, a status card of one's own and, last (the
 * screenshot's view), a channel's status card followed to its final status.
 */
async function fillChannel(page: Page, retry: { id: string; name: string }): Promise<void> {
  const ephemerals = page.getByTestId('ephemeral');
  const before = await ephemerals.count();
  await type(page, '/playbook list');
  await ephemerals.nth(before).filter({ hasText: 'page 1 of 2' }).waitFor();
  await type(page, `/playbook status ${BRUTE_FORCE}`);
  await ephemerals.nth(before + 1).filter({ hasText: 'Brute force on ecs-prod-01' }).waitFor();
  await type(page, `/playbook retry ${retry.id} checked with the asset owner`);
  const card = page.getByTestId('message').filter({ has: page.getByTestId('block-header').filter({ hasText: `Playbook instance · ${retry.name}` }) });
  await card.getByTestId('field').filter({ hasText: /^Status\s+\S+\s+FINISHED$/ }).waitFor({ timeout: 20_000 });
  await card.getByTestId('thread-count').waitFor();
}

interface Box { x: number; y: number; width: number; height: number; right: number }
const box = (page: Page, selector: string): Promise<Box> =>
  page.evaluate((s) => {
    const r = document.querySelector(s)!.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height, right: r.right };
  }, selector);

/** Every element that scrolls sideways, as `selector scrollWidth>clientWidth`. */
const sidewaysScrollers = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    ['html', 'body', '.topbar', '.layout', '.sidebar', '#main', '#messages', '.composer']
      .map((s) => [s, document.querySelector(s)!] as const)
      .filter(([, e]) => e.scrollWidth > e.clientWidth)
      .map(([s, e]) => `${s} ${e.scrollWidth}>${e.clientWidth}`),
  );

/** Visible elements of the page (not of the drawer) whose right edge is past the viewport: they would be cut off. */
const cutOff = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('.topbar *, .sidebar *, #main *'))
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.right > window.innerWidth + 0.5;
      })
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`),
  );

browserTest('at 1024 px (a laptop) the three columns stay, and the message pane keeps its room', async () => {
  const { page, problems } = await open(1024, 768);
  await fillChannel(page, { id: BRUTE_FORCE, name: 'Brute force on ecs-prod-01' });
  const messages = await box(page, '#messages');
  const panel = await box(page, '.panel');
  // Before: 823 px wide but 265 px tall, under a panel that took 40% of the height.
  expect(messages.width).toBeGreaterThanOrEqual(500);
  expect(messages.height).toBeGreaterThanOrEqual(450);
  expect(panel.width).toBeGreaterThanOrEqual(280);
  expect(panel.x).toBeGreaterThanOrEqual(messages.right - 1);
  expect(panel.right).toBeLessThanOrEqual(1024);
  await expect(page.getByTestId('panel-toggle').isVisible()).resolves.toBe(false);
  expect(await sidewaysScrollers(page)).toEqual([]);
  expect(await cutOff(page)).toEqual([]);
  mkdirSync(path.dirname(screenshot('x')), { recursive: true });
  await page.screenshot({ path: screenshot('sandbox-1024.png') });
  expect(problems).toEqual([]);
});

browserTest('at 390 px (a phone) nothing scrolls sideways, and the simulator panel is a drawer that opens and closes', async () => {
  const { page, problems } = await open(390, 844);
  await fillChannel(page, { id: PRIVILEGE_ESCALATION, name: 'Privilege escalation on k8s-node-4' });
  expect(await sidewaysScrollers(page)).toEqual([]);
  expect(await cutOff(page)).toEqual([]);
  const messages = await box(page, '#messages');
  expect(messages.width).toBeGreaterThanOrEqual(360);
  expect(messages.height).toBeGreaterThanOrEqual(450);

  // Collapsed: the panel takes no room; the top bar's button says it is closed.
  const toggle = page.getByTestId('panel-toggle');
  await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
  await expect(page.getByTestId('panel').isVisible()).resolves.toBe(false);
  await page.screenshot({ path: screenshot('sandbox-390.png') });

  await toggle.click();
  await page.getByTestId('panel').waitFor();
  await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
  const panel = await box(page, '.panel');
  expect(panel.x).toBeGreaterThanOrEqual(0);
  expect(panel.right).toBeLessThanOrEqual(390);
  expect(panel.height).toBeGreaterThanOrEqual(800);
  expect(await sidewaysScrollers(page)).toEqual([]);
  expect(await page.evaluate(() => Array.from(document.querySelectorAll('.panel *')).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).length)).toBe(0);

  // A fill chip puts the command in the composer and closes the drawer, so the composer shows.
  await page.locator(`[data-testid="instance-row"][data-id="${BRUTE_FORCE}"]`).getByTestId('fill-status').click();
  await page.getByTestId('panel').waitFor({ state: 'hidden' });
  await expect(page.getByTestId('composer').inputValue()).resolves.toBe(`/playbook status ${BRUTE_FORCE}`);
  await expect(page.getByTestId('composer').isVisible()).resolves.toBe(true);

  // The close button and Escape close it too.
  await toggle.click();
  await page.getByTestId('panel-close').click();
  await page.getByTestId('panel').waitFor({ state: 'hidden' });
  await toggle.click();
  await page.getByTestId('panel').waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('panel').waitFor({ state: 'hidden' });
  expect(problems).toEqual([]);
});

browserTest('/favicon.ico is served as an icon the browser can draw, and no request of the page fails', async () => {
  const res = await fetch(sandbox.url.replace(/\/sandbox$/, '/favicon.ico'));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/x-icon');
  const bytes = Buffer.from(await res.arrayBuffer());
  // ICONDIR: reserved 0, type 1 (icon), at least one image.
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)]).toEqual([0, 1]);
  expect(bytes.readUInt16LE(4)).toBeGreaterThanOrEqual(1);

  const { page, problems } = await open(1440, 900);
  const drawn = await page.evaluate(async () => {
    const img = new Image();
    img.src = '/favicon.ico';
    await img.decode();
    return img.naturalWidth;
  });
  expect(drawn).toBeGreaterThanOrEqual(16);
  await expect(page.locator('link[rel="icon"]').getAttribute('href')).resolves.toBe('/favicon.ico');
  expect(problems).toEqual([]);
});

browserTest('"Older ›" replaces the list with its next page, in place, instead of adding a second list', async () => {
  const { page, problems } = await open(1440, 900, 'U0RESPONDER');
  const ephemerals = page.getByTestId('ephemeral');
  await type(page, '/playbook help');
  await ephemerals.nth(0).filter({ hasText: 'SecMaster playbooks from Slack' }).waitFor();
  await type(page, '/playbook list');
  const lists = ephemerals.filter({ has: page.getByTestId('block-header').filter({ hasText: /^Instances · page/ }) });
  await ephemerals.nth(1).filter({ hasText: 'page 1 of 2' }).waitFor();
  await type(page, '/playbook can retry');
  await ephemerals.nth(2).waitFor();
  const order = () => page.getByTestId('messages').locator(':scope > article').evaluateAll((els) => els.map((e) => (e.textContent ?? '').match(/page \d of \d/)?.[0] ?? 'other'));
  const before = await order();

  await lists.locator('button', { hasText: 'Older ›' }).click();
  await lists.filter({ hasText: 'page 2 of 2' }).waitFor();
  await expect(lists.count()).resolves.toBe(1);
  // The same place among the other messages: only the page changed.
  expect(await order()).toEqual(before.map((t) => (t === 'page 1 of 2' ? 'page 2 of 2' : t)));

  await lists.locator('button', { hasText: '‹ Newer' }).click();
  await lists.filter({ hasText: 'page 1 of 2' }).waitFor();
  await expect(lists.count()).resolves.toBe(1);
  expect(await order()).toEqual(before);
  expect(problems).toEqual([]);
});

browserTest('the reset control asks first; Keep them changes nothing, Reset brings the seeds back', async () => {
  const { page, problems } = await open(1440, 900);
  sandbox.simulator.state.operate(WS, CRYPTO_MINER, 'TERMINATE');
  const added = sandbox.simulator.state.add(WS, { name: 'added before the reset', status: 'FAILED' });
  const row = (id: string) => page.locator(`[data-testid="instance-row"][data-id="${id}"]`);
  await row(CRYPTO_MINER).and(page.locator('[data-status="TERMINATED"]')).waitFor({ timeout: 10_000 });
  await row(added.id).waitFor();

  await page.getByTestId('reset-instances').click();
  await page.getByTestId('confirm-dialog').waitFor();
  await expect(page.getByTestId('confirm-title').textContent()).resolves.toBe('Reset the demo instances?');
  await page.getByTestId('confirm-cancel').click();
  await page.getByTestId('confirm-dialog').waitFor({ state: 'hidden' });
  await new Promise((r) => setTimeout(r, 500));
  expect(sandbox.simulator.state.get(WS, added.id)).toBeDefined();

  await page.getByTestId('reset-instances').click();
  await page.getByTestId('confirm-ok').click();
  await row(added.id).waitFor({ state: 'detached' });
  await row(CRYPTO_MINER).and(page.locator('[data-status="RUNNING"]')).waitFor();
  await expect(page.getByTestId('instance-row').count()).resolves.toBe(12);
  await page.getByTestId('toast').filter({ hasText: 'The 12 demo instances are back as seeded' }).waitFor();
  expect(problems).toEqual([]);
});
