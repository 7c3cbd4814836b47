/**
 * Schema migrations, applied in order at start-up and recorded in `schema_migrations`. SQLite and
 * PostgreSQL differ only in types (PostgreSQL needs BIGINT for millisecond times); the tables,
 * keys and meanings are the same, so one contract test suite covers both.
 */
export interface Migration {
  version: number;
  sql: string;
}

function schema(t: { id: string; int: string; text: string }): string {
  return `
    CREATE TABLE audit (
      id ${t.id},
      at ${t.text} NOT NULL,
      event ${t.text} NOT NULL,
      operation ${t.text},
      instance_id ${t.text},
      workspace_id ${t.text},
      user_id ${t.text} NOT NULL,
      channel ${t.text},
      outcome ${t.text} NOT NULL,
      request_id ${t.text},
      approval_id ${t.text},
      detail ${t.text}
    );
    CREATE INDEX audit_at ON audit (at);
    CREATE INDEX audit_instance ON audit (instance_id, at);

    CREATE TABLE locks (
      lock_key ${t.text} PRIMARY KEY,
      token ${t.text} NOT NULL,
      user_id ${t.text} NOT NULL,
      operation ${t.text} NOT NULL,
      acquired_at ${t.int} NOT NULL,
      expires_at ${t.int} NOT NULL
    );

    CREATE TABLE watches (
      id ${t.text} PRIMARY KEY,
      workspace_id ${t.text} NOT NULL,
      instance_id ${t.text} NOT NULL,
      channel ${t.text} NOT NULL,
      message_ts ${t.text} NOT NULL,
      thread_ts ${t.text} NOT NULL,
      requester ${t.text},
      last_status ${t.text} NOT NULL,
      interval_ms ${t.int} NOT NULL,
      next_poll_at ${t.int} NOT NULL,
      started_at ${t.int} NOT NULL,
      deadline ${t.int} NOT NULL,
      card ${t.text} NOT NULL,
      lease_owner ${t.text},
      lease_until ${t.int} NOT NULL DEFAULT 0
    );
    CREATE INDEX watches_due ON watches (next_poll_at);

    CREATE TABLE approvals (
      id ${t.text} PRIMARY KEY,
      team_id ${t.text} NOT NULL,
      workspace_id ${t.text} NOT NULL,
      instance_id ${t.text} NOT NULL,
      instance_name ${t.text},
      instance_status ${t.text},
      operation ${t.text} NOT NULL,
      requester ${t.text} NOT NULL,
      channel ${t.text} NOT NULL,
      reason ${t.text},
      rule ${t.text} NOT NULL,
      approver_roles ${t.text} NOT NULL,
      needed ${t.int} NOT NULL,
      created_at ${t.int} NOT NULL,
      expires_at ${t.int} NOT NULL,
      state ${t.text} NOT NULL,
      decided_by ${t.text},
      decided_at ${t.int},
      message_ts ${t.text},
      detail ${t.text}
    );
    CREATE INDEX approvals_state ON approvals (state, expires_at);
    CREATE INDEX approvals_requester ON approvals (requester, created_at);

    CREATE TABLE approval_votes (
      approval_id ${t.text} NOT NULL REFERENCES approvals (id),
      user_id ${t.text} NOT NULL,
      at ${t.int} NOT NULL,
      PRIMARY KEY (approval_id, user_id)
    );

    CREATE TABLE seen_events (
      event_key ${t.text} PRIMARY KEY,
      at ${t.int} NOT NULL
    );

    CREATE TABLE cards (
      channel ${t.text} NOT NULL,
      message_ts ${t.text} NOT NULL,
      workspace_id ${t.text} NOT NULL,
      instance_id ${t.text} NOT NULL,
      context ${t.text} NOT NULL,
      created_at ${t.int} NOT NULL,
      PRIMARY KEY (channel, message_ts)
    );

    CREATE TABLE rate_windows (
      rate_key ${t.text} NOT NULL,
      window_start ${t.int} NOT NULL,
      hits ${t.int} NOT NULL,
      PRIMARY KEY (rate_key, window_start)
    );
  `;
}

