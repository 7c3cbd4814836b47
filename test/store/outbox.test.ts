import type { CardIntent, Store } from '../../src/store/types';
import { postgresBackend, sqliteBackend, type Backend } from './databases';

/**
 * The stored Slack work (migration 5) on both databases: a card's newest state replaces an older
 * one still pending, an old state's send never deletes a newer one, the final reply is handed out
 * once, and leases hand a dead replica's cards and updates to one other replica.
 */
const T = 1_700_000_000_000;
const LEASE = 10_000;

function intent(id: string, over: Partial<CardIntent> = {}): CardIntent {
  return {
    id,
    channel: 'C0INCIDENT',
    workspaceId: 'ws-1',
    instanceId: `inst-${id}`,
    message: { text: `card ${id}`, blocks: [] },
    context: { kind: 'alert', title: 'Disk full' },
    status: 'RUNNING',
    priority: 1,
    owner: 'replica-a',
    leaseUntil: T + LEASE,
    createdAt: T,
    ...over,
  };
}

const update = (text: string, over: Record<string, unknown> = {}) => ({
  channel: 'C0INCIDENT',
  messageTs: '1700000000.000100',
  message: { text, blocks: [] },
  priority: 2,
  owner: 'replica-a',
  leaseUntil: T + LEASE,
  updatedAt: T,
  ...over,
});

describe.each<[string, () => Backend]>([
  ['sqlite', sqliteBackend],
  ['postgres', postgresBackend],
])('outbox store: %s', (_name, makeBackend) => {
  const backend = makeBackend();
  let store: Store;
  beforeAll(() => backend.setup());
  afterAll(async () => {
    await backend.closeAll();
    await backend.teardown();
  });
  beforeEach(async () => {
    store = await (await backend.create()).store();
  });

  it('a newer state of one card replaces the pending one, keeps the more urgent priority and the reply', async () => {
    const reply = { threadTs: '1700000000.000100', message: { text: 'FINISHED', blocks: [] } };
    expect(await store.savePendingUpdate(update('RUNNING', { priority: 0, reply }))).toBe(1);
    expect(await store.savePendingUpdate(update('FINISHED', { priority: 2 }))).toBe(2);
    const row = await store.getPendingUpdate('C0INCIDENT', '1700000000.000100');
    expect(row).toMatchObject({ version: 2, message: { text: 'FINISHED' }, priority: 0, reply });
    expect(await store.countOutbox()).toEqual({ intents: 0, updates: 1 });
  });

  it('finishing an old version keeps the newer state; finishing the newest deletes it and hands its reply out once', async () => {
    const reply = { threadTs: 't', message: { text: 'done', blocks: [] } };
    await store.savePendingUpdate(update('RETRYING'));
    await store.savePendingUpdate(update('FINISHED', { reply }));
    expect(await store.finishPendingUpdate('C0INCIDENT', '1700000000.000100', 1)).toEqual({ finished: false });
    expect((await store.getPendingUpdate('C0INCIDENT', '1700000000.000100'))?.message).toEqual({ text: 'FINISHED', blocks: [] });
    expect(await store.finishPendingUpdate('C0INCIDENT', '1700000000.000100', 2)).toEqual({ finished: true, reply });
    expect(await store.finishPendingUpdate('C0INCIDENT', '1700000000.000100', 2)).toEqual({ finished: false });
    expect(await store.getPendingUpdate('C0INCIDENT', '1700000000.000100')).toBeUndefined();
  });

  it('only leases that ran out are taken over, each by one claimer; the heartbeat keeps live ones', async () => {
    await store.saveCardIntent(intent('a'));
    await store.saveCardIntent(intent('b', { owner: 'replica-b', leaseUntil: T + 1 }));
    await store.savePendingUpdate(update('X', { owner: 'replica-b', leaseUntil: T + 1 }));
    await store.renewOutboxLeases('replica-a', T, T + 5 * LEASE);
    const at = T + 2 * LEASE;
    const [first, second] = await Promise.all([store.claimOrphanedCardIntents('replica-c', at, LEASE, 10), store.claimOrphanedCardIntents('replica-d', at, LEASE, 10)]);
    expect([...first, ...second].map((i) => i.id)).toEqual(['b']);
    const claimed = [...first, ...second][0]!;
    expect(claimed).toMatchObject({ channel: 'C0INCIDENT', instanceId: 'inst-b', message: { text: 'card b' }, context: { kind: 'alert', title: 'Disk full' }, status: 'RUNNING', leaseUntil: at + LEASE });
    expect((await store.claimOrphanedPendingUpdates('replica-c', at, LEASE, 10)).map((u) => u.message)).toEqual([{ text: 'X', blocks: [] }]);
    expect(await store.claimOrphanedPendingUpdates('replica-d', at, LEASE, 10)).toEqual([]);
  });

  it('a released intent or lease is claimable at once (the heartbeat does not take it back); a deleted intent is gone', async () => {
    await store.saveCardIntent(intent('a'));
    await store.saveCardIntent(intent('b'));
    await store.releaseCardIntent('a');
    await store.renewOutboxLeases('replica-a', T, T + LEASE);
    expect((await store.claimOrphanedCardIntents('replica-c', T, LEASE, 10)).map((i) => i.id)).toEqual(['a']);
    await store.releaseOutboxLeases('replica-a');
    await store.deleteCardIntent('a');
    expect((await store.claimOrphanedCardIntents('replica-d', T, LEASE, 10)).map((i) => i.id)).toEqual(['b']);
    expect(await store.countOutbox()).toEqual({ intents: 1, updates: 0 });
  });

  it('a dropped update is gone', async () => {
    await store.savePendingUpdate(update('X'));
    await store.dropPendingUpdate('C0INCIDENT', '1700000000.000100');
    expect(await store.getPendingUpdate('C0INCIDENT', '1700000000.000100')).toBeUndefined();
  });
});
