import { CHANNELS, USERS, waitFor, WS, type Harness } from '../harness';
import {
  approvalCardFor,
  auditLines,
  auditRows,
  buttonsIn,
  clickOnCard,
  freshChannel,
  operationPosts,
  requestTerminate,
  shown,
  startApprovalHarness,
  waitForPrivate,
  waitForStatusCard,
} from './helpers';

/**
 * Asking for approval (interface.md §4 Approvals, §5, §7): a responder's TERMINATE posts an
 * approval card and runs nothing; a second request for the same instance while one waits asks
 * nothing new; and one approval's audit trail, read from the SQLite table, in order.
 */
let h: Harness;

beforeAll(async () => {
  h = await startApprovalHarness();
});

afterAll(async () => {
  await h?.stop();
});

test("a responder's terminate of a RUNNING instance posts an approval card, tells the requester, and sends nothing to SecMaster", async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Contain host db-07' });
  const askedAt = Date.now();
  const { card, approvalId, note } = await requestTerminate(h, channel, id, 'lateral movement seen from db-07');

  // Posted into the request's channel with chat.postMessage, with a fallback text.
  const post = h.slack.calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === channel && String(c.args.text).startsWith('Approval needed'));
  expect(post).toBeDefined();
  expect(card.text.length).toBeGreaterThan(0);

  // The buttons carry an opaque approval ID, never the instance ID.
  const buttons = buttonsIn(card.blocks);
  expect(buttons.map((b) => b.action_id).sort()).toEqual(['playbook_approve', 'playbook_reject']);
  expect(approvalId).toMatch(/^apr_[A-Za-z0-9_-]{8,}$/);
  for (const b of buttons) {
    expect(b.value).toBe(approvalId);
    expect(b.value).not.toContain(id);
  }

  // It names the requester, the operation, the instance (name, ID, status), the reason, the approvers, the count and the expiry.
  const text = shown(card);
  expect(text).toContain(`<@${USERS.responder}>`);
  expect(text).toContain('*terminate*');
  expect(text).toContain('TERMINATE');
  expect(text).toContain('Contain host db-07');
  expect(text).toContain(id);
  expect(text).toContain('RUNNING');
  expect(text).toContain('lateral movement seen from db-07');
  expect(text).toContain(`<@${USERS.lead}>`);
  expect(text).toContain(`<@${USERS.lead2}>`);
  expect(text).not.toContain('<!subteam^');
  expect(text).toContain('0 of 1');
  const expires = /Expires\*\\n<!date\^(\d+)\^/.exec(text);
  expect(expires).not.toBeNull();
  const expiresMs = Number(expires![1]) * 1000;
  // DEFAULT_POLICY: expires_after 30m, counted from the request.
  expect(expiresMs).toBeGreaterThanOrEqual(Math.floor(askedAt / 1000) * 1000 + 30 * 60_000 - 1000);
  expect(expiresMs).toBeLessThanOrEqual(Date.now() + 30 * 60_000);

  // The requester alone is told it waits for approval.
  expect(note).toContain('needs 1 approval');
  expect(note).toContain('`lead`');
  expect(note).toContain(`<#${channel}>`);
  expect(h.slack.ephemerals.filter((e) => e.channel === channel && e.user !== USERS.responder)).toHaveLength(0);

  // The instance was read, but not operated on.
  expect(h.sim.calls.some((c) => c.method === 'GET' && c.path.endsWith(`/instances/${id}`))).toBe(true);
  expect(operationPosts(h, id)).toHaveLength(0);
  expect(h.sim.state.get(WS, id)!.status).toBe('RUNNING');

  // Audit: stored and written as a JSON line.
  const rows = auditRows(h, { approvalId });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ event: 'approval_asked', operation: 'TERMINATE', instance_id: id, workspace_id: WS, user_id: USERS.responder, channel, outcome: 'pending' });
  const line = auditLines(h.logs).find((a) => a.event === 'approval_asked' && a.instance_id === id);
  expect(line).toMatchObject({ event: 'approval_asked', operation: 'TERMINATE', instance_id: id, workspace_id: WS, user: USERS.responder, channel, outcome: 'pending' });
  expect(Object.keys(line!)).toEqual(expect.arrayContaining(['event', 'operation', 'instance_id', 'workspace_id', 'user', 'channel', 'outcome', 'request_id', 'at']));
});

