import { renderStatusCard, type StatusCardInput } from '../../../src/slack/blocks/statusCard';
import type { Block, ButtonElement } from '../../../src/slack/blocks/kit';
import { HOSTILE_NAME, HUGE_NAME, plainTexts } from '../blockKitLimits';
import { BUTTONS_BY_STATUS, DEFAULT_WS, REQUESTER_MENTION, card, expectSafe, hostileInstance, hugeInstance, instance, json, target } from '../fixtures';

function input(over: Partial<StatusCardInput> = {}): StatusCardInput {
  return { instance: instance(), target: target(), defaultWorkspaceId: DEFAULT_WS, card: card(), buttons: true, ...over };
}

const buttonsOf = (blocks: Block[]): ButtonElement[] => blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
const actionIds = (blocks: Block[]) => buttonsOf(blocks).map((b) => b.action_id);
/** All mrkdwn a person reads on the card (section text and fields, context). */
const mrkdwnOf = (blocks: Block[]) =>
  blocks
    .flatMap((b) => (b.type === 'section' ? [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)] : b.type === 'context' ? b.elements.map((e) => e.text) : []))
    .join('\n');

describe('renderStatusCard: what the card shows', () => {
  const msg = renderStatusCard(input());
  const text = mrkdwnOf(msg.blocks);

  it('is within Slack limits, with a fallback text', () => {
    expectSafe(msg);
    expect(msg.text).toBe(`Playbook instance Block malicious IP 203.0.113.7 (inst-0001) is FAILED · retry requested by ${REQUESTER_MENTION}`);
  });

  it('has a header with the instance name', () => {
    expect(msg.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Playbook instance · Block malicious IP 203.0.113.7', emoji: true } });
  });

  it('shows the instance ID, playbook name and version, the raw status word', () => {
    expect(text).toContain('*Instance*\n`inst-0001`');
    expect(text).toContain('*Playbook*\nIsolate host (v3)');
    expect(text).toContain('*Status*\n:x: *FAILED*');
    expect(text).toContain('*Trigger*\nEVENT');
    expect(text).toContain('*Data object*\nAlert 42: brute force');
  });

  it('shows who asked, why, who approved, and the SecMaster request ID', () => {
    expect(text).toContain(`*Retry* requested by ${REQUESTER_MENTION}: “flaky step, see INC-42”`);
    expect(text).toContain('Approved by <@U0LEAD>');
    expect(text).toContain('SecMaster request ID `req-abc-123`');
    expect(text).toContain('Workspace `ws-default`');
  });

  it('names several approvers', () => {
    const t = mrkdwnOf(renderStatusCard(input({ card: card({ approvers: ['U0LEAD', 'U0BOSS'] }) })).blocks);
    expect(t).toContain('Approved by <@U0LEAD>, <@U0BOSS>');
  });

  it('without requester, approvers, request ID or reason: no empty lines or labels for them', () => {
    const bare = renderStatusCard(input({ card: { kind: 'status' } }));
    expectSafe(bare);
    const t = mrkdwnOf(bare.blocks);
    expect(t).not.toMatch(/requested by|Approved by|request ID/);
    expect(bare.text).toBe('Playbook instance Block malicious IP 203.0.113.7 (inst-0001) is FAILED');
  });

  it('falls back to the ID when the instance has no name', () => {
    const m = renderStatusCard(input({ instance: instance({ name: '   ' }) }));
    expect(plainTexts(m)[0]).toBe('Playbook instance · inst-0001');
  });

  it('shows "—" for a missing playbook', () => {
    expect(mrkdwnOf(renderStatusCard(input({ instance: instance({ playbook: undefined }) })).blocks)).toContain('*Playbook*\n—');
  });

  it('an alert card shows its title and severity', () => {
    const m = renderStatusCard(input({ card: { kind: 'alert', title: 'Suspicious login', severity: 'high' } }));
    expectSafe(m);
    expect(plainTexts(m)[0]).toBe('Alert · Block malicious IP 203.0.113.7');
    expect(mrkdwnOf(m.blocks)).toContain(':rotating_light: *Suspicious login*  ·  severity *high*');
    expect(m.text).toMatch(/^Alert: Suspicious login · Playbook instance/);
  });

  it('shows a note line', () => {
    expect(mrkdwnOf(renderStatusCard(input({ note: ':hourglass: Stopped watching after 1h.' })).blocks)).toContain(':hourglass: Stopped watching after 1h.');
  });
});

describe('renderStatusCard: buttons only as the status allows', () => {
  it.each(BUTTONS_BY_STATUS)('%s → %j', (status, expected) => {
    const m = renderStatusCard(input({ instance: instance({ status }) }));
    expectSafe(m);
    expect(actionIds(m.blocks)).toEqual(expected);
    if (expected.length === 0) expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('Retry is primary and carries the instance ID', () => {
    const [retry] = buttonsOf(renderStatusCard(input({ instance: instance({ status: 'FAILED' }) })).blocks);
    expect(retry).toEqual({ type: 'button', text: { type: 'plain_text', text: 'Retry', emoji: true }, action_id: 'playbook_retry', value: 'inst-0001', style: 'primary' });
  });

  it('Terminate is danger and always has a confirm dialog naming the instance', () => {
    for (const status of ['RUNNING', 'RETRYING']) {
      const [terminate] = buttonsOf(renderStatusCard(input({ instance: instance({ status }) })).blocks);
      expect(terminate).toMatchObject({ action_id: 'playbook_terminate', style: 'danger', value: 'inst-0001' });
      expect(terminate!.confirm).toMatchObject({
        title: { type: 'plain_text', text: 'Terminate this playbook instance?' },
        confirm: { type: 'plain_text', text: 'Terminate' },
        deny: { type: 'plain_text', text: 'Keep it running' },
        style: 'danger',
      });
      expect(terminate!.confirm!.text.text).toContain('*Block malicious IP 203.0.113.7* (`inst-0001`)');
    }
  });

  it('"Why did it fail?" on FAILED has no style (never null)', () => {
    const explain = buttonsOf(renderStatusCard(input()).blocks).find((b) => b.action_id === 'playbook_explain')!;
    expect(explain).toEqual({ type: 'button', text: { type: 'plain_text', text: 'Why did it fail?', emoji: true }, action_id: 'playbook_explain', value: 'inst-0001' });
    expect('style' in explain).toBe(false);
  });

  it('carries the JSON value for an instance of another workspace', () => {
    const [retry] = buttonsOf(renderStatusCard(input({ target: target('inst-0001', 'ws-other') })).blocks);
    expect(JSON.parse(retry!.value!)).toEqual({ instance_id: 'inst-0001', workspace_id: 'ws-other' });
  });

  it('no buttons while an operation is under way', () => {
    for (const status of ['FAILED', 'RUNNING']) {
      const m = renderStatusCard(input({ instance: instance({ status }), buttons: false }));
      expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
    }
  });

  it.each(['PAUSED', 'waiting_approval', 'rUnNiNg', '<!channel>'])('an unknown status %j is shown as it came (escaped), with no buttons and no crash', (status) => {
    const m = renderStatusCard(input({ instance: instance({ status }) }));
    expectSafe(m);
    expect(actionIds(m.blocks)).toEqual([]);
    const escaped = status.replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(mrkdwnOf(m.blocks)).toContain(`*Status*\n:grey_question: *${escaped}*`);
    expect(m.text).toContain(`is ${escaped}`);
  });
});

describe('renderStatusCard: hostile data', () => {
  const hostileCard = card({ reason: HOSTILE_NAME, requestId: '<!channel>', approvers: ['U0LEAD', '<!channel>', 'U123|x'], title: HOSTILE_NAME, severity: '<!here>' });

  it.each([
    ['a status card', input({ instance: hostileInstance(), card: hostileCard })],
    ['an alert card', input({ instance: hostileInstance(), card: { ...hostileCard, kind: 'alert' } })],
    ['an instance ID from SecMaster that is not an ID', input({ instance: hostileInstance({ id: '<!channel>&<@U123>' }), card: hostileCard })],
    ['a running one (confirm dialog)', input({ instance: hostileInstance({ status: 'RUNNING' }), card: hostileCard })],
  ])('%s: within limits, nothing injected, the requester still mentioned', (_label, i) => {
    const m = renderStatusCard(i);
    expectSafe(m);
    expect(json(m.blocks)).toContain(REQUESTER_MENTION);
    expect(m.text).toContain(REQUESTER_MENTION);
  });

  it('escapes the outside text rather than dropping it', () => {
    const m = renderStatusCard(input({ instance: hostileInstance(), card: hostileCard }));
    const t = mrkdwnOf(m.blocks);
    expect(t).toContain('&lt;!channel&gt; ping &lt;@U123&gt; &amp; &lt;https://evil.example|click here&gt;');
    expect(t).toContain('“🔥 &lt;!channel&gt;');
    expect(m.text).toContain('&lt;!channel&gt;');
  });

  it('shows the name literally in the plain_text header (Slack does not parse plain_text)', () => {
    const m = renderStatusCard(input({ instance: hostileInstance() }));
    expect(plainTexts(m)[0]).toBe(`Playbook instance · ${HOSTILE_NAME}`);
  });
});

describe('renderStatusCard: huge data', () => {
  it.each(['FAILED', 'RUNNING', 'FINISHED'])('10 000-character fields on a %s card stay within limits', (status) => {
    const m = renderStatusCard(
      input({
        instance: hugeInstance({ status, id: HUGE_NAME }),
        card: card({ kind: 'alert', title: HUGE_NAME, severity: HUGE_NAME, reason: HUGE_NAME, requestId: HUGE_NAME, approvers: Array.from({ length: 500 }, (_, i) => `U${String(i).padStart(8, '0')}`) }),
        note: HUGE_NAME.replace(/[<>&]/g, ''),
      }),
    );
    expectSafe(m);
    expect(m.text).toContain(REQUESTER_MENTION);
  });
});
