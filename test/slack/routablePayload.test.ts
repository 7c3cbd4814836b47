import { isRoutablePayload } from '../../src/slack/payloads';

/** The guard in front of Bolt's routing: every shape on which Bolt's matchers would throw is refused. */
const known = new Set(['playbook_retry']);

test.each([
  ['a block_actions click on a known button', { type: 'block_actions', actions: [{ action_id: 'playbook_retry', value: 'x' }] }, true],
  ['a slash command', { command: '/playbook', text: 'help' }, true],
  ['an event callback', { type: 'event_callback', event: { type: 'app_home_opened' } }, true],
  ['actions as a string, no type (Bolt still routes it as an action)', { actions: 'x' }, false],
  ['actions holding a string, another type', { type: 'interactive_message', actions: ['x'] }, false],
  ['actions holding null', { type: 'block_actions', actions: [null] }, false],
  ['an action without action_id', { type: 'block_actions', actions: [{ value: 'x' }] }, false],
  ['an unknown action id', { type: 'block_actions', actions: [{ action_id: 'other_app' }] }, false],
  ['no actions at all on block_actions', { type: 'block_actions' }, false],
  ['empty actions', { type: 'block_actions', actions: [] }, false],
  ['a command that is not a string', { command: 42 }, false],
  ['not an object', 'payload', false],
])('%s → %s', (_name, body, expected) => {
  expect(isRoutablePayload(body, known)).toBe(expected);
});
