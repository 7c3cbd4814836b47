import { describeUsageProblem, renderUsage, type RequestProblem } from '../../../src/slack/blocks/usage';
import type { SlackMessage } from '../../../src/slack/blocks/kit';
import { HOSTILE_NAME, HUGE_NAME } from '../blockKitLimits';
import { expectSafe, json } from '../fixtures';

const sectionText = (m: SlackMessage) => m.blocks.map((b) => (b.type === 'section' ? (b.text?.text ?? '') : '')).join('\n');

describe('renderUsage', () => {
  it('says what was wrong and that nothing was done', () => {
    const m = renderUsage({ kind: 'needs_instance_id', subcommand: 'retry' });
    expectSafe(m);
    expect(sectionText(m)).toBe(':warning: `retry` needs an instance ID. Nothing was done.\nTry `/playbook help` for the commands.');
    expect(m.text).toBe('Usage: `retry` needs an instance ID');
  });

  it.each<[string, Parameters<typeof renderUsage>[0]]>([
    ['a problem quoting hostile user input', { kind: 'not_an_instance_id', word: HOSTILE_NAME }],
    ['a problem of 10 000 characters', { kind: 'list_arguments', word: HUGE_NAME }],
    ['a hostile word that is not a subcommand', { kind: 'unknown_subcommand', word: HOSTILE_NAME }],
    ['a button naming hostile IDs', { kind: 'button_names_other_instance', named: { workspaceId: HOSTILE_NAME, instanceId: HUGE_NAME }, card: { workspaceId: 'ws-1', instanceId: HOSTILE_NAME } }],
  ])('escapes %s in the blocks and in the fallback text', (_label, problem) => {
    const m = renderUsage(problem);
    expectSafe(m);
  });
});

describe('describeUsageProblem: the problems listeners find in what Slack delivered', () => {
  it.each<[RequestProblem, string]>([
    [{ kind: 'command_payload' }, 'the request from Slack is missing its team, user or channel'],
    [{ kind: 'click_without_user' }, 'this click came without a team or user'],
    [{ kind: 'click_without_channel' }, 'this click came without a team, user or channel'],
    [{ kind: 'not_approval_button' }, "this button's value is not an approval ID"],
    [{ kind: 'not_instance_button', json: false }, "this button's value is not an instance ID"],
    [{ kind: 'not_instance_button', json: true }, "this button's value is not an instance ID (or JSON with instance_id and workspace_id)"],
    [{ kind: 'foreign_button', button: 'page' }, 'this page button is not one the bot made'],
    [{ kind: 'foreign_button', button: 'share' }, 'this share button is not one the bot made'],
    [
      { kind: 'button_names_other_instance', named: { workspaceId: 'ws-b', instanceId: 'inst-2' }, card: { workspaceId: 'ws-a', instanceId: 'inst-1' } },
      'this button names inst-2 in workspace ws-b, but its card is about inst-1 in workspace ws-a',
    ],
  ])('%j', (problem, words) => {
    expect(describeUsageProblem(problem)).toBe(words);
    expect(json(renderUsage(problem))).toContain('Nothing was done.');
  });
});
