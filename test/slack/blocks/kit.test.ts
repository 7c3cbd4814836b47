import fc from 'fast-check';
import { LIMITS, button, context, fields, header, message, section } from '../../../src/slack/blocks/kit';
import { blockKitProblems } from '../blockKitLimits';

describe('kit builders cut to Slack limits', () => {
  it('a section cut never ends in half a mention or half an entity', () => {
    const mentions = Array.from({ length: 400 }, (_, i) => `<@U${String(i).padStart(8, '0')}>`).join(', ');
    const text = (section(mentions) as { text: { text: string } }).text.text;
    expect(Array.from(text).length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(text.endsWith('…')).toBe(true);
    expect(text).not.toMatch(/<[^>]*$/);

    const entities = (section('&amp;'.repeat(1000)) as { text: { text: string } }).text.text;
    expect(entities).toMatch(/^(&amp;)+…$/);
  });

  it('property: any mrkdwn cut has no dangling < or &, and stays within limits', () => {
    const piece = fc.constantFrom('<@U0AAA>', '&amp;', '&lt;', 'word', ' ', '😀', '<#C0ABC>', '\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 1200 }), (parts) => {
        const b = section(parts.join(''));
        const m = message('t', [b, fields([parts.join('')]), context([parts.join('')])]);
        if (blockKitProblems(m).length > 0) return false;
        const texts = [JSON.stringify(m)];
        return texts.every((t) => !/<[^>]*…/.test(t) && !/&[a-z]*…/.test(t));
      }),
      { numRuns: 300 },
    );
  });

  it('a context of only empty items still has one element (Slack refuses none)', () => {
    expect(blockKitProblems(message('t', [context(['', ''])]))).toEqual([]);
    expect(blockKitProblems(message('t', [context([])]))).toEqual([]);
  });

  it('a context keeps at most 10 elements', () => {
    expect(blockKitProblems(message('t', [context(Array.from({ length: 20 }, (_, i) => `c${i}`))]))).toEqual([]);
  });

  it('empty texts become a single space (Slack refuses empty text)', () => {
    expect(header('')).toEqual({ type: 'header', text: { type: 'plain_text', text: ' ', emoji: true } });
    expect(message('', []).text).toBe(' ');
  });

  it('a button never gets style null, and its value is capped', () => {
    const b = button({ text: 'x'.repeat(100), actionId: 'a', value: 'v'.repeat(3000) });
    expect('style' in b).toBe(false);
    expect(b.value).toHaveLength(LIMITS.buttonValue);
    expect(Array.from(b.text.text)).toHaveLength(LIMITS.buttonText);
  });

  it('message() drops missing blocks and caps the count', () => {
    const m = message('t', Array.from({ length: 70 }, (_, i) => (i % 2 ? undefined : section(`s${i}`))));
    expect(m.blocks).toHaveLength(35);
    expect(message('t', Array.from({ length: 70 }, () => section('s'))).blocks).toHaveLength(LIMITS.messageBlocks);
  });
});
