import fc from 'fast-check';
import { channelLink, code, escapeMrkdwn, mentionUser, mentionUsergroup, safeText, slackDate, truncate } from '../../src/slack/mrkdwn';

/** Slack's decoding of the three entities, in one pass (so `&amp;lt;` stays `&lt;`). */
function unescapeMrkdwn(s: string): string {
  return s.replace(/&(amp|lt|gt);/g, (_m, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : '>'));
}
const points = (s: string) => Array.from(s).length;
/** True when every `&` starts one of the three entities Slack decodes. */
const entitiesWhole = (s: string) => !/&(?!(amp|lt|gt);)/.test(s);

/** Any string: printable, full unicode (astral), and raw UTF-16 (lone surrogates). */
const anyString = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.constantFrom('&', '<', '>', ';', 'a', 'amp', 'lt', 'gt', '😀', '`', ' ', '\n', '!channel', '@U1'), { maxLength: 80 }).map((a) => a.join('')),
);

describe('escapeMrkdwn', () => {
  it.each([
    ['plain', 'plain'],
    ['a & b', 'a &amp; b'],
    ['<!channel>', '&lt;!channel&gt;'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['<https://evil|click>', '&lt;https://evil|click&gt;'],
    ['<!subteam^S0SOC>', '&lt;!subteam^S0SOC&gt;'],
    // Ampersand first: an entity already in the text is shown as typed, not decoded.
    ['&lt;', '&amp;lt;'],
    ['&amp;', '&amp;amp;'],
    ['<&>', '&lt;&amp;&gt;'],
    ['*bold* _it_ ~s~ `c`', '*bold* _it_ ~s~ `c`'],
    ['😀 & 😀', '😀 &amp; 😀'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('property: no < or > survives, and Slack’s decoding gives back the input', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const e = escapeMrkdwn(s);
        return !e.includes('<') && !e.includes('>') && entitiesWhole(e) && unescapeMrkdwn(e) === s;
      }),
      { numRuns: 3000 },
    );
  });
});

