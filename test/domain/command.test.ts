import fc from 'fast-check';
import { INSTANCE_ID_PATTERN } from '../../src/core';
import { MAX_REASON_LENGTH, parsePlaybookCommand, type PlaybookCommand } from '../../src/domain/command';
import { describeUsageProblem } from '../../src/slack/blocks/usage';

/** The problem of a usage result, in the words the person is shown; fails the test when the result is anything else. */
function usageProblem(result: PlaybookCommand): string {
  expect(result.kind).toBe('usage');
  return result.kind === 'usage' ? describeUsageProblem(result.problem) : '';
}

const ID_64 = 'a'.repeat(64);
const ID_65 = 'a'.repeat(65);

describe('parsePlaybookCommand: each subcommand', () => {
  it.each<[string, PlaybookCommand]>([
    ['retry inst-1', { kind: 'operate', operation: 'RETRY', instanceId: 'inst-1' }],
    ['terminate inst_2', { kind: 'operate', operation: 'TERMINATE', instanceId: 'inst_2' }],
    ['retry inst-1 flaky step', { kind: 'operate', operation: 'RETRY', instanceId: 'inst-1', reason: 'flaky step' }],
    ['terminate X9 runaway loop', { kind: 'operate', operation: 'TERMINATE', instanceId: 'X9', reason: 'runaway loop' }],
    ['status abc', { kind: 'status', instanceId: 'abc' }],
    ['log abc', { kind: 'log', instanceId: 'abc' }],
    ['list', { kind: 'list', page: 1 }],
    ['list failed', { kind: 'list', status: 'FAILED', page: 1 }],
    ['list running 3', { kind: 'list', status: 'RUNNING', page: 3 }],
    ['list 2 terminated', { kind: 'list', status: 'TERMINATED', page: 2 }],
    ['list 7', { kind: 'list', page: 7 }],
    ['list 9999', { kind: 'list', page: 9999 }],
    ['can retry', { kind: 'can', permission: 'RETRY' }],
    ['can terminate', { kind: 'can', permission: 'TERMINATE' }],
    ['can view', { kind: 'can', permission: 'VIEW' }],
    ['can VIEW', { kind: 'can', permission: 'VIEW' }],
    ['help', { kind: 'help' }],
    ['--help', { kind: 'help' }],
    ['-h', { kind: 'help' }],
  ])('%j', (text, expected) => {
    expect(parsePlaybookCommand(text)).toEqual(expected);
  });

  it.each(['', '   ', '\t\n', '\u00a0'])('empty text %j is help', (text) => {
    expect(parsePlaybookCommand(text)).toEqual({ kind: 'help' });
  });

  it('treats undefined text (a payload without `text`) as help', () => {
    expect(parsePlaybookCommand(undefined as unknown as string)).toEqual({ kind: 'help' });
  });

  it('leaves out `reason` when none is given, instead of an empty string', () => {
    const parsed = parsePlaybookCommand('retry inst-1   ');
    expect(parsed).toEqual({ kind: 'operate', operation: 'RETRY', instanceId: 'inst-1' });
    expect(parsed).not.toHaveProperty('reason');
  });
});

describe('parsePlaybookCommand: subcommands are case-insensitive', () => {
  it.each<[string, PlaybookCommand]>([
    ['RETRY inst-1', { kind: 'operate', operation: 'RETRY', instanceId: 'inst-1' }],
    ['Retry inst-1', { kind: 'operate', operation: 'RETRY', instanceId: 'inst-1' }],
    ['rEtRy inst-1', { kind: 'operate', operation: 'RETRY', instanceId: 'inst-1' }],
    ['TERMINATE inst-1', { kind: 'operate', operation: 'TERMINATE', instanceId: 'inst-1' }],
    ['Terminate inst-1', { kind: 'operate', operation: 'TERMINATE', instanceId: 'inst-1' }],
    ['STATUS abc', { kind: 'status', instanceId: 'abc' }],
    ['Log abc', { kind: 'log', instanceId: 'abc' }],
    ['LIST Failed', { kind: 'list', status: 'FAILED', page: 1 }],
    ['Can Retry', { kind: 'can', permission: 'RETRY' }],
    ['HELP', { kind: 'help' }],
  ])('%j', (text, expected) => {
    expect(parsePlaybookCommand(text)).toEqual(expected);
  });

  it('keeps the case of the instance ID (IDs are case-sensitive)', () => {
    expect(parsePlaybookCommand('RETRY AbC-xYz')).toEqual({ kind: 'operate', operation: 'RETRY', instanceId: 'AbC-xYz' });
  });
});

