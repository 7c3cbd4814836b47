import { renderActionLog, stepsFrom, type ActionStep } from '../../../src/slack/blocks/actionLogView';
import type { Block } from '../../../src/slack/blocks/kit';
import { auditLogSchema, topologySchema, type AuditLog } from '../../../src/secmaster/schemas';
import { HOSTILE_ERROR, HOSTILE_NAME, HUGE_NAME, plainTexts } from '../blockKitLimits';
import { REQUESTER, REQUESTER_MENTION, expectSafe, hostileInstance, hugeInstance, instance, json, secMasterError, target } from '../fixtures';

const sections = (blocks: Block[]) => blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
const contextText = (blocks: Block[]) => blocks.flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : [])).join(' | ');

/** An audit-log row as the client returns it (parsed by its schema). */
const log = (over: Partial<AuditLog>): AuditLog => ({ ...auditLogSchema.parse({ instance_id: 'act-x', instance_type: 'ACTION', status: 'FINISHED' }), ...over });

describe('stepsFrom', () => {
  it('puts failed steps first, then the rest by start time, leaving out the playbook’s own rows', () => {
    const steps = stepsFrom(
      'inst-0001',
      [
        log({ action_name: 'Notify', start_time: '2025-01-01T00:03:00Z' }),
        log({ action_name: 'Lookup', start_time: '2025-01-01T00:01:00Z' }),
        log({ action_name: 'Block IP', status: 'FAILED', start_time: '2025-01-01T00:02:00Z', error_msg: 'firewall said no' }),
        log({ action_name: 'Playbook row', instance_type: 'PLAYBOOK' }),
        log({ action_name: 'Self row', instance_id: 'inst-0001' }),
      ],
      undefined,
    );
    expect(steps.map((s) => s.name)).toEqual(['Block IP', 'Lookup', 'Notify']);
    expect(steps[0]).toMatchObject({ status: 'FAILED', error: 'firewall said no' });
  });

  it('treats a step with an error message as failed whatever its status', () => {
    const steps = stepsFrom('i', [log({ action_name: 'A', start_time: '1' }), log({ action_name: 'B', status: 'FINISHED', error_msg: 'warned', start_time: '2' })], undefined);
    expect(steps.map((s) => s.name)).toEqual(['B', 'A']);
  });

  it('names a step by action_name, else action_id, else "action"; status defaults to UNKNOWN', () => {
    const steps = stepsFrom('i', [log({ action_name: undefined, action_id: 'act-7', start_time: '1' }), log({ action_name: undefined, status: undefined, start_time: '2' })], undefined);
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ['act-7', 'FINISHED'],
      ['action', 'UNKNOWN'],
    ]);
  });

  it('shows non-string output as JSON, and leaves out empty output and errors', () => {
    const [a, b] = stepsFrom('i', [log({ action_name: 'A', output: { ip: '1.2.3.4' }, start_time: '1' }), log({ action_name: 'B', output: '', error_msg: '', start_time: '2' })], undefined);
    expect(a!.output).toBe('{"ip":"1.2.3.4"}');
    expect(b!.output).toBeUndefined();
    expect(b!.error).toBeUndefined();
  });

  it('orders by start time as an instant, SecMaster\'s `…Z+0800` form included', () => {
    const steps = stepsFrom(
      'i',
      [
        log({ action_name: 'Later', start_time: '2021-01-30T23:30:00Z+0800' }), // 15:30 UTC
        log({ action_name: 'Earlier', start_time: '2021-01-30T15:10:00Z' }), // 15:10 UTC
      ],
      undefined,
    );
    expect(steps.map((s) => s.name)).toEqual(['Earlier', 'Later']);
  });

  it('uses the topology when it says more than the audit log', () => {
    const topology = topologySchema.parse({
      action_instances: [
        { action: { id: 'a1', name: 'Enrich' }, instance_log: { status: 'FINISHED', start_time: '1' } },
        { action: { id: 'a2', name: 'Contain' }, instance_log: { status: 'FAILED', error_msg: 'timeout', start_time: '2' } },
      ],
    });
    expect(stepsFrom('i', [log({ action_name: 'Only one' })], topology).map((s) => s.name)).toEqual(['Contain', 'Enrich']);
    expect(stepsFrom('i', [log({ action_name: 'X' }), log({ action_name: 'Y' })], topology).map((s) => s.name)).toEqual(['X', 'Y']);
  });
});

const failedSteps: ActionStep[] = [
  { name: 'Block IP', status: 'FAILED', start: '2025-03-04T05:06:07Z', end: '2025-03-04T05:07:07Z', error: 'firewall API returned 403', output: 'denied' },
  { name: 'Lookup', status: 'FINISHED', start: '2025-03-04T05:05:07Z' },
];

