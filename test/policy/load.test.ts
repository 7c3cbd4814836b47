import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PolicyError, formatPath, loadPolicy, loadPolicyFile, parsePolicy } from '../../src/policy/load';
import { SPEC_EXAMPLE } from './specExample';

/** The problems a policy text is refused with; fails the test when it parses. */
function problemsOf(text: string): string[] {
  try {
    parsePolicy(text, 'test.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    const e = err as PolicyError;
    expect(e.file).toBe('test.yml');
    // The message lists every problem, so a person sees them all at once on stderr.
    for (const p of e.problems) expect(e.message).toContain(p);
    return e.problems;
  }
  throw new Error(`expected the policy to be refused:\n${text}`);
}

/** A valid policy with `extra` appended to the rules list (as rules[1], rules[2], …). */
const BASE = `slack_team_id: T0123ABCD
roles:
  responder:
    users: [U0AAA]
  lead:
    users: [U0LEAD]
rules:
  - operations: [VIEW]
    roles: [responder]
`;
const withRule = (rule: string) => BASE + rule;
const terminateWithApproval = (approvalLines: string) =>
  withRule(`  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [lead]
${approvalLines}`);

describe('formatPath', () => {
  it.each<[PropertyKey[], string]>([
    [[], '(file)'],
    [['rules'], 'rules'],
    [['rules', 3], 'rules[3]'],
    [['rules', 3, 'roles', 0], 'rules[3].roles[0]'],
    [['rules', 0, 'approval', 'approvers', 2], 'rules[0].approval.approvers[2]'],
    [['roles', 'responder', 'users', 1], 'roles.responder.users[1]'],
    [[0], '[0]'],
  ])('%j → %s', (p, expected) => {
    expect(formatPath(p)).toBe(expected);
  });
});

describe('parsePolicy: the spec example', () => {
  it('SPEC_EXAMPLE is the YAML block of shared/spec/interface.md section 5', () => {
    const spec = readFileSync('/work/shared/spec/interface.md', 'utf8');
    const section5 = spec.slice(spec.indexOf('## 5.'));
    expect(/```yaml\n([\s\S]*?)```/.exec(section5)?.[1]).toBe(SPEC_EXAMPLE);
  });

  it('parses, with durations in milliseconds and count kept', () => {
    const policy = parsePolicy(SPEC_EXAMPLE);
    expect(policy.slack_team_id).toBe('T0123ABCD');
    expect(policy.roles).toEqual({
      responder: { users: ['U0AAA', 'U0BBB'], usergroups: ['S0SOC'] },
      lead: { users: ['U0LEAD'] },
    });
    expect(policy.rules).toEqual([
      { operations: ['VIEW'], roles: ['responder', 'lead'] },
      { operations: ['RETRY'], roles: ['responder', 'lead'], channels: ['C0INCIDENT'] },
      { operations: ['TERMINATE'], roles: ['lead'] },
      { operations: ['TERMINATE'], roles: ['responder'], approval: { approvers: ['lead'], count: 1, expires_after: 30 * 60_000 } },
    ]);
  });

  it('defaults an approval count to 1', () => {
    const policy = parsePolicy(terminateWithApproval('      expires_after: 2h\n'));
    expect(policy.rules[1]!.approval).toEqual({ approvers: ['lead'], count: 1, expires_after: 2 * 3_600_000 });
  });

  it.each([
    ['10s', 10_000],
    ['90s', 90_000],
    ['1m', 60_000],
    ['168h', 168 * 3_600_000],
  ])('accepts the duration %s', (d, ms) => {
    expect(parsePolicy(terminateWithApproval(`      expires_after: ${d}\n`)).rules[1]!.approval!.expires_after).toBe(ms);
  });

  it('accepts "*" and W-prefixed (Enterprise Grid) user IDs, G and D channels', () => {
    const policy = parsePolicy(`slack_team_id: E0GRID
roles:
  all:
    users: ["*", W0ABC]
rules:
  - operations: [VIEW, RETRY]
    roles: [all]
    channels: [C0ONE, G0PRIV, D0DM]
`);
    expect(policy.roles.all!.users).toEqual(['*', 'W0ABC']);
    expect(policy.rules[0]!.channels).toEqual(['C0ONE', 'G0PRIV', 'D0DM']);
  });
});

describe('parsePolicy: errors name the field by its path', () => {
  it('an unknown role in a rule: rules[3].roles[0]', () => {
    const text = SPEC_EXAMPLE.replace('roles: [responder]          # responders', 'roles: [ghost]          # responders');
    expect(problemsOf(text)).toEqual(['rules[3].roles[0]: unknown role "ghost"']);
  });

  it('an unknown approver role: rules[3].approval.approvers[0]', () => {
    expect(problemsOf(SPEC_EXAMPLE.replace('approvers: [lead]', 'approvers: [boss]'))).toEqual(['rules[3].approval.approvers[0]: unknown role "boss"']);
  });

  it('reports every problem at once, each with its own path', () => {
    const problems = problemsOf(`slack_team_id: T0123ABCD
roles:
  responder:
    users: [U0AAA]
rules:
  - operations: [VIEW]
    roles: [responder, ghost]
  - operations: [RETRY]
    roles: [phantom]
    channels: [general]
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'rules[0].roles[1]: unknown role "ghost"',
        'rules[1].roles[0]: unknown role "phantom"',
        'rules[1].channels[0]: must be a Slack channel ID like "C0INCIDENT"',
      ]),
    );
  });

  describe('unknown keys, at every level', () => {
    it.each([
      ['top level', BASE + 'admins: [U0AAA]\n', 'admins: unknown key "admins"'],
      ['a role', BASE.replace('    users: [U0AAA]\n', '    users: [U0AAA]\n    members: [U0BBB]\n'), 'roles.responder.members: unknown key "members"'],
      ['a rule', withRule('  - operations: [RETRY]\n    roles: [lead]\n    channel: [C0X]\n'), 'rules[1].channel: unknown key "channel"'],
      ['an approval', terminateWithApproval('      expires_after: 30m\n      timeout: 5m\n'), 'rules[1].approval.timeout: unknown key "timeout"'],
    ])('in %s', (_level, text, expected) => {
      expect(problemsOf(text)).toEqual([expected]);
    });

    it('names each unknown key of one object separately', () => {
      expect(problemsOf(BASE + 'admins: []\nversion: 2\n')).toEqual(['admins: unknown key "admins"', 'version: unknown key "version"']);
    });
  });

  describe('durations', () => {
    it.each(['30x', '0m', '30', '30 m', '-5m', '1d', 'm', '1.5h', '30M'])('refuses %j as not a duration', (d) => {
      expect(problemsOf(terminateWithApproval(`      expires_after: "${d}"\n`))).toEqual(['rules[1].approval.expires_after: must be a duration like "30m" (s, m or h)']);
    });

    it.each(['5s', '9s', '169h'])('refuses %s as out of range (10s to 168h)', (d) => {
      expect(problemsOf(terminateWithApproval(`      expires_after: ${d}\n`))).toEqual(['rules[1].approval.expires_after: must be between 10s and 168h']);
    });

    it('a number where a duration belongs is a bad duration, not "required"', () => {
      expect(problemsOf(terminateWithApproval('      expires_after: 30\n'))).toEqual(['rules[1].approval.expires_after: must be a duration like "30m" (s, m or h)']);
    });

    it('a missing expires_after is "required"', () => {
      expect(problemsOf(terminateWithApproval('      count: 1\n'))).toEqual(['rules[1].approval.expires_after: required']);
    });
  });

  it.each([
    ['0', /^rules\[1\]\.approval\.count: .*>=1/],
    ['-1', /^rules\[1\]\.approval\.count: .*>=1/],
    ['11', /^rules\[1\]\.approval\.count: .*<=10/],
    ['1.5', /^rules\[1\]\.approval\.count: must be a whole number$/],
  ])('refuses approval count %s', (count, expected) => {
    const problems = problemsOf(terminateWithApproval(`      count: ${count}\n      expires_after: 30m\n`));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('a count that is not a number says what it must be', () => {
    const problems = problemsOf(terminateWithApproval('      count: two\n      expires_after: 30m\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^rules\[1\]\.approval\.count: /);
    expect(problems[0]).not.toMatch(/required/);
  });

  it.each([
    ['a user name', 'users: [bob]', 'roles.responder.users[0]: must be a Slack user ID like "U0AAA" or "*"'],
    ['a lowercase ID', 'users: [u0aaa]', 'roles.responder.users[0]: must be a Slack user ID like "U0AAA" or "*"'],
    ['a mention', 'users: ["<@U0AAA>"]', 'roles.responder.users[0]: must be a Slack user ID like "U0AAA" or "*"'],
    ['a channel ID as user', 'users: [U0AAA, C0CHAN]', 'roles.responder.users[1]: must be a Slack user ID like "U0AAA" or "*"'],
    ['a group handle', 'usergroups: ["@soc"]', 'roles.responder.usergroups[0]: must be a Slack user group ID like "S0SOC"'],
    ['a user as group', 'usergroups: [U0AAA]', 'roles.responder.usergroups[0]: must be a Slack user group ID like "S0SOC"'],
  ])('refuses %s in a role', (_label, line, expected) => {
    expect(problemsOf(BASE.replace('users: [U0AAA]', line))).toEqual([expected]);
  });

  it.each(['general', '#general', 'c0lower', 'U0AAA', '<#C0ABC>'])('refuses channel %j', (ch) => {
    expect(problemsOf(withRule(`  - operations: [RETRY]\n    roles: [lead]\n    channels: ["${ch}"]\n`))).toEqual([
      'rules[1].channels[0]: must be a Slack channel ID like "C0INCIDENT"',
    ]);
  });

  it('reads `workspaces` on a rule (spec section 5): the SecMaster workspaces it covers', () => {
    const policy = parsePolicy(withRule('  - operations: [RETRY]\n    roles: [lead]\n    workspaces: [ws-prod, ws_eu-2, 0a1b2c3d4e5f]\n'));
    expect(policy.rules[1]!.workspaces).toEqual(['ws-prod', 'ws_eu-2', '0a1b2c3d4e5f']);
    expect(policy.rules[0]!.workspaces).toBeUndefined();
  });

  it.each([
    ['a path', '"../ws"'],
    ['a space', '"ws prod"'],
    ['65 characters', 'w'.repeat(65)],
    ['a number', '42'],
    ['an empty ID', '""'],
  ])('refuses a workspace ID that is %s, naming the field', (_label, ws) => {
    expect(problemsOf(withRule(`  - operations: [RETRY]\n    roles: [lead]\n    workspaces: [ws-ok, ${ws}]\n`))).toEqual([
      expect.stringMatching(/^rules\[1\]\.workspaces\[1\]: must be a SecMaster workspace ID/),
    ]);
  });

  it('reads `via` on a rule (spec sections 5 and 10): how requests may come for it to grant them', () => {
    const policy = parsePolicy(withRule('  - operations: [RETRY]\n    roles: [lead]\n    via: [workflow, command]\n'));
    expect(policy.rules[1]!.via).toEqual(['workflow', 'command']);
    expect(policy.rules[0]!.via).toBeUndefined();
  });

  it.each([
    ['workflows', 'unknown via "workflows": must be command, button or workflow'],
    ['Workflow', 'unknown via "Workflow": must be command, button or workflow'],
    ['shortcut', 'unknown via "shortcut": must be command, button or workflow'],
    ['42', 'unknown via 42: must be command, button or workflow'],
  ])('refuses via value %s, naming the field and the value', (value, problem) => {
    expect(problemsOf(withRule(`  - operations: [RETRY]\n    roles: [lead]\n    via: [command, ${value}]\n`))).toEqual([`rules[1].via[1]: ${problem}`]);
  });

  it('refuses an empty `via` list and a `via` that is not a list', () => {
    expect(problemsOf(withRule('  - operations: [RETRY]\n    roles: [lead]\n    via: []\n'))).toEqual(['rules[1].via: omit via or name at least one of command, button, workflow']);
    expect(problemsOf(withRule('  - operations: [RETRY]\n    roles: [lead]\n    via: workflow\n'))).toEqual([expect.stringMatching(/^rules\[1\]\.via: /)]);
  });

  it('refuses `workspaces` that is not a list', () => {
    expect(problemsOf(withRule('  - operations: [RETRY]\n    roles: [lead]\n    workspaces: ws-prod\n'))).toEqual([expect.stringMatching(/^rules\[1\]\.workspaces: /)]);
  });

  it('a role with neither users nor user groups', () => {
    expect(problemsOf(BASE.replace('    users: [U0AAA]\n', '    users: []\n'))).toEqual(['roles.responder: a role needs at least one user or user group']);
  });

  it('VIEW with approval', () => {
    expect(problemsOf(withRule('  - operations: [VIEW, RETRY]\n    roles: [lead]\n    approval:\n      approvers: [lead]\n      expires_after: 30m\n'))).toEqual([
      'rules[1].approval: VIEW cannot require approval; put VIEW in a rule of its own',
    ]);
  });

  it('an unknown operation', () => {
    expect(problemsOf(withRule('  - operations: [DELETE]\n    roles: [lead]\n'))).toEqual(['rules[1].operations[0]: must be VIEW, RETRY or TERMINATE']);
  });

  it.each([
    ['operations', '  - operations: []\n    roles: [lead]\n', 'rules[1].operations: name at least one operation'],
    ['roles', '  - operations: [RETRY]\n    roles: []\n', 'rules[1].roles: name at least one role'],
    ['channels', '  - operations: [RETRY]\n    roles: [lead]\n    channels: []\n', 'rules[1].channels: omit channels or name at least one'],
    ['workspaces', '  - operations: [RETRY]\n    roles: [lead]\n    workspaces: []\n', 'rules[1].workspaces: omit workspaces or name at least one'],
  ])('an empty %s list', (_label, rule, expected) => {
    expect(problemsOf(withRule(rule))).toEqual([expected]);
  });

  it('missing slack_team_id', () => {
    expect(problemsOf(BASE.replace('slack_team_id: T0123ABCD\n', ''))).toEqual(['slack_team_id: required']);
  });

  it('a bad slack_team_id', () => {
    expect(problemsOf(BASE.replace('T0123ABCD', 'my-team'))).toEqual(['slack_team_id: must be a Slack team ID like "T0123ABCD"']);
  });

  it('no rules', () => {
    expect(problemsOf(BASE.replace(/rules:[\s\S]*$/, 'rules: []\n'))).toEqual(['rules: at least one rule is needed (anything not granted is denied)']);
  });

  it('rules missing altogether', () => {
    expect(problemsOf(BASE.replace(/rules:[\s\S]*$/, ''))).toEqual(['rules: required']);
  });

  it('rules that are not a list say so, not "required"', () => {
    const problems = problemsOf(BASE.replace(/rules:[\s\S]*$/, 'rules: everything\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^rules: .*array/);
  });
});

describe('parsePolicy: files that are not a policy at all', () => {
  it.each([
    ['an empty file', ''],
    ['a whitespace-only file', '  \n\t\n   \n'],
  ])('%s is an error naming the file as a whole', (_label, text) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\(file\): the policy file is empty/);
  });

  it('a file of comments only is empty too', () => {
    expect(problemsOf('# nothing here yet\n# really\n')).toEqual(['(file): the policy file is empty']);
  });

  it('a YAML syntax error names its line', () => {
    const text = BASE + '  - operations: [RETRY\n    roles: [lead]\n';
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThanOrEqual(1);
    // The unclosed flow sequence starts on line 10 and is reported there or where it should end.
    expect(problems[0]).toMatch(/^line (10|11|12): /);
  });

  it('a tab-indented line is a syntax error with its line number', () => {
    const problems = problemsOf('slack_team_id: T0123ABCD\nroles:\n\tlead:\n');
    expect(problems[0]).toMatch(/^line 3: /);
  });

  it('a duplicate key is an error naming its line', () => {
    const problems = problemsOf(BASE + 'slack_team_id: T0OTHER\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^line 10: .*unique/i);
  });

  it('a duplicate key in a nested map is an error too', () => {
    const text = BASE.replace('  lead:\n    users: [U0LEAD]\n', '  lead:\n    users: [U0LEAD]\n  lead:\n    users: [U0BBB]\n');
    expect(problemsOf(text)[0]).toMatch(/^line 7: .*unique/i);
  });

  it.each([
    ['a scalar', 'hello'],
    ['a list', '- a\n- b\n'],
    ['a number', '42'],
  ])('%s at the top says an object (mapping) is expected, not "required"', (_label, text) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\(file\): .*object/);
  });
});

describe('loadPolicyFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'policy-load-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads and parses a file', async () => {
    const file = path.join(dir, 'policy.yml');
    writeFileSync(file, SPEC_EXAMPLE);
    await expect(loadPolicyFile(file)).resolves.toMatchObject({ slack_team_id: 'T0123ABCD' });
  });

  it('a missing file is an error naming PLAYBOOK_POLICY_FILE and the path, and how to start from policy.example.yml', async () => {
    const file = path.join(dir, 'nope.yml');
    const err = await loadPolicyFile(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PolicyError);
    const e = err as PolicyError;
    expect(e.problems).toEqual([
      `PLAYBOOK_POLICY_FILE: cannot read ${file} (no such file); to start from the example: cp policy.example.yml ${file} and set PLAYBOOK_POLICY_FILE=${file}, then edit slack_team_id, roles and rules (or put the YAML itself in PLAYBOOK_POLICY)`,
    ]);
    expect(e.message).toContain('PLAYBOOK_POLICY_FILE');
    expect(e.message).toContain(file);
  });

  it('a relative path (as the default policy.yml is) is named as given in the cp line', async () => {
    // Relative, as the default is: resolved against the working directory, where no policy.yml is.
    const relative = path.relative(process.cwd(), path.join(dir, 'policy.yml.missing'));
    await expect(loadPolicyFile(relative)).rejects.toMatchObject({ problems: [expect.stringContaining(`cp policy.example.yml ${relative} and set PLAYBOOK_POLICY_FILE=${relative}`)] });
  });

  it('a directory is an error naming PLAYBOOK_POLICY_FILE with the system code, and the same way to start', async () => {
    await expect(loadPolicyFile(dir)).rejects.toMatchObject({
      problems: [`PLAYBOOK_POLICY_FILE: cannot read ${dir} (EISDIR: a folder, not a file); to start from the example: cp policy.example.yml ${dir} and set PLAYBOOK_POLICY_FILE=${dir}, then edit slack_team_id, roles and rules (or put the YAML itself in PLAYBOOK_POLICY)`],
    });
  });

  it('an invalid file names the file in the error', async () => {
    const file = path.join(dir, 'bad.yml');
    writeFileSync(file, 'slack_team_id: T0123ABCD\n');
    await expect(loadPolicyFile(file)).rejects.toMatchObject({ file, message: expect.stringContaining(`Policy file ${file} is invalid`) });
  });
});

describe('loadPolicy: PLAYBOOK_POLICY holds the YAML itself', () => {
  it('parses the text with no file involved', async () => {
    await expect(loadPolicy({ kind: 'variable', yaml: SPEC_EXAMPLE })).resolves.toMatchObject({ slack_team_id: 'T0123ABCD' });
  });

  it('an invalid one names PLAYBOOK_POLICY and the field, not a file', async () => {
    const err = await loadPolicy({ kind: 'variable', yaml: 'slack_team_id: T0123ABCD\n' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).message.startsWith('PLAYBOOK_POLICY is invalid:\n')).toBe(true);
    expect((err as PolicyError).problems).toContain('roles: required');
  });

  it('an empty one is refused like an empty file', async () => {
    await expect(loadPolicy({ kind: 'variable', yaml: '' })).rejects.toBeInstanceOf(PolicyError);
  });
});
