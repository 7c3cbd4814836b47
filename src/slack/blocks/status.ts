/** The emoji that goes with a status word; the word itself is always shown as it came. */
const VISUAL: Record<string, string> = {
  RUNNING: ':arrows_counterclockwise:',
  RETRYING: ':repeat:',
  TERMINATING: ':octagonal_sign:',
  FINISHED: ':white_check_mark:',
  FAILED: ':x:',
  TERMINATED: ':no_entry:',
};

export function statusEmoji(status: string): string {
  return VISUAL[status] ?? ':grey_question:';
}
