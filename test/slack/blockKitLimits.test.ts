import { HUGE_NAME, blockKitProblems, injectionProblems, parsedStrings, plainTexts } from './blockKitLimits';

/** The checker must catch every limit it claims to, or the renderer tests prove nothing. */

const md = (text: string) => ({ type: 'mrkdwn', text });
const pt = (text: string) => ({ type: 'plain_text', text });
const btn = (extra: Record<string, unknown> = {}) => ({ type: 'button', text: pt('Go'), action_id: 'a', ...extra });
const msg = (...blocks: unknown[]) => ({ text: 'fallback', blocks });
const OK = msg({ type: 'section', text: md('hi') });

describe('blockKitProblems', () => {
  it('accepts a well-formed message', () => {
    expect(blockKitProblems(OK)).toEqual([]);
    expect(
      blockKitProblems(
        msg(
          { type: 'header', text: pt('h'.repeat(150)) },
          { type: 'section', fields: Array.from({ length: 10 }, () => md('f'.repeat(2000))) },
          { type: 'context', elements: Array.from({ length: 10 }, () => md('c')) },
          { type: 'divider', block_id: 'd' },
          { type: 'actions', block_id: 'x', elements: Array.from({ length: 25 }, (_, i) => btn({ action_id: `a${i}`, value: 'v'.repeat(2000), style: 'danger' })) },
          { type: 'section', text: md('🔥'.repeat(3000)) },
        ),
      ),
    ).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['empty fallback text', { text: ' ', blocks: OK.blocks }, /^text: .*non-empty/],
    ['missing fallback text', { blocks: OK.blocks }, /^text: /],
    ['51 blocks', msg(...Array.from({ length: 51 }, () => ({ type: 'divider' }))), /^blocks: 51 blocks > 50/],
    ['section text of 3001 code points', msg({ type: 'section', text: md('x'.repeat(3001)) }), /blocks\[0\]\.text: 3001 code points > 3000/],
    ['section text of 1501 emoji counted by code point, not UTF-16', msg({ type: 'section', text: md('😀'.repeat(3001)) }), /3001 code points/],
    ['empty section text', msg({ type: 'section', text: md('') }), /blocks\[0\]\.text: empty text/],
    ['a section with neither text nor fields', msg({ type: 'section' }), /needs text or fields/],
    ['11 fields', msg({ type: 'section', fields: Array.from({ length: 11 }, () => md('f')) }), /11 fields > 10/],
    ['a field of 2001', msg({ type: 'section', fields: [md('f'.repeat(2001))] }), /fields\[0\]: 2001 code points > 2000/],
    ['a header of 151', msg({ type: 'header', text: pt('h'.repeat(151)) }), /151 code points > 150/],
    ['a mrkdwn header', msg({ type: 'header', text: md('h') }), /must be plain_text/],
    ['an empty context', msg({ type: 'context', elements: [] }), /elements: must have 1\.\.10/],
    ['11 context elements', msg({ type: 'context', elements: Array.from({ length: 11 }, () => md('c')) }), /must have 1\.\.10 elements, has 11/],
    ['empty actions', msg({ type: 'actions', elements: [] }), /must have 1\.\.25/],
    ['26 buttons', msg({ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => btn({ action_id: `a${i}` })) }), /has 26/],
    ['duplicate action_id in a block', msg({ type: 'actions', elements: [btn(), btn()] }), /"a" is not unique in the block/],
    ['button text of 76', msg({ type: 'actions', elements: [btn({ text: pt('b'.repeat(76)) })] }), /76 code points > 75/],
    ['button value of 2001', msg({ type: 'actions', elements: [btn({ value: 'v'.repeat(2001) })] }), /value: must be a string of at most 2000/],
    ['button style null', msg({ type: 'actions', elements: [btn({ style: null })] }), /style: null/],
    ['button style "default"', msg({ type: 'actions', elements: [btn({ style: 'default' })] }), /style: "default"/],
    ['confirm title of 101', msg({ type: 'actions', elements: [btn({ confirm: { title: pt('t'.repeat(101)), text: md('x'), confirm: pt('y'), deny: pt('n') } })] }), /confirm\.title: 101/],
    ['confirm text of 301', msg({ type: 'actions', elements: [btn({ confirm: { title: pt('t'), text: md('x'.repeat(301)), confirm: pt('y'), deny: pt('n') } })] }), /confirm\.text: 301/],
    ['confirm button of 31', msg({ type: 'actions', elements: [btn({ confirm: { title: pt('t'), text: md('x'), confirm: pt('y'.repeat(31)), deny: pt('n') } })] }), /confirm\.confirm: 31/],
    ['confirm deny of 31', msg({ type: 'actions', elements: [btn({ confirm: { title: pt('t'), text: md('x'), confirm: pt('y'), deny: pt('n'.repeat(31)) } })] }), /confirm\.deny: 31/],
    ['block_id of 256', msg({ type: 'divider', block_id: 'b'.repeat(256) }), /block_id: must be 1\.\.255/],
    ['duplicate block_id', msg({ type: 'divider', block_id: 'b' }, { type: 'divider', block_id: 'b' }), /"b" is not unique in the message/],
    ['emoji on mrkdwn', msg({ type: 'section', text: { type: 'mrkdwn', text: 'x', emoji: true } }), /`emoji` is only allowed on plain_text/],
    ['verbatim on plain_text', msg({ type: 'header', text: { type: 'plain_text', text: 'x', verbatim: true } }), /`verbatim` is only allowed on mrkdwn/],
    ['an unknown block type', msg({ type: 'image' }), /unexpected block type "image"/],
    ['an undefined value', msg({ type: 'section', text: md('x'), accessory: undefined }), /JSON round trip/],
  ])('refuses %s', (_label, message, expected) => {
    const problems = blockKitProblems(message);
    expect(problems.some((p) => expected.test(p))).toBe(true);
  });

  it('allows 100 blocks on the Home tab and refuses 101', () => {
    const home = (n: number) => ({ type: 'home', blocks: Array.from({ length: n }, () => ({ type: 'divider' })) });
    expect(blockKitProblems(home(100), 'home')).toEqual([]);
    expect(blockKitProblems(home(101), 'home')).toEqual(['blocks: 101 blocks > 100']);
    expect(blockKitProblems(home(51), 'message')).toContain('blocks: 51 blocks > 50');
  });
});

