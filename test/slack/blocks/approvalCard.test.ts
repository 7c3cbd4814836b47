import { renderApprovalCard, type ApprovalCardInput } from '../../../src/slack/blocks/approvalCard';
import type { Block, ButtonElement } from '../../../src/slack/blocks/kit';
import type { ApprovalState } from '../../../src/core';
import { HOSTILE_NAME, HUGE_NAME, plainTexts } from '../blockKitLimits';
import { REQUESTER_MENTION, T0, approval, expectSafe, json } from '../fixtures';

function input(over: Partial<ApprovalCardInput> = {}): ApprovalCardInput {
  return { approval: approval(), audience: { users: ['U0LEAD'], usergroups: ['S0LEADS'], everyone: false }, ...over };
}
const buttons = (blocks: Block[]): ButtonElement[] => blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
const mrkdwn = (blocks: Block[]) =>
  blocks
    .flatMap((b) => (b.type === 'section' ? [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)] : b.type === 'context' ? b.elements.map((e) => e.text) : []))
    .join('\n');

describe('renderApprovalCard: pending', () => {
  const m = renderApprovalCard(input());
  const text = mrkdwn(m.blocks);

  it('is within limits', () => {
    expectSafe(m);
  });

  it('names the requester, the operation, the instance and the reason', () => {
    expect(plainTexts(m)[0]).toBe('Approval needed · Terminate Block malicious IP 203.0.113.7');
    expect(text).toContain(`${REQUESTER_MENTION} asks to *terminate* *Block malicious IP 203.0.113.7* (\`inst-0001\`).\nReason: “runaway loop”`);
    expect(text).toContain('*Operation*\nTERMINATE');
    expect(text).toContain('*Status when asked*\n:arrows_counterclockwise: *RUNNING*');
    expect(text).toContain(`*Requester*\n${REQUESTER_MENTION} (cannot approve)`);
  });

  it('mentions the approvers: users and user groups', () => {
    expect(text).toContain('*Who may approve*\n<@U0LEAD>, <!subteam^S0LEADS>');
  });

  it('counts approvals and names who approved', () => {
    expect(text).toContain('*Approvals*\n0 of 2');
    const voted = mrkdwn(renderApprovalCard(input({ approval: approval({ votes: [{ userId: 'U0LEAD', at: T0 }] }) })).blocks);
    expect(voted).toContain('*Approvals*\n1 of 2 — <@U0LEAD>');
  });

  it('shows the expiry as a date token and the rule and approval ID', () => {
    expect(text).toContain('*Expires*\n<!date^1741066567^');
    expect(text).toContain('Rule `rules[4]` · approval `apr_7f3a9c`');
  });

  it('has Approve (primary, with confirm) and Reject (danger), both carrying only the approval ID', () => {
    const [approve, reject] = buttons(m.blocks);
    expect(approve).toMatchObject({ action_id: 'playbook_approve', value: 'apr_7f3a9c', style: 'primary' });
    expect(approve!.confirm).toMatchObject({ title: { text: 'Approve terminate?' }, style: 'danger' });
    expect(approve!.confirm!.text.text).toContain('*terminate* on *Block malicious IP 203.0.113.7* (`inst-0001`)');
    expect(reject).toEqual({ type: 'button', text: { type: 'plain_text', text: 'Reject', emoji: true }, action_id: 'playbook_reject', value: 'apr_7f3a9c', style: 'danger' });
  });

  it('a retry approval confirms with primary style', () => {
    const [approve] = buttons(renderApprovalCard(input({ approval: approval({ operation: 'RETRY' }) })).blocks);
    expect(approve!.confirm!.style).toBe('primary');
  });

  it('the fallback text names the operation, instance, requester and count', () => {
    expect(m.text).toBe(`Approval needed: Terminate Block malicious IP 203.0.113.7 (inst-0001), asked by ${REQUESTER_MENTION} — 0 of 2 approvals`);
  });

  it('"anyone in the team" when "*" may approve', () => {
    expect(mrkdwn(renderApprovalCard(input({ audience: { users: [], usergroups: [], everyone: true } })).blocks)).toContain('*Who may approve*\nanyone in the team');
    expect(mrkdwn(renderApprovalCard(input({ audience: { users: [], usergroups: [], everyone: false } })).blocks)).toContain('*Who may approve*\n—');
  });

  it('without a reason or a status: no Reason line, "—" for the status', () => {
    const t = mrkdwn(renderApprovalCard(input({ approval: approval({ reason: undefined, instanceStatus: undefined }) })).blocks);
    expect(t).not.toContain('Reason:');
    expect(t).toContain('*Status when asked*\n—');
  });

  it('falls back to the instance ID without a name', () => {
    expect(plainTexts(renderApprovalCard(input({ approval: approval({ instanceName: ' ' }) })))[0]).toBe('Approval needed · Terminate inst-0001');
  });
});

describe('renderApprovalCard: decided', () => {
  it.each<ApprovalState>(['approved', 'rejected', 'expired', 'void', 'executed', 'failed'])('%s: no buttons, the outcome line, "Expiry"', (state) => {
    const m = renderApprovalCard(input({ approval: approval({ state }), outcome: `:no_entry: ${state} by <@U0LEAD>` }));
    expectSafe(m);
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(plainTexts(m)[0]).toMatch(/^Approval request · /);
    const t = mrkdwn(m.blocks);
    expect(t).toContain(`:no_entry: ${state} by <@U0LEAD>`);
    expect(t).toContain('*Expiry*\n');
  });
});

describe('renderApprovalCard: hostile and huge data', () => {
  it('escapes names, reasons, statuses, and refuses non-ID mentions', () => {
    const m = renderApprovalCard(
      input({
        approval: approval({ instanceName: HOSTILE_NAME, reason: HOSTILE_NAME, instanceStatus: '<!channel>', rule: '<!here>', votes: [{ userId: '<@U123>', at: T0 }] }),
        audience: { users: ['U0LEAD', '<!channel>', 'U123>'], usergroups: ['S0LEADS', '<!subteam^S0EVIL>'], everyone: true },
      }),
    );
    expectSafe(m);
    expect(json(m.blocks)).toContain(REQUESTER_MENTION);
    expect(m.text).toContain(REQUESTER_MENTION);
    expect(json(m.blocks)).toContain('<@U0LEAD>');
    expect(json(m.blocks)).toContain('<!subteam^S0LEADS>');
    expect(mrkdwn(m.blocks)).toContain('Reason: “🔥 &lt;!channel&gt;');
  });

  it('stays within limits with 10 000-character texts and hundreds of approvers and votes', () => {
    const users = Array.from({ length: 800 }, (_, i) => `U${String(i).padStart(9, '0')}`);
    const m = renderApprovalCard(
      input({
        approval: approval({ instanceName: HUGE_NAME, reason: HUGE_NAME, instanceStatus: HUGE_NAME, rule: HUGE_NAME, votes: users.map((userId) => ({ userId, at: T0 })), count: 10 }),
        audience: { users, usergroups: users.map((u) => u.replace('U', 'S')), everyone: true },
        outcome: HUGE_NAME.replace(/[<>&]/g, ''),
      }),
    );
    expectSafe(m);
  });
});
