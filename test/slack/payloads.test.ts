import type { BlockAction, ButtonAction, SlashCommand } from '@slack/bolt';
import { clickContext, clickPrincipal, commandPayload, commandPrincipal } from '../../src/slack/payloads';

/**
 * Which team is whose, read from payloads typed with Bolt's own `BlockAction` and `SlashCommand`
 * (Slack's published shapes): a click keeps the team it came through (`team.id`) apart from the
 * clicker's own (`user.team_id`); a command has only the workspace it was typed in.
 */
function click(over: { team?: BlockAction['team']; userTeam?: string; enterprise?: BlockAction['enterprise'] } = {}): BlockAction<ButtonAction> {
  return {
    type: 'block_actions',
    team: over.team === undefined ? { id: 'T0OURS', domain: 'ours' } : over.team,
    user: { id: 'U0GUEST', username: 'guest', ...(over.userTeam ? { team_id: over.userTeam } : {}) },
    channel: { id: 'C0SHARED', name: 'shared' },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0SHARED', is_ephemeral: false },
    message: { type: 'message', ts: '1700000000.000100', text: 'card', bot_id: 'B0PLAYBOOK' },
    token: 'legacy',
    response_url: 'https://hooks.slack.com/actions/T0OURS/1/x',
    trigger_id: '1.2.3',
    api_app_id: 'A0PLAYBOOK',
    actions: [{ type: 'button', action_id: 'playbook_retry', block_id: 'b', value: 'inst-1', action_ts: '1700000000.1', text: { type: 'plain_text', text: 'Retry' } }],
    ...(over.enterprise ? { enterprise: over.enterprise } : {}),
  };
}

test('a Slack Connect guest: the click came through our team, the user is from theirs', () => {
  const c = clickContext(click({ userTeam: 'T0PARTNER' }), 'B0PLAYBOOK')!;
  expect(c).toMatchObject({ teamId: 'T0OURS', userTeamId: 'T0PARTNER', userId: 'U0GUEST', channelId: 'C0SHARED', ownMessage: true });
  expect(clickPrincipal(c, 'C0SHARED')).toEqual({ teamId: 'T0OURS', userTeamId: 'T0PARTNER', userId: 'U0GUEST', channelId: 'C0SHARED', via: 'button' });
});

test('a click that does not say the user\'s team leaves it unknown (to be asked of Slack), never assumed', () => {
  const c = clickContext(click(), 'B0PLAYBOOK')!;
  expect(c.teamId).toBe('T0OURS');
  expect(c.userTeamId).toBeUndefined();
  expect(clickPrincipal(c, 'C0SHARED')).not.toHaveProperty('userTeamId');
});

test('an organisation-wide install (team: null): the user\'s own team is the only one there is', () => {
  const c = clickContext(click({ team: null, userTeam: 'E0ORG' }), 'B0PLAYBOOK')!;
  expect(c).toMatchObject({ teamId: 'E0ORG', userTeamId: 'E0ORG' });
});

test("an Enterprise organisation's ID is kept, from team.enterprise_id or enterprise.id", () => {
  expect(clickContext(click({ team: { id: 'T0OURS', domain: 'ours', enterprise_id: 'E0ORG' }, userTeam: 'E0ORG' }), 'B0PLAYBOOK')).toMatchObject({ enterpriseId: 'E0ORG', userTeamId: 'E0ORG' });
  expect(clickContext(click({ enterprise: { id: 'E0ORG', name: 'Org' } }), 'B0PLAYBOOK')).toMatchObject({ enterpriseId: 'E0ORG' });
  expect(clickContext(click({ enterprise: { id: 'not-an-org', name: 'x' } }), 'B0PLAYBOOK')).not.toHaveProperty('enterpriseId');
});

test('a slash command: its team_id is where it was typed; no user team; enterprise_id kept when it is one', () => {
  const base: SlashCommand = {
    token: 'legacy', command: '/playbook', text: 'can view', response_url: 'https://hooks.slack.com/commands/1', trigger_id: '1.2.3', user_id: 'U0GUEST', user_name: 'guest',
    team_id: 'T0OURS', team_domain: 'ours', channel_id: 'C0SHARED', channel_name: 'shared', api_app_id: 'A0PLAYBOOK',
  };
  expect(commandPrincipal(commandPayload.parse(base))).toEqual({ teamId: 'T0OURS', userId: 'U0GUEST', channelId: 'C0SHARED', via: 'command' });
  expect(commandPrincipal(commandPayload.parse({ ...base, enterprise_id: 'E0ORG' }))).toEqual({ teamId: 'T0OURS', userId: 'U0GUEST', channelId: 'C0SHARED', via: 'command', enterpriseId: 'E0ORG' });
  expect(commandPrincipal(commandPayload.parse({ ...base, enterprise_id: '' }))).not.toHaveProperty('enterpriseId');
});