describe('parsePlaybookCommand: instance IDs are 1–64 of [A-Za-z0-9_-]', () => {
  it.each(['a', 'Z', '0', '-', '_', 'a-b_c-9', ID_64, '7d8f0b3a-1c2e-4f5a-9b6c-0d1e2f3a4b5c'])('accepts %j', (id) => {
    for (const sub of ['retry', 'terminate', 'status', 'log']) {
      const parsed = parsePlaybookCommand(`${sub} ${id}`);
      expect(parsed).toMatchObject({ instanceId: id });
    }
  });

  it.each([
    ['65 characters', ID_65],
    ['unicode letters', 'instance-é'],
    ['full-width letters', 'ｉｄ'],
    ['an emoji', 'inst😀'],
    ['a user mention', '<@U1>'],
    ['a channel mention', '<!channel>'],
    ['a shell separator', 'id;rm'],
    ['a path', '../etc/passwd'],
    ['a dot', 'inst.1'],
    ['a slash', 'a/b'],
    ['a quote', 'a"b'],
    ['a backtick', 'a`b'],
    ['a JSON value', '{"instance_id":"x"}'],
  ])('refuses %s as a usage error, for every subcommand that takes an ID', (_label, id) => {
    for (const sub of ['retry', 'terminate', 'status', 'log']) {
      const problem = usageProblem(parsePlaybookCommand(`${sub} ${id}`));
      expect(problem).toMatch(/not an instance ID/);
    }
  });

  it.each(['retry', 'terminate', 'status', 'log'])('`%s` without an ID is a usage error naming the subcommand', (sub) => {
    expect(usageProblem(parsePlaybookCommand(sub))).toBe(`\`${sub}\` needs an instance ID`);
    expect(usageProblem(parsePlaybookCommand(`${sub.toUpperCase()}   `))).toBe(`\`${sub}\` needs an instance ID`);
  });

  it('quotes at most 80 characters of a bad ID in the problem', () => {
    const problem = usageProblem(parsePlaybookCommand(`retry ${'x'.repeat(300)}`));
    expect(problem).toContain(`"${'x'.repeat(80)}"`);
    expect(problem).not.toContain('x'.repeat(81));
  });
});

describe('parsePlaybookCommand: the reason', () => {
  it('keeps inner spacing exactly, trimming only the edges', () => {
    expect(parsePlaybookCommand('retry inst-1    flaky   step,\tsee  INC-42   ')).toEqual({
      kind: 'operate',
      operation: 'RETRY',
      instanceId: 'inst-1',
      reason: 'flaky   step,\tsee  INC-42',
    });
  });

  it('keeps line breaks inside the reason', () => {
    expect(parsePlaybookCommand('terminate inst-1 line one\nline two')).toMatchObject({ reason: 'line one\nline two' });
  });

  it('is taken after the ID even when the ID also appears inside the reason or the subcommand', () => {
    expect(parsePlaybookCommand('retry r r again')).toEqual({ kind: 'operate', operation: 'RETRY', instanceId: 'r', reason: 'r again' });
    expect(parsePlaybookCommand('retry e retry e')).toEqual({ kind: 'operate', operation: 'RETRY', instanceId: 'e', reason: 'retry e' });
  });

  it('keeps unescaped mrkdwn as typed (escaping is the renderer’s job)', () => {
    expect(parsePlaybookCommand('retry inst-1 <!channel> & <@U123>')).toMatchObject({ reason: '<!channel> & <@U123>' });
  });

  it(`accepts ${MAX_REASON_LENGTH} characters and refuses ${MAX_REASON_LENGTH + 1}`, () => {
    const atMax = 'r'.repeat(MAX_REASON_LENGTH);
    expect(parsePlaybookCommand(`retry inst-1 ${atMax}`)).toEqual({ kind: 'operate', operation: 'RETRY', instanceId: 'inst-1', reason: atMax });
    const problem = usageProblem(parsePlaybookCommand(`terminate inst-1 ${atMax}r`));
    expect(problem).toContain(String(MAX_REASON_LENGTH + 1));
    expect(problem).toContain(String(MAX_REASON_LENGTH));
  });
});