/**
 * Version 2: the per-person operation limit counts over a sliding minute instead of clock-aligned
 * windows, which let two full windows' worth through in a second around a minute boundary. One row
 * per granted operation; rows older than the window are deleted as the key is used (and in bulk now
 * and then), so the table stays at about (people active in the last minute × limit) rows.
 */
function slidingRateLimit(t: { int: string; text: string }): string {
  return `
    DROP TABLE rate_windows;
    CREATE TABLE rate_hits (
      rate_key ${t.text} NOT NULL,
      at ${t.int} NOT NULL
    );
    CREATE INDEX rate_hits_key_at ON rate_hits (rate_key, at);
    CREATE INDEX rate_hits_at ON rate_hits (at);
  `;
}

/**
 * Version 3: SMN messages by ID (SMN delivers at least once): one row per message, claimed with a
 * fencing token and a lease while a replica handles it, then `done`, so a redelivery to any replica
 * posts nothing more and a subscription is confirmed once.
 */
function smnMessages(t: { int: string; text: string }): string {
  return `
    CREATE TABLE smn_messages (
      message_id ${t.text} PRIMARY KEY,
      topic_urn ${t.text} NOT NULL,
      type ${t.text} NOT NULL,
      state ${t.text} NOT NULL,
      token ${t.text} NOT NULL,
      claimed_until ${t.int} NOT NULL,
      received_at ${t.int} NOT NULL,
      done_at ${t.int},
      detail ${t.text}
    );
    CREATE INDEX smn_messages_received ON smn_messages (received_at);
  `;
}

/**
 * Version 4: operation attempts, written before every operation POST and resolved with its audit
 * row. The partial unique index keeps at most one open attempt per instance, whatever the replicas do.
 */
function attempts(t: { int: string; text: string }): string {
  return `
    CREATE TABLE attempts (
      id ${t.text} PRIMARY KEY,
      lock_key ${t.text} NOT NULL,
      workspace_id ${t.text} NOT NULL,
      instance_id ${t.text} NOT NULL,
      operation ${t.text} NOT NULL,
      requester ${t.text} NOT NULL,
      actor ${t.text} NOT NULL,
      channel ${t.text},
      approval_id ${t.text},
      before_state ${t.text} NOT NULL,
      card ${t.text},
      lock_token ${t.text} NOT NULL,
      owner ${t.text} NOT NULL,
      lease_until ${t.int} NOT NULL,
      created_at ${t.int} NOT NULL,
      resolved_at ${t.int},
      outcome ${t.text}
    );
    CREATE UNIQUE INDEX attempts_one_open ON attempts (lock_key) WHERE resolved_at IS NULL;
    CREATE INDEX attempts_open_lease ON attempts (lease_until) WHERE resolved_at IS NULL;
  `;
}

/**
 * Version 5: Workflow Builder steps (spec section 10). Each `function_executed` by its execution ID,
 * so a redelivery runs nothing more and a step whose process died still ends once; attempts carry
 * the step they are for, and audit rows how the request came and the workflow's execution IDs.
 */
