import type { OperationOutcome } from '../../../src/domain/outcome';
import { evaluate, type Decision } from '../../../src/policy/evaluate';
import { parsePolicy } from '../../../src/policy/load';
import {
  describeDecision,
  renderCan,
  renderCannotPost,
  renderDenied,
  renderHelp,
  renderInternalError,
  renderOutcomeReply,
} from '../../../src/slack/blocks/replies';
import type { SlackMessage } from '../../../src/slack/blocks/kit';
import { HOSTILE_ERROR, HOSTILE_NAME, HUGE_NAME } from '../blockKitLimits';
import { REQUESTER, REQUESTER_MENTION, T0, approval, expectSafe, hostileError, hostileInstance, hugeError, hugeInstance, instance, json, secMasterError, target } from '../fixtures';
import { SPEC_EXAMPLE } from '../../policy/specExample';

const sectionText = (m: SlackMessage) => m.blocks.map((b) => (b.type === 'section' ? (b.text?.text ?? '') : '')).join('\n');

describe('renderHelp', () => {
  const help = renderHelp();
  it('lists every subcommand of /playbook', () => {
    expectSafe(help);
    for (const sub of ['retry <instance_id> [reason]', 'terminate <instance_id> [reason]', 'status <instance_id>', 'list [status] [page]', 'log <instance_id>', 'can <retry|terminate|view>', 'help']) {
      // `<…>` in mrkdwn is a link to Slack, so the placeholders are escaped even in the bot's own text.
      expect(sectionText(help)).toContain(`\`/playbook ${sub.replace(/</g, '&lt;').replace(/>/g, '&gt;')}\``);
    }
    expect(sectionText(help)).not.toMatch(/[<>]/);
  });
});

describe('decisions: renderCan, renderDenied, describeDecision', () => {
  const policy = parsePolicy(SPEC_EXAMPLE);
  const groups = { isMember: async () => false };
  const WS = 'ws-default';
  const decide = (userId: string, channelId: string, p: 'RETRY' | 'TERMINATE' | 'VIEW', teamId = 'T0123ABCD') =>
    evaluate(policy, { teamId, userTeamId: teamId, userId, channelId }, p, groups, { workspaceId: WS, defaultWorkspaceId: WS });

  it('allow: names the rule and role', async () => {
    const d = await decide('U0LEAD', 'C0X', 'TERMINATE');
    expect(describeDecision(d, 'TERMINATE')).toBe(':white_check_mark: You may *terminate* in this channel, at once — `rules[2]` (role `lead`).');
    const m = renderCan(d, 'TERMINATE', WS);
    expectSafe(m);
    expect(m.text).toContain('You may *terminate* in this channel, at once');
  });

  it('approval: count, approver roles, expiry and rule', async () => {
    const d = await decide('U0AAA', 'C0X', 'TERMINATE');
    expect(describeDecision(d, 'TERMINATE')).toBe(
      ':hourglass_flowing_sand: You may *terminate* here after approval: 1 approval from `lead`, requests expire after 30m — `rules[3]`.',
    );
    expectSafe(renderCan(d, 'TERMINATE', WS));
  });

  it('deny in the wrong channel: links the channels and names the rules', async () => {
    const d = await decide('U0AAA', 'C0RANDOM', 'RETRY');
    expect(describeDecision(d, 'RETRY')).toBe(':no_entry: You may not *retry* here: RETRY is only allowed for you in <#C0INCIDENT> (`rules[1]`).');
    const m = renderDenied(d as Extract<Decision, { effect: 'deny' }>, 'RETRY');
    expectSafe(m);
    expect(sectionText(m)).toContain('Nothing was sent to SecMaster.');
    expect(json(m)).toContain('`/playbook can retry`');
  });

  it('deny for another team: escapes the team ID that came in the request', async () => {
    const d = await decide('U0AAA', 'C0X', 'VIEW', '<!channel>');
    expect(d).toMatchObject({ reason: 'foreign_team' });
    const m = renderDenied(d as Extract<Decision, { effect: 'deny' }>, 'VIEW');
    expectSafe(m);
    expect(sectionText(m)).toContain('requests from Slack team &lt;!channel&gt; are not accepted');
  });

  it('deny not in role', async () => {
    const d = await decide('U0NOBODY', 'C0X', 'VIEW');
    expect(describeDecision(d, 'VIEW')).toBe(':no_entry: You may not *view* here: VIEW needs one of the roles: responder, lead.');
    expectSafe(renderCan(d, 'VIEW', WS));
  });

  it('can: says which workspace it is about and which workspaces the deciding rule covers', async () => {
    const scoped = parsePolicy(`slack_team_id: T0123ABCD
roles:
  lead:
    users: [U0LEAD]
rules:
  - operations: [RETRY]
    roles: [lead]
    workspaces: [ws-default, ws-eu]
`);
    const d = await evaluate(scoped, { teamId: 'T0123ABCD', userTeamId: 'T0123ABCD', userId: 'U0LEAD', channelId: 'C0X' }, 'RETRY', groups, { workspaceId: WS, defaultWorkspaceId: WS });
    const m = renderCan(d, 'RETRY', WS);
    expectSafe(m);
    expect(json(m)).toContain('In SecMaster workspace `ws-default`, the one `/playbook` commands act on. `rules[0]` covers the workspaces `ws-default`, `ws-eu`.');
    const none = renderCan(await decide('U0LEAD', 'C0X', 'TERMINATE'), 'TERMINATE', WS);
    expect(json(none)).toContain('`rules[2]` covers only that one (it names no `workspaces:`).');
  });

  it('a huge deny detail and many rules elsewhere stay within limits', () => {
    const d: Decision = {
      effect: 'deny',
      reason: 'not_in_role',
      detail: HUGE_NAME,
      elsewhere: Array.from({ length: 300 }, (_, i) => ({ label: `rules[${i}]`, index: i, rule: policy.rules[0]! })),
    };
    expectSafe(renderCan(d, 'RETRY', WS));
    expectSafe(renderDenied(d, 'RETRY'));
  });
});

