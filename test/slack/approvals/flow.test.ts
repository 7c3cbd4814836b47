import { createApprovalRequests } from '../../../src/approvals/requests';
import { createApprovalService } from '../../../src/approvals/service';
import { createOperationsService } from '../../../src/operations/service';
import { createApprovalFlow } from '../../../src/slack/approvals/flow';
import { createCardService } from '../../../src/slack/cards/cardService';
import { presentOutcome } from '../../../src/slack/present/outcome';
import type { SlackMessage } from '../../../src/slack/blocks/kit';
import { createRecordingGateway, type RecordingGateway } from '../../fakes/gateway';
import { createWorld, principal, CHANNEL, USERS, WS, type World } from '../../fakes/world';

/**
 * The operations service only records an approval; the Slack side posts its card after
 * (interface.md §4: "the request posts an approval card in the channel … mentioning the
 * approvers"). A card that cannot be posted leaves an approval nobody could approve: it is void.
 */
let w: World;
let gateway: RecordingGateway;
let replies: SlackMessage[];

beforeEach(() => {
  w = createWorld();
  gateway = createRecordingGateway();
  replies = [];
  w.seed('inst-1', 'RUNNING');
});
afterEach(() => w.close());

async function requestTermination() {
  const approvalRequests = createApprovalRequests({ store: w.store, audit: w.audit, now: w.now });
  const ops = createOperationsService({ policy: () => w.policy, groups: { isMember: async () => false }, secmaster: w.secmaster, store: w.store, audit: w.audit, approvalRequests, operationsPerUserPerMinute: 100, defaultWorkspaceId: WS, now: w.now });
  const approvals = createApprovalService({ store: w.store, audit: w.audit, policy: () => w.policy, groups: { isMember: async () => false }, ops, defaultWorkspaceId: WS, now: w.now });
  const cards = createCardService({ gateway, store: w.store, watcher: { watch: async () => undefined, yieldCard: async () => undefined }, defaultWorkspaceId: WS, owner: 'replica-unit', leaseMs: 10_000, logger: w.logger, now: w.now });
  const approvalFlow = createApprovalFlow({ approvals, gateway, cards, policy: () => w.policy, logger: w.logger });
  const target = { workspaceId: WS, instanceId: 'inst-1' };
  const outcome = await ops.requestOperation({ principal: principal(USERS.responder), operation: 'TERMINATE', target });
  expect(outcome.code).toBe('approval_requested');
  // Nothing reached Slack while the operations service held the instance.
  expect(gateway.sent).toEqual([]);
  await presentOutcome({ cards, approvalFlow }, { outcome, target, channel: CHANNEL, requester: USERS.responder, placement: { kind: 'new' }, via: 'command', reply: async (m) => void replies.push(m) });
  return (outcome as { approval: { id: string } }).approval.id;
}

it('the card is posted in the request channel after the approval is recorded, mentioning the approvers, and its ts stored', async () => {
  const id = await requestTermination();
  expect(gateway.sent.map((s) => [s.method, s.channel])).toEqual([['postMessage', CHANNEL]]);
  const card = JSON.stringify(gateway.sent[0]!.msg);
  expect(card).toContain('playbook_approve');
  expect(card).toContain('playbook_reject');
  expect(card).toContain(`<@${USERS.lead}>`);
  const stored = await w.store.getApproval(id);
  expect(stored).toMatchObject({ state: 'pending' });
  expect(stored!.messageTs).toMatch(/^\d+\.\d+$/);
  expect(replies).toHaveLength(1);
  expect(replies[0]!.text).toContain(`<#${CHANNEL}>`);
});

it('a card Slack refuses makes the approval void (audited), and the requester is told why', async () => {
  gateway.failNext('postMessage', 'not_in_channel');
  const id = await requestTermination();
  expect(await w.store.getApproval(id)).toMatchObject({ state: 'void' });
  expect((await w.auditRows()).map((r) => [r.event, r.outcome])).toContainEqual(['void', 'card_not_posted']);
  expect(replies).toHaveLength(1);
  expect(replies[0]!.text).toContain('not_in_channel');
});
