/** The example of `shared/spec/interface.md` section 5, verbatim (comments included). */
export const SPEC_EXAMPLE = `slack_team_id: T0123ABCD        # requests from any other Slack team are refused
roles:
  responder:
    users: [U0AAA, U0BBB]       # Slack user IDs; "*" = everyone in the team
    usergroups: [S0SOC]         # Slack user group IDs (members read with usergroups.users.list)
  lead:
    users: [U0LEAD]
rules:
  - operations: [VIEW]          # status and list
    roles: [responder, lead]
  - operations: [RETRY]
    roles: [responder, lead]
    channels: [C0INCIDENT]      # optional: only in these channels
  - operations: [TERMINATE]
    roles: [lead]               # leads terminate at once
  - operations: [TERMINATE]
    roles: [responder]          # responders need one approval from a lead
    approval:
      approvers: [lead]
      count: 1
      expires_after: 30m        # s, m or h
`;