test('a second terminate request for the same instance while one waits is told so, and no second card is posted', async () => {
  const channel = freshChannel(h);
  const elsewhere = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Already asked' });
  const { approvalId } = await requestTerminate(h, channel, id, 'first ask');

  await h.command(USERS.responder, channel, `terminate ${id} asking again`);
  const again = await waitForPrivate(h, USERS.responder, channel, /already waits for approval/, 'the requester is told it already waits');
  expect(again).toContain(`<@${USERS.responder}>`);
  // Another responder, from another channel: the same pending request answers.
  await h.command(USERS.responder2, elsewhere, `terminate ${id} me too`);
  await waitForPrivate(h, USERS.responder2, elsewhere, /already waits for approval/, 'the second responder is told it already waits');

  expect(h.slack.messages.filter((m) => m.text.includes(id) && !m.threadTs)).toHaveLength(1);
  expect(approvalCardFor(h, elsewhere, id)).toBeUndefined();
  expect(auditRows(h, { instanceId: id }).filter((r) => r.event === 'approval_asked').map((r) => r.approval_id)).toEqual([approvalId]);
  expect(operationPosts(h, id)).toHaveLength(0);
});

test("one approval's audit rows, in order: approval_asked → approved → executed", async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Audit walk' });
  const { card, approvalId } = await requestTerminate(h, channel, id, 'audit walk');
  await clickOnCard(h, USERS.lead, channel, card, 'playbook_approve', approvalId);
  await waitForStatusCard(card, 'TERMINATED');
  const rows = await waitFor(() => {
    const r = auditRows(h, { approvalId });
    return r.some((x) => x.event === 'executed') && r;
  }, 5000, 'the executed audit row');

  console.log(
    [`audit rows of approval ${approvalId} (instance ${id}):`, ...rows.map((r) => `  #${r.id} ${r.at} ${r.event} op=${r.operation} user=${r.user_id} channel=${r.channel} outcome=${r.outcome} request_id=${r.request_id ?? '-'} detail=${r.detail ?? '-'}`)].join('\n'),
  );

  expect(rows.map((r) => r.event)).toEqual(['approval_asked', 'approved', 'executed']);
  expect(rows.map((r) => r.user_id)).toEqual([USERS.responder, USERS.lead, USERS.lead]);
  expect(rows.map((r) => r.outcome)).toEqual(['pending', 'approved', 'done']);
  for (const r of rows) expect(r).toMatchObject({ operation: 'TERMINATE', instance_id: id, workspace_id: WS, channel, approval_id: approvalId });
  // The executed row carries SecMaster's request ID of the operation call.
  const post = operationPosts(h, id);
  expect(post).toHaveLength(1);
  expect(rows[2]!.request_id).toBe(post[0]!.requestId);
  // Times never go backwards along the trail.
  const times = rows.map((r) => Date.parse(r.at));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
});

test("the requester's reason is escaped on the card: it can mention nobody and forge no link", async () => {
  const channel = freshChannel(h);
  const id = h.addInstance('RUNNING', { name: 'Name <!here> & co' });
  const { card } = await requestTerminate(h, channel, id, '<!channel> look <https://evil.example|here> & <@U0LEAD2>');
  // What Slack parses for mentions and links: the fallback text and every mrkdwn text object
  // (plain_text, like the header, is shown literally).
  const mrkdwn: string[] = [card.text];
  JSON.stringify(card.blocks, (_k, v: unknown) => {
    const t = v as { type?: string; text?: unknown };
    if (t && t.type === 'mrkdwn' && typeof t.text === 'string') mrkdwn.push(t.text);
    return v;
  });
  const text = mrkdwn.join('\n');
  expect(mrkdwn.length).toBeGreaterThan(5);
  expect(text).toContain('&lt;!channel&gt; look &lt;https://evil.example|here&gt; &amp; &lt;@U0LEAD2&gt;');
  expect(text).toContain('Name &lt;!here&gt; &amp; co');
  expect(text).not.toContain('<!channel>');
  expect(text).not.toContain('<!here>');
  expect(text).not.toContain('<https://evil.example');
});

test('when the approval card cannot be posted (private channel without the bot), the requester is told how to fix it and nothing stays pending', async () => {
  const channel = CHANNELS.private;
  const id = h.addInstance('RUNNING', { name: 'Nowhere to ask' });
  await h.command(USERS.responder, channel, `terminate ${id} in a private channel`);
  const told = await waitForPrivate(h, USERS.responder, channel, /could not post the approval request/, 'the requester is told the card could not be posted');
  expect(told).toContain('/invite');
  expect(h.slack.messages.some((m) => m.text.includes(id))).toBe(false);
  const rows = auditRows(h, { instanceId: id });
  expect(rows.map((r) => [r.event, r.outcome])).toEqual([
    ['approval_asked', 'pending'],
    ['void', 'card_not_posted'],
  ]);
  // Not left pending: asking again (after inviting the bot) asks again rather than "already waits".
  h.slack.channels.get(channel)!.botMember = true;
  try {
    await h.command(USERS.responder, channel, `terminate ${id} after the invite`);
    await waitFor(() => approvalCardFor(h, channel, id), 5000, 'the approval card after the invite');
  } finally {
    h.slack.channels.get(channel)!.botMember = false;
  }
  expect(operationPosts(h, id)).toHaveLength(0);
});
