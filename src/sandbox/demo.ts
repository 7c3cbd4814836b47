/**
 * The sandbox's demo world: a Slack team with a responder, a lead who approves terminations and an
 * outsider; three channels (one private, where the bot is not a member, to show that error); and a
 * policy that gives each of them what a real SOC would.
 */
export const SANDBOX_TEAM = 'T0SANDBOX';
export const SANDBOX_WORKSPACE = 'sandbox-workspace';
export const SANDBOX_PROJECT = 'sandbox-project';

/**
 * Where `npm start` with nothing configured keeps its files, relative to the working directory: the
 * audit export reads the same SQLite file when nothing is configured, so the two never disagree.
 */
export const SANDBOX_DATA_DIR = 'data';

/**
 * The simulator's pace in the sandbox: each intermediate status (RETRYING, TERMINATING) lasts 4 s,
 * a retried run several of those steps (each seed says how many), and the one seeded instance that
 * ends by itself runs for ten minutes: long enough to try every flow on it, approvals included.
 */
export const SANDBOX_TIMING = { stepMs: 4000, runningMs: 10 * 60_000 };
export const SANDBOX_DATABASE_FILE = 'sandbox.sqlite';

export const SANDBOX_USERS = [
  { id: 'U0RESPONDER', name: 'Riley (responder)', role: 'responder: may view and retry; terminate needs a lead\'s approval' },
  { id: 'U0LEAD', name: 'Lee (lead)', role: 'lead: may view, retry, terminate and approve, also from a workflow step' },
  { id: 'U0OUTSIDER', name: 'Olive (outsider)', role: 'outsider: in no role, so every request is denied' },
] as const;

export const SANDBOX_CHANNELS = [
  { id: 'C0INCIDENT', name: 'incident-2481' },
  { id: 'C0SOC', name: 'soc-alerts' },
  { id: 'G0PRIVATE', name: 'private-forensics', isPrivate: true, botMember: false },
];

export const SANDBOX_USERGROUPS = { S0LEADS: ['U0LEAD'] };

export const SANDBOX_POLICY = `# The sandbox's demo policy (written by the bot at start-up; edit a copy for your own).
slack_team_id: ${SANDBOX_TEAM}
roles:
  responder:
    users: [U0RESPONDER]
  lead:
    users: [U0LEAD]
    usergroups: [S0LEADS]
rules:
  - operations: [VIEW]
    roles: [responder, lead]
  - operations: [RETRY]
    roles: [responder, lead]
  - operations: [TERMINATE]
    roles: [lead]
  - operations: [TERMINATE]
    roles: [responder]
    approval:
      approvers: [lead]
      count: 1
      expires_after: 15m
  # Workflow Builder steps (retry_playbook_instance, terminate_playbook_instance) may act for a lead;
  # for anyone else a step is denied: this rule is the only one that lists via: [workflow].
  - operations: [RETRY, TERMINATE]
    roles: [lead]
    via: [workflow]
`;
