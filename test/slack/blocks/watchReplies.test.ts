import { renderFinalStatusReply, renderWatchStopped, watchStoppedNote } from '../../../src/slack/blocks/watchReplies';
import { HOSTILE_NAME, HUGE_NAME } from '../blockKitLimits';
import { REQUESTER, REQUESTER_MENTION, expectSafe, hostileInstance, hugeInstance, instance, json } from '../fixtures';

describe('renderFinalStatusReply', () => {
  it('names the instance and its final status, mentioning whoever asked', () => {
    const m = renderFinalStatusReply(instance({ status: 'FINISHED' }), REQUESTER);
    expectSafe(m);
    expect(m.text).toBe('Block malicious IP 203.0.113.7 reached FINISHED');
    expect(json(m.blocks)).toContain(`${REQUESTER_MENTION} :white_check_mark: *Block malicious IP 203.0.113.7* reached *FINISHED*.`);
  });

  it('mentions nobody when nobody asked (an alert card)', () => {
    expect(json(renderFinalStatusReply(instance({ status: 'FAILED' })).blocks)).toContain('":x: *Block malicious IP 203.0.113.7* reached *FAILED*."');
  });

  it.each([
    ['hostile', hostileInstance({ status: '<!channel>' })],
    ['huge', hugeInstance({ status: HUGE_NAME })],
  ])('%s data: escaped and within limits', (_label, i) => {
    const m = renderFinalStatusReply(i, REQUESTER);
    expectSafe(m);
    expect(json(m)).toContain(REQUESTER_MENTION);
  });
});

describe('watchStoppedNote / renderWatchStopped', () => {
  it('a watch that ran out of time says how long it followed and how to look now', () => {
    expect(watchStoppedNote({ reason: 'timeout', instanceId: 'inst-0001', timeoutMs: 3_600_000 })).toBe(
      ':hourglass: Stopped following this instance after 1h without a final status. `/playbook status inst-0001` shows it now.',
    );
  });

  it('an instance SecMaster no longer knows is named, and the watch ends', () => {
    const m = renderWatchStopped({ reason: 'not_found', instanceId: 'inst-0001', timeoutMs: 3_600_000 });
    expectSafe(m);
    expect(m.text).toBe(':mag: SecMaster no longer knows instance `inst-0001`; stopped following it.');
  });

  it.each([HOSTILE_NAME, HUGE_NAME])('quotes any instance ID safely (%#)', (id) => {
    for (const reason of ['timeout', 'not_found'] as const) expectSafe(renderWatchStopped({ reason, instanceId: id, timeoutMs: 60_000 }));
  });
});
