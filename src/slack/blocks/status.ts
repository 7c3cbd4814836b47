/**
 * The emoji that goes with a status word; the word itself is always shown as it came. A Map, not an
 * object literal: the word is SecMaster's, and `statusEmoji('constructor')` must not find Object's.
 */
const VISUAL = new Map([
  ['RUNNING', ':arrows_counterclockwise:'],
  ['RETRYING', ':repeat:'],
  ['TERMINATING', ':octagonal_sign:'],
  ['FINISHED', ':white_check_mark:'],
  ['FAILED', ':x:'],
  ['TERMINATED', ':no_entry:'],
]);

export function statusEmoji(status: string): string {
  return VISUAL.get(status) ?? ':grey_question:';
}