function workflowSteps(t: { int: string; text: string }): string {
  return `
    ALTER TABLE audit ADD COLUMN via ${t.text};
    ALTER TABLE audit ADD COLUMN workflow_execution_id ${t.text};
    ALTER TABLE audit ADD COLUMN function_execution_id ${t.text};
    CREATE INDEX audit_function_execution ON audit (function_execution_id);
    ALTER TABLE attempts ADD COLUMN via ${t.text};
    ALTER TABLE attempts ADD COLUMN workflow ${t.text};
    ALTER TABLE attempts ADD COLUMN function_execution_id ${t.text};
    CREATE INDEX attempts_function_execution ON attempts (function_execution_id);
    CREATE TABLE workflow_steps (
      execution_id ${t.text} PRIMARY KEY,
      workflow_execution_id ${t.text},
      callback_id ${t.text} NOT NULL,
      team_id ${t.text} NOT NULL,
      inputs ${t.text} NOT NULL,
      state ${t.text} NOT NULL,
      token ${t.text} NOT NULL,
      lease_until ${t.int} NOT NULL,
      received_at ${t.int} NOT NULL,
      result ${t.text},
      done_at ${t.int},
      detail ${t.text}
    );
    CREATE INDEX workflow_steps_due ON workflow_steps (state, lease_until);
  `;
}

/**
 * Version 6: Slack work that must survive a crash. `card_intents`: a card to post, stored before
 * `chat.postMessage` with the watch it starts, deleted once its ts is stored (one left behind by a
 * dead replica is posted, or found by its metadata, by another). `pending_updates`: the newest
 * state each card still has to show (one row per card; `version` grows with every new state, so
 * sending an old one never deletes a newer one), with the final-status reply that follows it.
 * Both are leased to the replica that holds them in memory, so a live replica's queue is not
 * sent twice and a dead one's is taken over.
 */
function slackOutbox(t: { int: string; text: string }): string {
  return `
    CREATE TABLE card_intents (
      id ${t.text} PRIMARY KEY,
      channel ${t.text} NOT NULL,
      thread_ts ${t.text},
      workspace_id ${t.text} NOT NULL,
      instance_id ${t.text} NOT NULL,
      message ${t.text} NOT NULL,
      context ${t.text} NOT NULL,
      status ${t.text} NOT NULL,
      priority ${t.int} NOT NULL,
      owner ${t.text} NOT NULL,
      lease_until ${t.int} NOT NULL,
      created_at ${t.int} NOT NULL
    );
    CREATE INDEX card_intents_lease ON card_intents (lease_until);

    CREATE TABLE pending_updates (
      channel ${t.text} NOT NULL,
      message_ts ${t.text} NOT NULL,
      version ${t.int} NOT NULL,
      message ${t.text} NOT NULL,
      priority ${t.int} NOT NULL,
      reply ${t.text},
      owner ${t.text} NOT NULL,
      lease_until ${t.int} NOT NULL,
      updated_at ${t.int} NOT NULL,
      PRIMARY KEY (channel, message_ts)
    );
    CREATE INDEX pending_updates_lease ON pending_updates (lease_until);
  `;
}

const SQLITE_TYPES = { id: 'INTEGER PRIMARY KEY AUTOINCREMENT', int: 'INTEGER', text: 'TEXT' };
const POSTGRES_TYPES = { id: 'BIGSERIAL PRIMARY KEY', int: 'BIGINT', text: 'TEXT' };

export const SQLITE_MIGRATIONS: Migration[] = [
  { version: 1, sql: schema(SQLITE_TYPES) },
  { version: 2, sql: slidingRateLimit(SQLITE_TYPES) },
  { version: 3, sql: smnMessages(SQLITE_TYPES) },
  { version: 4, sql: attempts(SQLITE_TYPES) },
  { version: 5, sql: workflowSteps(SQLITE_TYPES) },
  { version: 6, sql: slackOutbox(SQLITE_TYPES) },
];

export const POSTGRES_MIGRATIONS: Migration[] = [
  { version: 1, sql: schema(POSTGRES_TYPES) },
  { version: 2, sql: slidingRateLimit(POSTGRES_TYPES) },
  { version: 3, sql: smnMessages(POSTGRES_TYPES) },
  { version: 4, sql: attempts(POSTGRES_TYPES) },
  { version: 5, sql: workflowSteps(POSTGRES_TYPES) },
  { version: 6, sql: slackOutbox(POSTGRES_TYPES) },
];
