import { csvCell, formatAudit, parseAuditArgs } from '../../src/cli/auditExport';
import type { AuditRecord } from '../../src/core';

describe('audit export formatting', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    [undefined, ''],
    [null, ''],
  ])('csvCell(%p) = %p: quoted when needed, never a spreadsheet formula', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  const row: AuditRecord = { event: 'denied', operation: 'RETRY', instance_id: 'i-1', workspace_id: 'w', user: 'U1', channel: 'C1', outcome: 'not_in_role', at: '2026-11-28T10:00:00.000Z', detail: '=cmd|x' };

  it('jsonl: one object per row with every column, absent ones as null', () => {
    const out = formatAudit([row], 'jsonl');
    expect(out.endsWith('\n')).toBe(true);
    expect(JSON.parse(out)).toEqual({ at: row.at, event: 'denied', operation: 'RETRY', instance_id: 'i-1', workspace_id: 'w', user: 'U1', channel: 'C1', outcome: 'not_in_role', request_id: null, approval_id: null, detail: '=cmd|x' });
    expect(formatAudit([], 'jsonl')).toBe('');
  });

  it('csv: a header and escaped cells', () => {
    expect(formatAudit([row], 'csv').split('\n')).toEqual([
      'at,event,operation,instance_id,workspace_id,user,channel,outcome,request_id,approval_id,detail',
      "2026-11-28T10:00:00.000Z,denied,RETRY,i-1,w,U1,C1,not_in_role,,,'=cmd|x",
      '',
    ]);
  });

  it.each([
    [['--since', '7d'], { format: 'jsonl', since: 7 * 86_400_000 }],
    [['--since', '12h', '--format', 'csv'], { format: 'csv', since: 12 * 3_600_000 }],
    [['--instance', 'abc'], { format: 'jsonl', instanceId: 'abc' }],
  ])('parses %p', (argv, expected) => {
    expect(parseAuditArgs(argv)).toEqual(expected);
  });

  it.each([[['--since', 'yesterday']], [['--format', 'xml']], [['--bogus']], [['--since']]])('refuses %p with a message', (argv) => {
    expect(typeof parseAuditArgs(argv)).toBe('string');
  });
});
