import { CHANNELS, startHarness, USERS, waitFor, type Harness } from '../harness';

/**
 * A process that dies between an approval reaching its count and recording the operation's outcome
 * leaves the approval `approved`. After a grace period the expiry loop closes it as failed, once,
 * says so on the card and to the requester, and sends nothing again.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

test('an approval left "approved" by a crash is closed, the card and the requester are told, nothing is resent', async () => {
  const id = h.addInstance('RUNNING', { name: 'interrupted approval' });
  await h.command(USERS.responder, CHANNELS.incident, `terminate ${id}`);
  const card = await waitFor(() => h.channelMessages(CHANNELS.incident).find((m) => m.text.startsWith('Approval needed') && m.text.includes(id)), 5000, 'approval card');
  const [approval] = await h.bot.deps.store.listApprovals({ states: ['pending'], instanceId: id, limit: 1 });
  // What a crash right after the count was reached leaves behind: approved three minutes ago, no outcome.
  expect(await h.bot.deps.store.transitionApproval(approval!.id, 'pending', 'approved', { decidedBy: USERS.lead, decidedAt: Date.now() - 3 * 60_000 })).toBe(true);

  await waitFor(() => JSON.stringify(card.blocks).includes('stopped before it could record'), 5000, 'the card to say so');
  expect((await h.bot.deps.store.getApproval(approval!.id))!.state).toBe('failed');
  await waitFor(() => h.slack.messages.find((m) => m.threadTs === card.ts && m.text.includes(`<@${USERS.responder}>`)), 5000, 'the requester told');
  expect(JSON.stringify(card.blocks)).not.toContain('playbook_approve');
  expect(h.sim.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${id}/operation`))).toHaveLength(0);
  expect(h.logs.filter((l) => l.includes('"outcome":"interrupted"') && l.includes(approval!.id))).toHaveLength(1);
});