describe('renderActionLog', () => {
  const base = { instance: instance(), target: target(), steps: failedSteps, requestId: 'req-log-1' };

  it('leads with the failed step and its error, lists every step, offers Share', () => {
    const m = renderActionLog(base);
    expectSafe(m);
    expect(plainTexts(m)[0]).toBe('Action log · Block malicious IP 203.0.113.7');
    const s = sections(m.blocks);
    expect(s[0]).toBe(':x: Failed at *Block IP*: `firewall API returned 403`');
    expect(s[1]).toMatch(/^:x: \*FAILED\* · \*Block IP\*\nstarted <!date\^\d+\^.*> · ended <!date\^/);
    expect(s[1]).toContain('*Error:* `firewall API returned 403`');
    expect(s[1]).toContain('Output: `denied`');
    expect(s[2]).toMatch(/^:white_check_mark: \*FINISHED\* · \*Lookup\*/);
    expect(contextText(m.blocks)).toBe('2 actions · instance `inst-0001` | request ID `req-log-1`');
    const share = m.blocks.find((b) => b.type === 'actions');
    expect(share).toEqual({
      type: 'actions',
      block_id: 'log_actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Share in channel', emoji: true },
          action_id: 'playbook_share',
          value: JSON.stringify({ kind: 'log', instance_id: 'inst-0001', workspace_id: 'ws-default' }),
        },
      ],
    });
    expect(m.text).toBe('Action log of Block malicious IP 203.0.113.7 (inst-0001): failed at Block IP');
  });

  it('once shared: no Share button, and says who shared it', () => {
    const m = renderActionLog({ ...base, shared: { by: REQUESTER } });
    expectSafe(m);
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(contextText(m.blocks)).toContain(`shared by ${REQUESTER_MENTION}`);
  });

  it('a FAILED instance without a failed step says so', () => {
    const m = renderActionLog({ ...base, instance: instance({ status: 'FAILED' }), steps: [{ name: 'A', status: 'FINISHED' }] });
    expect(sections(m.blocks)[0]).toBe(':x: The instance failed, but SecMaster reports no failed action.');
  });

  it('a healthy instance: no action failed', () => {
    const m = renderActionLog({ ...base, instance: instance({ status: 'RUNNING' }), steps: [{ name: 'A', status: 'RUNNING' }] });
    expect(sections(m.blocks)[0]).toBe(':arrows_counterclockwise: No action failed; the instance is *RUNNING*.');
    expect(m.text).toBe('Action log of Block malicious IP 203.0.113.7 (inst-0001): RUNNING');
  });

  it('says the action log is unavailable, with the code and request ID, when SecMaster refused it', () => {
    const error = secMasterError({ status: 400, code: 'SecMaster.20010003', requestId: 'req-refused-1', message: 'limit must be between 10 and 50' });
    const fromTopology = renderActionLog({ ...base, unavailable: { error, stepsFromTopology: true } });
    expectSafe(fromTopology);
    expect(sections(fromTopology.blocks)[1]).toBe(
      ':warning: Action log unavailable (`HTTP 400 · SecMaster.20010003`, request ID `req-refused-1`): the steps below come from the instance topology.',
    );
    const nothing = renderActionLog({ ...base, steps: [], unavailable: { error: secMasterError({ kind: 'network', status: undefined, code: undefined, requestId: undefined }), stepsFromTopology: false } });
    expect(sections(nothing.blocks)[1]).toBe(':warning: Action log unavailable (`network`).');
    expect(sections(renderActionLog(base).blocks).join('\n')).not.toContain('unavailable');
  });

  it('no steps yet', () => {
    const m = renderActionLog({ ...base, steps: [] });
    expectSafe(m);
    expect(sections(m.blocks)).toContain('SecMaster has no action log for this instance yet.');
    expect(contextText(m.blocks)).toMatch(/^0 actions/);
  });

  it('shows the first 20 of many steps and says so', () => {
    const steps = Array.from({ length: 45 }, (_, i) => ({ name: `step ${i}`, status: 'FINISHED' }));
    const m = renderActionLog({ ...base, steps });
    expectSafe(m);
    expect(sections(m.blocks).filter((t) => t.includes('*step '))).toHaveLength(20);
    expect(contextText(m.blocks)).toMatch(/^45 actions, first 20 shown/);
  });

  describe('hostile and huge data', () => {
    const hostileSteps: ActionStep[] = Array.from({ length: 30 }, (_, i) => ({
      name: HOSTILE_NAME,
      status: i % 2 ? '<!here>' : 'FAILED',
      start: '<https://evil.example|then>',
      end: '<@U123>',
      error: HOSTILE_ERROR,
      output: HOSTILE_NAME,
    }));

    it('escapes step names, errors, outputs and the instance name, in the blocks and the fallback text', () => {
      for (const shared of [undefined, { by: REQUESTER }]) {
        const m = renderActionLog({ instance: hostileInstance(), target: target(), steps: hostileSteps, requestId: '<!channel>', shared });
        expectSafe(m);
        // Shared into the channel with chat.postMessage: the fallback must not notify anyone either.
        expect(m.text).toMatch(/^Action log of 🔥 &lt;!channel&gt; ping &lt;@U123&gt; &amp; .*: failed at 🔥 &lt;!channel&gt;/);
      }
    });

    it('keeps the deliberate mention of who shared it', () => {
      const m = renderActionLog({ instance: hostileInstance(), target: target(), steps: hostileSteps, shared: { by: REQUESTER } });
      expect(json(m.blocks)).toContain(REQUESTER_MENTION);
    });

    it('refuses a "shared by" that is not a user ID', () => {
      const m = renderActionLog({ instance: instance(), target: target(), steps: [], shared: { by: '<!channel>' } });
      expectSafe(m);
    });

    it('stays within limits with 10 000-character names, errors and outputs', () => {
      const huge: ActionStep[] = Array.from({ length: 60 }, () => ({ name: HUGE_NAME, status: 'FAILED', start: HUGE_NAME, end: HUGE_NAME, error: HUGE_NAME, output: HUGE_NAME }));
      for (const shared of [undefined, { by: REQUESTER }]) {
        expectSafe(renderActionLog({ instance: hugeInstance({ id: HUGE_NAME }), target: target(), steps: huge, requestId: HUGE_NAME, shared }));
      }
    });
  });
});
