import { statusEmoji } from '../../../src/slack/blocks/status';
import { renderHome } from '../../../src/slack/blocks/homeView';
import { renderOutcomeReply } from '../../../src/slack/blocks/replies';
import { approval } from '../fixtures';

/**
 * Lookups keyed by outside strings (SecMaster's status words, states and operation names read back
 * from the store) must find only the table's own entries: an object literal would answer
 * `statusEmoji('constructor')` with Object's constructor, a function, pasted into the card as text.
 */
const OBJECT_MEMBERS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

describe('statusEmoji', () => {
  it.each([
    ['RUNNING', ':arrows_counterclockwise:'],
    ['RETRYING', ':repeat:'],
    ['TERMINATING', ':octagonal_sign:'],
    ['FINISHED', ':white_check_mark:'],
    ['FAILED', ':x:'],
    ['TERMINATED', ':no_entry:'],
  ])('%s → %s', (status, emoji) => {
    expect(statusEmoji(status)).toBe(emoji);
  });

  it.each([...OBJECT_MEMBERS, 'running', 'PAUSED', ''])('an unknown word (%j) → the question mark, a string', (status) => {
    expect(statusEmoji(status)).toBe(':grey_question:');
  });
});

describe('other tables keyed by words from outside', () => {
  it.each(OBJECT_MEMBERS)('an approval state %j read back from the store shows no emoji, and no function', (state) => {
    const home = JSON.stringify(renderHome({ toDecide: [], myApprovals: [approval({ state: state as never })], myOperations: [] }));
    expect(home).not.toMatch(/function|native code|\[object /);
    expect(home).toContain(`State: *${state}*`);
  });

  it.each(OBJECT_MEMBERS)('a lock holder whose operation reads %j is named as it is', (operation) => {
    const m = renderOutcomeReply({ code: 'in_progress', operation: 'RETRY', holder: { userId: 'U0AAA', operation, acquiredAt: Date.UTC(2024, 0, 1) } });
    expect(JSON.stringify(m)).not.toMatch(/function|native code/);
    expect(m.text).toContain(`started ${operation}`);
  });
});