describe('injectionProblems', () => {
  it('finds hostile mentions and links in mrkdwn and in the fallback text', () => {
    expect(injectionProblems({ text: 'hi <!channel>', blocks: [] })).toEqual(expect.arrayContaining(['text: contains <!channel>']));
    expect(injectionProblems(msg({ type: 'section', text: md('see <https://evil|x>') }))).toEqual(
      expect.arrayContaining(['blocks[0].text.text: contains <https://']),
    );
    expect(injectionProblems(msg({ type: 'context', elements: [md('<@U123>')] }))).toEqual(expect.arrayContaining(['blocks[0].elements[0].text: contains <@U123>']));
  });

  it('finds any other raw angle bracket, but not the bot’s deliberate mentions and dates', () => {
    expect(injectionProblems(msg({ type: 'section', text: md('<@U0RESP> <#C0ABC> <!subteam^S0SOC> <!date^1^{date_short_pretty} {time_secs}|2025-01-01 00:00:00 UTC>') }))).toEqual([]);
    expect(injectionProblems(msg({ type: 'section', text: md('<@U0RESP|forged>') }))).not.toEqual([]);
    expect(injectionProblems(msg({ type: 'section', text: md('a > b') }))).not.toEqual([]);
    expect(injectionProblems(msg({ type: 'section', text: md('&lt;!channel&gt;') }))).toEqual([]);
  });

  it('checks button values and block IDs too', () => {
    expect(injectionProblems(msg({ type: 'actions', block_id: '<!here>', elements: [btn({ value: '<!channel>' })] }))).toEqual(
      expect.arrayContaining(['blocks[0].block_id: contains <!here>', 'blocks[0].elements[0].value: contains <!channel>']),
    );
  });

  it('leaves plain_text (shown literally by Slack) to plainTexts', () => {
    const m = msg({ type: 'header', text: pt('<!channel>') });
    expect(parsedStrings(m).map((s) => s.where)).toEqual(['text', 'blocks[0].type', 'blocks[0].text.type']);
    expect(plainTexts(m)).toEqual(['<!channel>']);
  });

  it('HUGE_NAME is 10 000 code points', () => {
    expect(Array.from(HUGE_NAME)).toHaveLength(10_000);
  });
});