describe('truncate', () => {
  it.each([
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['eleven char', 10, 'eleven ch…'],
    ['abc', 1, '…'],
    ['😀😀😀', 3, '😀😀😀'],
    ['😀😀😀', 2, '😀…'],
    ['a😀b😀c', 3, 'a😀…'],
  ])('truncate(%j, %d) → %j', (input, max, expected) => {
    expect(truncate(input, max)).toBe(expected);
  });

  it('counts code points, not UTF-16 units: 10 emoji fit in 10', () => {
    const emoji = '🚨'.repeat(10);
    expect(emoji.length).toBe(20);
    expect(truncate(emoji, 10)).toBe(emoji);
  });

  it('never leaves half a surrogate pair at the cut', () => {
    const out = truncate('x' + '😀'.repeat(50), 20);
    expect(out).toBe('x' + '😀'.repeat(18) + '…');
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('with a limit of 0 gives the empty string', () => {
    expect(truncate('abc', 0)).toBe('');
  });

  it('property: at most max code points, a code-point prefix of the input, “…” only when cut', () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 0, max: 400 }), (s, max) => {
        const out = truncate(s, max);
        if (points(out) > max) return false;
        if (points(s) <= max) return out === s;
        const kept = Array.from(out);
        if (max > 0 && kept.pop() !== '…') return false;
        return Array.from(s).slice(0, kept.length).join('') === kept.join('');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('safeText', () => {
  it('escapes, then cuts by what Slack receives', () => {
    expect(safeText('<!channel>', 100)).toBe('&lt;!channel&gt;');
    // 4 code points of input become 10 after escaping; the limit applies to the escaped text.
    expect(safeText('<<<<', 10)).toBe('&lt;&lt;…');
  });

  it.each([
    // `&amp;` is 5 code points: a cut inside it drops the whole entity.
    ['a&b', 3, 'a…'],
    ['a&b', 6, 'a…'],
    ['a&bc', 7, 'a&amp;…'],
    ['a&b', 7, 'a&amp;b'],
    ['<<<<', 5, '&lt;…'],
    ['<<<<', 4, '…'],
    ['&&&&&&&&', 12, '&amp;&amp;…'],
  ])('never ends in half an entity: safeText(%j, %d) → %j', (input, max, expected) => {
    expect(safeText(input, max)).toBe(expected);
  });

  it('keeps emoji whole', () => {
    expect(safeText('🔥&🔥🔥🔥', 8)).toBe('🔥&amp;🔥…');
  });

  it('with a limit of 0 gives the empty string', () => {
    expect(safeText('<<', 0)).toBe('');
  });

  it('property: at most n code points, no < or >, no half entity, and a prefix of the escaped text', () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 0, max: 400 }), (s, n) => {
        const out = safeText(s, n);
        if (points(out) > n || out.includes('<') || out.includes('>') || !entitiesWhole(out)) return false;
        const escaped = escapeMrkdwn(s);
        if (points(escaped) <= n) return out === escaped;
        const body = out.endsWith('…') ? out.slice(0, -1) : out;
        return escaped.startsWith(body);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('code', () => {
  it('wraps escaped text in backticks', () => {
    expect(code('a<b>&c')).toBe('`a&lt;b&gt;&amp;c`');
  });

  it.each(['`', 'x` <!channel> `y', '```block```', '`'.repeat(500)])('cannot be broken out of with backticks: %j', (text) => {
    const out = code(text);
    expect(out.startsWith('`')).toBe(true);
    expect(out.endsWith('`')).toBe(true);
    expect(out.match(/`/g)).toHaveLength(2);
    expect(out).not.toContain('<');
  });

  it('cuts to max code points inside the backticks', () => {
    const out = code('x'.repeat(500), 50);
    expect(points(out)).toBe(52);
    expect(out).toBe('`' + 'x'.repeat(49) + '…`');
  });

  it('property: exactly two backticks, at the ends, and no < or >', () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 1, max: 300 }), (s, max) => {
        const out = code(s, max);
        return out.startsWith('`') && out.endsWith('`') && (out.match(/`/g) ?? []).length === 2 && !/[<>]/.test(out) && points(out) <= max + 2;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('mention helpers', () => {
  it.each([
    ['U0RESP', '<@U0RESP>'],
    ['W0GRID', '<@W0GRID>'],
    ['U123ABC', '<@U123ABC>'],
  ])('mentionUser(%j) → %j', (id, expected) => {
    expect(mentionUser(id)).toBe(expected);
  });

  it.each(['<!channel>', '!channel', '@here', 'U123>', 'U1|x', 'u0lower', 'C0CHAN', 'S0SOC', 'U', '', 'U 1', 'U1\n'])('mentionUser refuses %j: no mention, no angle brackets', (id) => {
    const out = mentionUser(id);
    expect(out).not.toMatch(/[<>]/);
    expect(out).not.toMatch(/^<@/);
  });

  it.each([
    ['S0SOC', '<!subteam^S0SOC>'],
    ['S1', '<!subteam^S1>'],
  ])('mentionUsergroup(%j) → %j', (id, expected) => {
    expect(mentionUsergroup(id)).toBe(expected);
  });

  it.each(['<!here>', 'S0SOC>', 'S0SOC|@all', 'U0AAA', 's0soc', ''])('mentionUsergroup refuses %j', (id) => {
    expect(mentionUsergroup(id)).not.toMatch(/[<>]/);
  });

  it.each([
    ['C0INCIDENT', '<#C0INCIDENT>'],
    ['G0PRIV', '<#G0PRIV>'],
    ['D0DM', '<#D0DM>'],
  ])('channelLink(%j) → %j', (id, expected) => {
    expect(channelLink(id)).toBe(expected);
  });

  it.each(['#general', '<!channel>', 'C0ABC|evil', 'U0AAA', ''])('channelLink refuses %j', (id) => {
    expect(channelLink(id)).not.toMatch(/[<>]/);
  });

  it('refused IDs are cut to 40 code points', () => {
    expect(points(mentionUser('x'.repeat(500)))).toBeLessThanOrEqual(40);
    expect(points(mentionUsergroup('x'.repeat(500)))).toBeLessThanOrEqual(40);
    expect(points(channelLink('x'.repeat(500)))).toBeLessThanOrEqual(40);
  });

  it('property: a mention is made only of a well-formed ID; anything else has no < or >', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fc.stringMatching(/^[UWSCGD][A-Z0-9]{0,12}$/)), (s) => {
        const u = mentionUser(s);
        const g = mentionUsergroup(s);
        const c = channelLink(s);
        return (
          (u === `<@${s}>` ? /^[UW][A-Z0-9]+$/.test(s) : !/[<>]/.test(u)) &&
          (g === `<!subteam^${s}>` ? /^S[A-Z0-9]+$/.test(s) : !/[<>]/.test(g)) &&
          (c === `<#${s}>` ? /^[CGD][A-Z0-9]+$/.test(s) : !/[<>]/.test(c))
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe('slackDate', () => {
  it('is undefined without a date', () => {
    expect(slackDate(undefined)).toBeUndefined();
    expect(slackDate('')).toBeUndefined();
  });

  it('makes a date token with a UTC fallback', () => {
    expect(slackDate('2025-03-04T05:06:07.890Z')).toBe('<!date^1741064767^{date_short_pretty} {time_secs}|2025-03-04 05:06:07 UTC>');
  });

  it.each([
    // SecMaster's documented form: the clock of the +0800 zone, so 23:00 there is 15:00 UTC.
    ['2021-01-30T23:00:00Z+0800', Date.UTC(2021, 0, 30, 15, 0, 0), '2021-01-30 15:00:00 UTC'],
    ['2021-01-30T23:00:00.123Z+0800', Date.UTC(2021, 0, 30, 15, 0, 0, 123), '2021-01-30 15:00:00 UTC'],
    ['2024-01-20T00:00:00.000Z+0800', Date.UTC(2024, 0, 19, 16, 0, 0), '2024-01-19 16:00:00 UTC'],
    ['2021-01-30T23:00:00+08:00', Date.UTC(2021, 0, 30, 15, 0, 0), '2021-01-30 15:00:00 UTC'],
    ['2021-01-30T23:00:00-0530', Date.UTC(2021, 0, 31, 4, 30, 0), '2021-01-31 04:30:00 UTC'],
    // No zone at all: UTC+8, as the same page says.
    ['2021-01-30T23:00:00', Date.UTC(2021, 0, 30, 15, 0, 0), '2021-01-30 15:00:00 UTC'],
  ])('reads SecMaster time %s as a proper date', (text, ms, fallback) => {
    expect(slackDate(text)).toBe(`<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${fallback}>`);
  });

  it.each(['2021-02-30T23:00:00Z+0800', '2021-13-01T00:00:00Z', '2021-01-30T24:00:00Z', '2021-01-30T23:00:00Z+2500', 'yesterday', '1612018800'])('%s is no date and is shown as it came', (text) => {
    expect(slackDate(text)).toBe(text);
  });

  it('shows an unparseable date escaped, never as a token', () => {
    expect(slackDate('<!channel> yesterday')).toBe('&lt;!channel&gt; yesterday');
  });
});