describe('renderOutcomeReply', () => {
  type Data = 'normal' | 'hostile' | 'huge';
  const inst = (d: Data) => (d === 'normal' ? instance() : d === 'hostile' ? hostileInstance() : hugeInstance());
  const err = (d: Data) => (d === 'normal' ? secMasterError() : d === 'hostile' ? hostileError() : hugeError());
  const rid = (d: Data) => (d === 'normal' ? 'req-1' : d === 'hostile' ? '<!channel>' : HUGE_NAME);

  /** One outcome of each code, and what its line must say. */
  const outcomes = (d: Data): Array<[string, OperationOutcome, RegExp]> => [
    ['done', { code: 'done', operation: 'RETRY', instance: inst(d), requestId: rid(d) }, /^:white_check_mark: \*retry\* sent for .*it is now \*FAILED\*/],
    ['done_unconfirmed', { code: 'done_unconfirmed', operation: 'TERMINATE', instance: inst(d), error: err(d) }, /the terminate took effect\. It was not sent twice\./],
    ['not_applied', { code: 'not_applied', operation: 'RETRY', instance: inst(d), error: err(d) }, /it did not take effect\. It was not repeated automatically/],
    ['outcome_unknown', { code: 'outcome_unknown', operation: 'RETRY', error: err(d) }, /could not be read to check\. It was not repeated/],
    ['failed', { code: 'failed', operation: 'TERMINATE', error: err(d) }, /^:x: SecMaster refused the terminate: /],
    [
      'denied',
      { code: 'denied', operation: 'RETRY', decision: { effect: 'deny', reason: 'not_in_role', detail: d === 'normal' ? 'RETRY needs one of the roles: lead' : d === 'hostile' ? HOSTILE_NAME : HUGE_NAME, elsewhere: [] } },
      /^:no_entry: You may not \*retry\* here: [\s\S]*Nothing was sent to SecMaster\.$/,
    ],
    ['invalid_status', { code: 'invalid_status', operation: 'RETRY', instance: inst(d) }, /; retry needs FAILED or TERMINATED\. Nothing was sent\.$/],
    ['not_found', { code: 'not_found', operation: 'RETRY', target: target('inst-404'), error: err(d) }, /^:mag: No playbook instance `inst-404` in workspace `ws-default`: /],
    [
      'in_progress',
      { code: 'in_progress', operation: 'TERMINATE', holder: { userId: d === 'normal' ? 'U0LEAD' : '<!here>', operation: d === 'normal' ? 'TERMINATE' : d === 'hostile' ? '<!channel>' : HUGE_NAME, acquiredAt: T0 } },
      /it is under way\. Nothing more was sent\.$/,
    ],
    ['rate_limited', { code: 'rate_limited', operation: 'RETRY', retryInS: 42, limit: 5 }, /^:snail: You have asked for 5 operations in the last minute.*Try again in 42 s\. Nothing was sent\.$/],
    ['unavailable', { code: 'unavailable', operation: 'RETRY', error: err(d) }, /^:warning: SecMaster could not be read: .* Nothing was sent\.$/s],
    [
      'approval_requested',
      {
        code: 'approval_requested',
        operation: 'TERMINATE',
        instance: inst(d),
        approval: approval(d === 'normal' ? {} : { instanceName: d === 'hostile' ? HOSTILE_NAME : HUGE_NAME, approverRoles: [d === 'hostile' ? '<!channel>' : HUGE_NAME] }),
      },
      /needs 2 approvals \(.*\)\. The request is posted in <#C0INCIDENT> and expires <!date\^/,
    ],
    [
      'approval_requested (void)',
      { code: 'approval_requested', operation: 'TERMINATE', instance: inst(d), approval: approval({ state: 'void', detail: d === 'normal' ? 'not_in_channel' : d === 'hostile' ? HOSTILE_ERROR : HUGE_NAME }) },
      /I could not post the approval request in <#C0INCIDENT> \(`.*`\)\. Invite me/,
    ],
    ['approval_pending', { code: 'approval_pending', operation: 'RETRY', approval: approval({ operation: 'RETRY' }) }, new RegExp(`already waits for approval \\(asked by ${REQUESTER_MENTION} <!date\\^`)],
    ['not_sent (lock lost)', { code: 'not_sent', operation: 'RETRY', reason: 'lock_lost' }, /lost its turn on the instance, so the retry was not sent .*Check `\/playbook status` before asking again\.$/],
    ['not_sent (shutting down)', { code: 'not_sent', operation: 'TERMINATE', reason: 'shutting_down' }, /^:arrows_counterclockwise: The bot is restarting, so the terminate was not sent\. Ask again in a minute\.$/],
  ];

  it('covers every outcome code', () => {
    const { OUTCOME_CODES } = jest.requireActual<typeof import('../../../src/core')>('../../../src/core');
    expect(new Set(outcomes('normal').map(([, o]) => o.code))).toEqual(new Set(OUTCOME_CODES));
  });

  describe.each<Data>(['normal', 'hostile', 'huge'])('%s data', (d) => {
    it.each(outcomes(d))('%s', (_label, outcome, expected) => {
      const m = renderOutcomeReply(outcome, { postedCard: true, channel: 'C0INCIDENT' });
      expectSafe(m);
      if (d === 'normal') {
        expect(sectionText(m)).toMatch(expected);
        // The fallback says the same as the block (cut to its limit).
        expect(m.text).toBe(sectionText(m));
      }
    });
  });

  it('done: names the instance and status, the card, and the request ID', () => {
    const m = renderOutcomeReply({ code: 'done', operation: 'RETRY', instance: instance({ status: 'RETRYING' }), requestId: 'req-77' }, { postedCard: true });
    expect(sectionText(m)).toBe(
      ':white_check_mark: *retry* sent for *Block malicious IP 203.0.113.7* (`inst-0001`): it is now *RETRYING*. The status card in this channel follows it to a final status. Request ID `req-77`.',
    );
  });

  it('invalid_status for terminate names what terminate needs', () => {
    const m = renderOutcomeReply({ code: 'invalid_status', operation: 'TERMINATE', instance: instance({ status: 'FINISHED' }) });
    expect(sectionText(m)).toContain('is *FINISHED*; terminate needs RUNNING or RETRYING. Nothing was sent.');
  });

  it('in_progress mentions who holds the operation', () => {
    const m = renderOutcomeReply({ code: 'in_progress', operation: 'RETRY', holder: { userId: 'U0LEAD', operation: 'RETRY', acquiredAt: T0 } });
    expect(sectionText(m)).toMatch(/^:hourglass_flowing_sand: <@U0LEAD> started retry on this instance <!date\^1741064767\^/);
  });

  it('hostile SecMaster errors are escaped, not dropped', () => {
    const m = renderOutcomeReply({ code: 'failed', operation: 'RETRY', error: hostileError() });
    expect(sectionText(m)).toContain('`HTTP 400 · &lt;!channel&gt;` Instance &lt;!channel&gt; not found');
    expect(m.text).toContain('&lt;!channel&gt;');
  });

  it('a deliberate mention of the requester stays live', () => {
    const m = renderOutcomeReply({ code: 'approval_pending', operation: 'RETRY', approval: approval({ requester: REQUESTER }) });
    expect(json(m.blocks)).toContain(REQUESTER_MENTION);
    expect(m.text).toContain(REQUESTER_MENTION);
  });
});

