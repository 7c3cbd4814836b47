import type { Block, ButtonElement } from '../../../src/slack/blocks/kit';
import { renderHome, type HomeInput } from '../../../src/slack/blocks/homeView';
import type { ApprovalState, AuditOutcome } from '../../../src/core';
import { HOSTILE_ERROR, HOSTILE_NAME, HUGE_NAME, plainTexts } from '../blockKitLimits';
import { REQUESTER_MENTION, approval, auditRecord, expectSafe, json } from '../fixtures';

/** A stored row's outcome as the database hands it back: the type is closed, the column is text, and the Home tab shows whatever it holds escaped. */
const stored = (outcome: string) => outcome as AuditOutcome;

const empty: HomeInput = { toDecide: [], myApprovals: [], myOperations: [] };
const buttons = (blocks: Block[]): ButtonElement[] => blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
const texts = (blocks: Block[]) => blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : b.type === 'context' ? b.elements.map((e) => e.text) : []));

describe('renderHome', () => {
  it('empty: says nothing waits and nothing was asked', () => {
    const v = renderHome(empty);
    expectSafe(v, 'home');
    expect(v.type).toBe('home');
    expect(plainTexts(v)[0]).toBe('SecMaster playbooks');
    expect(texts(v.blocks)).toEqual(['*Waiting for your decision* (0)', 'Nothing waits for you.', '*Your recent requests*', 'You have not asked for anything yet. Try `/playbook help`.']);
    expect(buttons(v.blocks)).toEqual([]);
  });

  it('shows a banner', () => {
    expect(texts(renderHome({ ...empty, banner: ':warning: SecMaster is unreachable.' }).blocks)).toContain(':warning: SecMaster is unreachable.');
  });

  it('approvals to decide: a line each with Approve and Reject carrying the approval ID', () => {
    const v = renderHome({ ...empty, toDecide: [approval({ id: 'apr_1' }), approval({ id: 'apr_2', operation: 'RETRY', reason: undefined })] });
    expectSafe(v, 'home');
    const t = texts(v.blocks);
    expect(t[0]).toBe('*Waiting for your decision* (2)');
    expect(t[1]).toMatch(
      new RegExp(`^\\*TERMINATE\\* \\*Block malicious IP 203\\.0\\.113\\.7\\* \\(\`inst-0001\`\\) in <#C0INCIDENT> — asked by ${REQUESTER_MENTION}: “runaway loop”\\n0 of 2 approvals · expires <!date\\^`),
    );
    expect(t[2]).toMatch(/^\*RETRY\* .* asked by <@U0RESP>\n/);
    expect(buttons(v.blocks).map((b) => [b.action_id, b.value, b.style])).toEqual([
      ['playbook_approve', 'apr_1', 'primary'],
      ['playbook_reject', 'apr_1', 'danger'],
      ['playbook_approve', 'apr_2', 'primary'],
      ['playbook_reject', 'apr_2', 'danger'],
    ]);
    expect(v.blocks.filter((b) => b.type === 'actions').map((b) => b.block_id)).toEqual(['home_apr_1', 'home_apr_2']);
  });

  it.each<[ApprovalState, string]>([
    ['pending', ':hourglass_flowing_sand:'],
    ['approved', ':white_check_mark:'],
    ['executed', ':white_check_mark:'],
    ['rejected', ':no_entry:'],
    ['expired', ':hourglass:'],
    ['void', ':warning:'],
    ['failed', ':x:'],
  ])('my approval in state %s shows %s and the state', (state, emoji) => {
    const v = renderHome({ ...empty, myApprovals: [approval({ state })] });
    expectSafe(v, 'home');
    const line = texts(v.blocks).find((t) => t.includes('State:'))!;
    expect(line.startsWith(`${emoji} *TERMINATE*`)).toBe(true);
    expect(line.endsWith(`State: *${state}*`)).toBe(true);
  });

  it('my operations: operation, instance, outcome, time and channel', () => {
    const v = renderHome({ ...empty, myOperations: [auditRecord(), auditRecord({ operation: undefined, instance_id: undefined, channel: undefined, outcome: 'denied' })] });
    expectSafe(v, 'home');
    const t = texts(v.blocks);
    expect(t).toContainEqual(expect.stringMatching(/^RETRY `inst-0001` → \*done\* · <!date\^\d+\^.*> · <#C0INCIDENT>$/));
    expect(t).toContainEqual(expect.stringMatching(/^ {2}→ \*denied\* · <!date\^/));
  });

  it.each<[string, string | undefined, string]>([
    ['invalid_status', 'status FINISHED', 'not possible: it was FINISHED'],
    ['invalid_status', undefined, 'not possible in the status it had'],
    ['not_found', undefined, 'instance not found'],
    ['not_in_role', 'no role of yours', 'denied: none of your roles may'],
    ['self_approval', undefined, 'refused: nobody approves their own request'],
    ['unavailable', 'SecMaster down', 'SecMaster could not be reached'],
    ['outcome_unknown', undefined, 'outcome unknown (no clear answer from SecMaster)'],
  ])('my operations: outcome %s (detail %s) is shown in words, "%s", never as the code', (outcome, detail, words) => {
    const v = renderHome({ ...empty, myOperations: [auditRecord({ outcome: stored(outcome), detail })] });
    expectSafe(v, 'home');
    const line = texts(v.blocks).find((t) => t.startsWith('RETRY'))!;
    expect(line).toContain(`→ *${words}* · `);
    expect(json(v.blocks)).not.toContain(outcome);
  });

  it('my operations: the instance name where known, with its ID; the bare ID where not', () => {
    const v = renderHome({
      ...empty,
      myOperations: [auditRecord({ instance_id: 'inst-0001' }), auditRecord({ instance_id: 'inst-0002' })],
      instanceNames: new Map([['inst-0001', 'Block <!channel> IP']]),
    });
    expectSafe(v, 'home');
    const t = texts(v.blocks).filter((l) => l.startsWith('RETRY'));
    expect(t[0]).toMatch(/^RETRY \*Block &lt;!channel&gt; IP\* \(`inst-0001`\) → \*done\* · /);
    expect(t[1]).toMatch(/^RETRY `inst-0002` → \*done\* · /);
  });

  it('caps each list (15 to decide, 10 approvals, 15 operations) and stays within 100 blocks', () => {
    const many = (n: number, state: ApprovalState) => Array.from({ length: n }, (_, i) => approval({ id: `apr_${state}_${i}`, state }));
    const v = renderHome({
      banner: 'b',
      toDecide: many(200, 'pending'),
      myApprovals: many(200, 'rejected'),
      myOperations: Array.from({ length: 200 }, () => auditRecord()),
    });
    expectSafe(v, 'home');
    expect(buttons(v.blocks).filter((b) => b.action_id === 'playbook_approve')).toHaveLength(15);
    expect(texts(v.blocks).filter((t) => t.includes('State: *rejected*'))).toHaveLength(10);
    expect(texts(v.blocks).filter((t) => t.startsWith('RETRY `inst-0001`'))).toHaveLength(15);
    expect(v.blocks.length).toBeLessThanOrEqual(100);
  });

  it('hostile approvals and audit rows: escaped, requester still mentioned', () => {
    const hostile = approval({ instanceName: HOSTILE_NAME, reason: HOSTILE_NAME, channel: '<!channel>', instanceId: 'inst-0001' });
    const v = renderHome({
      toDecide: [hostile],
      myApprovals: [hostile],
      myOperations: [auditRecord({ operation: '<!channel>', instance_id: '<@U123>', outcome: stored(HOSTILE_ERROR), at: '<https://evil.example|now>', channel: '<!here>' })],
    });
    expectSafe(v, 'home');
    expect(json(v.blocks)).toContain(REQUESTER_MENTION);
    expect(texts(v.blocks)[1]).toContain('*🔥 &lt;!channel&gt; ping');
  });

  it('huge approvals and audit rows stay within limits', () => {
    const huge = Array.from({ length: 20 }, (_, i) => approval({ id: `apr_${i}`, instanceName: HUGE_NAME, reason: HUGE_NAME, channel: HUGE_NAME, instanceId: HUGE_NAME }));
    const v = renderHome({
      banner: HUGE_NAME.replace(/[<>&]/g, ''),
      toDecide: huge,
      myApprovals: huge,
      myOperations: Array.from({ length: 20 }, () => auditRecord({ operation: HUGE_NAME, instance_id: HUGE_NAME, outcome: stored(HUGE_NAME), at: HUGE_NAME, channel: HUGE_NAME })),
    });
    expectSafe(v, 'home');
  });
});