describe('parsePlaybookCommand: status and log take exactly one word', () => {
  it.each(['status abc extra', 'status abc more words here', 'log abc extra', 'LOG abc 2'])('%j is a usage error', (text) => {
    expect(usageProblem(parsePlaybookCommand(text))).toMatch(/takes one instance ID/);
  });
});

describe('parsePlaybookCommand: list', () => {
  it.each([
    ['list bogus', 'bogus'],
    ['list 0', '0'],
    ['list -1', '-1'],
    ['list 10000', '10000'],
    ['list 1.5', '1.5'],
    ['list failed running', 'running'],
    ['list failed failed', 'failed'],
    ['list <!channel>', '<!channel>'],
  ])('%j is a usage error quoting %j', (text, word) => {
    const problem = usageProblem(parsePlaybookCommand(text));
    expect(problem).toContain(`"${word}"`);
    expect(problem).toContain('RUNNING, FINISHED, FAILED, RETRYING, TERMINATING, TERMINATED');
  });

  it.each(['RUNNING', 'FINISHED', 'FAILED', 'RETRYING', 'TERMINATING', 'TERMINATED'])('accepts status %s in any case', (status) => {
    expect(parsePlaybookCommand(`list ${status.toLowerCase()}`)).toEqual({ kind: 'list', status, page: 1 });
    expect(parsePlaybookCommand(`list ${status}`)).toEqual({ kind: 'list', status, page: 1 });
  });
});

describe('parsePlaybookCommand: can', () => {
  it.each(['can', 'can delete', 'can retry terminate', 'can retry now', 'can VIEWER', 'can *'])('%j is a usage error listing the permissions', (text) => {
    expect(usageProblem(parsePlaybookCommand(text))).toBe('`can` takes one of: retry, terminate, view');
  });
});

describe('parsePlaybookCommand: unknown subcommands', () => {
  it.each(['restart abc', 'delete abc', 'retryy abc', 'stat abc', '<!channel>', '/playbook retry abc'])('%j is a usage error naming it', (text) => {
    const first = text.split(/\s+/)[0]!;
    expect(usageProblem(parsePlaybookCommand(text))).toBe(`unknown subcommand "${first}"`);
  });

  it('quotes at most 40 characters of an unknown subcommand', () => {
    const problem = usageProblem(parsePlaybookCommand('z'.repeat(500)));
    expect(problem).toBe(`unknown subcommand "${'z'.repeat(40)}"`);
  });
});

describe('parsePlaybookCommand: properties', () => {
  const words = fc.constantFrom('retry', 'terminate', 'status', 'log', 'list', 'can', 'help', 'RETRY', 'Status', 'view', 'failed', '2', '', ' ', '  ', '\t', '\n');
  const idLike = fc.stringMatching(/^[A-Za-z0-9_-]{0,70}$/);
  // Mostly-grammar strings reach the deep branches; arbitrary strings (any unicode) reach the rest.
  const input = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.array(fc.oneof(words, idLike, fc.string({ maxLength: 8 })), { maxLength: 6 }).map((parts) => parts.join(' ')),
  );

  it('never throws, and every command with an instance ID has a valid one', () => {
    fc.assert(
      fc.property(input, (text) => {
        const parsed = parsePlaybookCommand(text);
        switch (parsed.kind) {
          case 'usage':
            return describeUsageProblem(parsed.problem).length > 0;
          case 'help':
            return true;
          case 'operate':
          case 'status':
          case 'log':
            return INSTANCE_ID_PATTERN.test(parsed.instanceId);
          case 'list':
            return Number.isInteger(parsed.page) && parsed.page >= 1;
          case 'can':
            return ['RETRY', 'TERMINATE', 'VIEW'].includes(parsed.permission);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a reason, when present, is non-empty, trimmed and within the maximum', () => {
    fc.assert(
      fc.property(input, (text) => {
        const parsed = parsePlaybookCommand(`retry inst-1 ${text}`);
        if (parsed.kind !== 'operate' || parsed.reason === undefined) return true;
        return parsed.reason.length > 0 && parsed.reason === parsed.reason.trim() && parsed.reason.length <= MAX_REASON_LENGTH;
      }),
      { numRuns: 1000 },
    );
  });
});