describe('renderCannotPost', () => {
  it.each([
    ['not_in_channel', /^:warning: I cannot post in <#C0PRIV> \(`not_in_channel`\): it is private or I am not a member\. Invite me with `\/invite @playbooks`, then try again\.$/],
    ['channel_not_found', /^:warning: I cannot post in <#C0PRIV> \(`channel_not_found`\)/],
    ['is_archived', /^:warning: <#C0PRIV> is archived \(`is_archived`\), so I cannot post the status card there\.$/],
    ['invalid_blocks', /^:warning: Slack refused the status card \(`invalid_blocks`\)\.$/],
  ])('%s', (error, expected) => {
    const m = renderCannotPost('C0PRIV', error, false);
    expectSafe(m);
    expect(sectionText(m)).toMatch(expected);
  });

  it('says the operation itself was carried out', () => {
    expect(sectionText(renderCannotPost('C0PRIV', 'not_in_channel', true))).toMatch(/The operation itself was carried out\.$/);
  });

  it('escapes a hostile channel and error', () => {
    expectSafe(renderCannotPost('<!channel>', HOSTILE_ERROR, true));
    expectSafe(renderCannotPost(HUGE_NAME, HUGE_NAME, true));
  });
});

describe('renderInternalError', () => {
  it('is safe and says nothing further was done', () => {
    const m = renderInternalError();
    expectSafe(m);
    expect(sectionText(m)).toContain('nothing further was done');
  });
});

it('REQUESTER fixture is a Slack user ID (so its mention is deliberate)', () => {
  expect(REQUESTER).toMatch(/^U[A-Z0-9]+$/);
});
