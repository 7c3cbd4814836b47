import type { Watch } from '../../../src/core';
import type { NewWatch } from '../../../src/operations/watcher';
import { createCardService, createCardWatchSink } from '../../../src/slack/cards/cardService';
import { PRIORITY } from '../../../src/slack/outbound/priority';
import { createRecordingGateway, type RecordingGateway } from '../../fakes/gateway';
import { createWorld, CHANNEL, USERS, WS, type World } from '../../fakes/world';
import { instance } from '../fixtures';

/**
 * Status cards (interface.md §4): posted with chat.postMessage, kept current with chat.update,
 * recorded so a later click knows which instance a card is about, and followed by a watch until a
 * final status. Real in-memory store; a recording gateway and watcher.
 */
let w: World;
let gateway: RecordingGateway;
let watched: NewWatch[];
let yielded: string[];
const order: string[] = [];

beforeEach(() => {
  w = createWorld();
  gateway = createRecordingGateway();
  watched = [];
  yielded = [];
  order.length = 0;
  const inner = gateway.updateMessage;
  gateway.updateMessage = (...args) => (order.push('update'), inner(...args));
});
afterEach(() => w.close());

const cards = () =>
  createCardService({
    gateway,
    store: w.store,
    watcher: { watch: async (x) => void watched.push(x), yieldCard: async (c, ts) => void (yielded.push(`${c}:${ts}`), order.push('yield')) },
    defaultWorkspaceId: WS,
    owner: 'replica-unit',
    leaseMs: 10_000,
    logger: w.logger,
    now: w.now,
  });
const target = { workspaceId: WS, instanceId: 'inst-1' };
const card = { kind: 'status' as const, requester: USERS.responder, operation: 'RETRY' as const, requestId: 'rid-9' };

describe('publish', () => {
  it('a new card is posted, recorded for later clicks, and watched from its own ts', async () => {
    const res = await cards().publish({ channel: CHANNEL, instance: instance({ id: 'inst-1', status: 'RETRYING' }), target, card, placement: { kind: 'new' } });
    expect(res.ok).toBe(true);
    const ts = res.ok ? res.value.ts : '';
    expect(gateway.sent.map((s) => s.method)).toEqual(['postMessage']);
    expect(gateway.sent[0]!.msg!.text.length).toBeGreaterThan(0);
    expect(JSON.stringify(gateway.sent[0]!.msg!.blocks)).toContain('RETRYING');
    expect(await w.store.getCard(CHANNEL, ts)).toMatchObject({ instanceId: 'inst-1', workspaceId: WS, context: card });
    expect(watched).toEqual([expect.objectContaining({ instanceId: 'inst-1', channel: CHANNEL, messageTs: ts, threadTs: ts, lastStatus: 'RETRYING', requester: USERS.responder })]);
  });

  it('the clicked card is taken from its watcher first, then updated in place; replies go to its parent thread', async () => {
    const res = await cards().publish({ channel: CHANNEL, instance: instance({ id: 'inst-1', status: 'TERMINATING' }), target, card, placement: { kind: 'update', ts: '111.222', threadTs: '100.000' } });
    expect(res).toEqual({ ok: true, value: { ts: '111.222' } });
    expect(order).toEqual(['yield', 'update']);
    expect(yielded).toEqual([`${CHANNEL}:111.222`]);
    expect(watched[0]).toMatchObject({ messageTs: '111.222', threadTs: '100.000' });
  });

  it('a reply in another app\'s thread is posted in that thread', async () => {
    await cards().publish({ channel: CHANNEL, instance: instance({ id: 'inst-1', status: 'RETRYING' }), target, card, placement: { kind: 'thread', threadTs: '555.000' } });
    expect(gateway.sent[0]).toMatchObject({ method: 'postMessage', threadTs: '555.000' });
    expect(watched[0]).toMatchObject({ threadTs: '555.000' });
  });

  it('a final status is not watched', async () => {
    await cards().publish({ channel: CHANNEL, instance: instance({ id: 'inst-1', status: 'FINISHED' }), target, card, placement: { kind: 'new' } });
    expect(watched).toEqual([]);
  });

  it('a post Slack refuses is answered with its error: nothing recorded, nothing watched', async () => {
    gateway.failNext('postMessage', 'not_in_channel');
    const res = await cards().publish({ channel: CHANNEL, instance: instance({ id: 'inst-1', status: 'RETRYING' }), target, card, placement: { kind: 'new' } });
    expect(res).toEqual({ ok: false, error: 'not_in_channel' });
    expect(watched).toEqual([]);
  });
});

describe('the watch sink', () => {
  const sink = () => createCardWatchSink({ gateway, defaultWorkspaceId: WS, watchTimeoutMs: 60_000, logger: w.logger });
  const watch: Watch = { id: `${CHANNEL}:111.222`, ...target, channel: CHANNEL, messageTs: '111.222', threadTs: '111.222', requester: USERS.responder, lastStatus: 'RETRYING', card, intervalMs: 1000, nextPollAt: 0, startedAt: 0, deadline: 1 };

  it('a status change queues the card update as an intermediate status (the queue stores it and sends the newest)', async () => {
    expect(await sink().statusChanged(watch, instance({ id: 'inst-1', status: 'RUNNING' }))).toBe(true);
    expect(gateway.sent).toEqual([expect.objectContaining({ method: 'queueCardUpdate', channel: CHANNEL, ts: '111.222', priority: PRIORITY.progress })]);
    expect(JSON.stringify(gateway.sent[0]!.msg!.blocks)).toContain('RUNNING');
    expect(gateway.sent[0]!.reply).toBeUndefined();
  });

  it('a final status is queued ahead of intermediate ones, with its thread reply mentioning the requester', async () => {
    expect(await sink().reachedFinal(watch, instance({ id: 'inst-1', status: 'FINISHED' }))).toBe(true);
    expect(gateway.sent.map((s) => s.method)).toEqual(['queueCardUpdate']);
    expect(gateway.sent[0]!.priority).toBe(PRIORITY.person);
    expect(gateway.sent[0]!.priority).toBeLessThan(PRIORITY.progress);
    expect(gateway.sent[0]!.reply).toMatchObject({ threadTs: '111.222' });
    expect(JSON.stringify(gateway.sent[0]!.reply!.message)).toContain(`<@${USERS.responder}>`);
  });

  it('a watch that stopped without an instance to show says so in the thread', async () => {
    await sink().stopped(watch, 'not_found');
    expect(gateway.sent).toEqual([expect.objectContaining({ method: 'postMessage', threadTs: '111.222' })]);
  });
});
