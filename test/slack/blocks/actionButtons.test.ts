import { operationButtons } from '../../../src/slack/blocks/actionButtons';
import { message, actions } from '../../../src/slack/blocks/kit';
import { HOSTILE_NAME, HUGE_NAME } from '../blockKitLimits';
import { BUTTONS_BY_STATUS, DEFAULT_WS, expectSafe, instance, json, target } from '../fixtures';

/** Buttons inside a minimal message, so the limits and escaping checks see them in context. */
const asMessage = (buttons: ReturnType<typeof operationButtons>) => message('card', [actions(buttons, 'instance_actions') ?? { type: 'divider' }]);

describe('operationButtons', () => {
  it.each([
    ...BUTTONS_BY_STATUS,
    // …and statuses no rule names: no button at all.
    ['', []],
    ['failed', []],
    ['SOMETHING_NEW', []],
  ])('status %j → %j', (status, expected) => {
    const buttons = operationButtons(instance({ status }), target(), DEFAULT_WS);
    expect(buttons.map((b) => b.action_id)).toEqual(expected);
    expectSafe(asMessage(buttons));
  });

  it('every button carries the encoded target', () => {
    for (const status of ['FAILED', 'RUNNING']) {
      for (const b of operationButtons(instance({ status }), target('inst-9', DEFAULT_WS), DEFAULT_WS)) expect(b.value).toBe('inst-9');
      for (const b of operationButtons(instance({ status }), target('inst-9', 'ws-2'), DEFAULT_WS)) expect(b.value).toBe('{"instance_id":"inst-9","workspace_id":"ws-2"}');
    }
  });

  it('terminate always has a confirm dialog; retry and explain never', () => {
    const [terminate] = operationButtons(instance({ status: 'RUNNING' }), target(), DEFAULT_WS);
    expect(terminate!.confirm).toBeDefined();
    for (const b of operationButtons(instance({ status: 'FAILED' }), target(), DEFAULT_WS)) expect(b.confirm).toBeUndefined();
  });

  it('escapes a hostile name in the confirm dialog and keeps it within 300', () => {
    for (const name of [HOSTILE_NAME, HUGE_NAME]) {
      const buttons = operationButtons(instance({ status: 'RETRYING', name, id: name }), target(), DEFAULT_WS);
      expectSafe(asMessage(buttons));
      expect(json(buttons)).not.toContain('<!channel>');
    }
  });
});
