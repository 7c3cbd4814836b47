import type { SqlDatabase } from './dialect';
import { count, row, rows, run } from './step';
import type { CardIntent, OutboxStore, PendingUpdate } from './types';

/**
 * Cards to post and card updates to send, kept until Slack has them (see migration 6). Every
 * hand-over is one statement, so two replicas never both take the same intent, version or reply.
 */
interface IntentRow {
  id: string;
  channel: string;
  thread_ts: string | null;
  workspace_id: string;
  instance_id: string;
  message: string;
  context: string;
  status: string;
  priority: number | string;
  owner: string;
  lease_until: number | string;
  created_at: number | string;
}

interface UpdateRow {
  channel: string;
  message_ts: string;
  version: number | string;
  message: string;
  priority: number | string;
  reply: string | null;
  owner: string;
  lease_until: number | string;
  updated_at: number | string;
}

function rowToIntent(r: IntentRow): CardIntent {
  return {
    id: r.id,
    channel: r.channel,
    ...(r.thread_ts ? { threadTs: r.thread_ts } : {}),
    workspaceId: r.workspace_id,
    instanceId: r.instance_id,
    message: JSON.parse(r.message) as unknown,
    context: JSON.parse(r.context) as CardIntent['context'],
    status: r.status,
    priority: Number(r.priority),
    owner: r.owner,
    leaseUntil: Number(r.lease_until),
    createdAt: Number(r.created_at),
  };
}

function rowToUpdate(r: UpdateRow): PendingUpdate {
  return {
    channel: r.channel,
    messageTs: r.message_ts,
    version: Number(r.version),
    message: JSON.parse(r.message) as unknown,
    priority: Number(r.priority),
    ...(r.reply ? { reply: JSON.parse(r.reply) as unknown } : {}),
    owner: r.owner,
    leaseUntil: Number(r.lease_until),
    updatedAt: Number(r.updated_at),
  };
}

export function createOutboxStore(db: SqlDatabase): OutboxStore {
  return {
    async saveCardIntent(i) {
      await db.run(
        run(
          `INSERT INTO card_intents (id, channel, thread_ts, workspace_id, instance_id, message, context, status, priority, owner, lease_until, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [i.id, i.channel, i.threadTs ?? null, i.workspaceId, i.instanceId, JSON.stringify(i.message), JSON.stringify(i.context), i.status, i.priority, i.owner, i.leaseUntil, i.createdAt],
        ),
      );
    },

    async deleteCardIntent(id) {
      await db.run(run('DELETE FROM card_intents WHERE id = ?', [id]));
    },

    async releaseCardIntent(id) {
      await db.run(run('UPDATE card_intents SET lease_until = 0 WHERE id = ?', [id]));
    },

    async claimOrphanedCardIntents(owner, now, leaseMs, limit) {
      const claimed = await db.run(
        rows<IntentRow>(
          `WITH due AS MATERIALIZED (SELECT id FROM card_intents WHERE lease_until <= ? ORDER BY created_at LIMIT ?${db.skipLocked})
           UPDATE card_intents SET owner = ?, lease_until = ? WHERE id IN (SELECT id FROM due) RETURNING *`,
          [now, limit, owner, now + leaseMs],
        ),
      );
      return claimed.map(rowToIntent).sort((a, b) => a.createdAt - b.createdAt);
    },

    async savePendingUpdate(u) {
      const saved = await db.run(
        row<{ version: number | string }>(
          `INSERT INTO pending_updates (channel, message_ts, version, message, priority, reply, owner, lease_until, updated_at)
           VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (channel, message_ts) DO UPDATE SET version = pending_updates.version + 1, message = excluded.message,
             priority = CASE WHEN excluded.priority < pending_updates.priority THEN excluded.priority ELSE pending_updates.priority END,
             reply = COALESCE(excluded.reply, pending_updates.reply), owner = excluded.owner, lease_until = excluded.lease_until, updated_at = excluded.updated_at
           RETURNING version`,
          [u.channel, u.messageTs, JSON.stringify(u.message), u.priority, u.reply === undefined ? null : JSON.stringify(u.reply), u.owner, u.leaseUntil, u.updatedAt],
        ),
      );
      return Number(saved!.version);
    },

    async getPendingUpdate(channel, messageTs) {
      const found = await db.run(row<UpdateRow>('SELECT * FROM pending_updates WHERE channel = ? AND message_ts = ?', [channel, messageTs]));
      return found ? rowToUpdate(found) : undefined;
    },

    async finishPendingUpdate(channel, messageTs, version) {
      const gone = await db.run(row<{ reply: string | null }>('DELETE FROM pending_updates WHERE channel = ? AND message_ts = ? AND version = ? RETURNING reply', [channel, messageTs, version]));
      if (!gone) return { finished: false };
      return gone.reply ? { finished: true, reply: JSON.parse(gone.reply) as unknown } : { finished: true };
    },

    async dropPendingUpdate(channel, messageTs) {
      await db.run(run('DELETE FROM pending_updates WHERE channel = ? AND message_ts = ?', [channel, messageTs]));
    },

    async claimOrphanedPendingUpdates(owner, now, leaseMs, limit) {
      const claimed = await db.run(
        rows<UpdateRow>(
          `WITH due AS MATERIALIZED (SELECT channel, message_ts FROM pending_updates WHERE lease_until <= ? ORDER BY updated_at LIMIT ?${db.skipLocked})
           UPDATE pending_updates SET owner = ?, lease_until = ? WHERE (channel, message_ts) IN (SELECT channel, message_ts FROM due) RETURNING *`,
          [now, limit, owner, now + leaseMs],
        ),
      );
      return claimed.map(rowToUpdate).sort((a, b) => a.updatedAt - b.updatedAt);
    },

    async renewOutboxLeases(owner, now, leaseUntil) {
      // A lease that was given back or ran out stays so: that work is up for the taking (this replica's claim included).
      await db.run(run('UPDATE card_intents SET lease_until = ? WHERE owner = ? AND lease_until > ?', [leaseUntil, owner, now]));
      await db.run(run('UPDATE pending_updates SET lease_until = ? WHERE owner = ? AND lease_until > ?', [leaseUntil, owner, now]));
    },

    async releaseOutboxLeases(owner) {
      await db.run(run('UPDATE card_intents SET lease_until = 0 WHERE owner = ?', [owner]));
      await db.run(run('UPDATE pending_updates SET lease_until = 0 WHERE owner = ?', [owner]));
    },

    async countOutbox() {
      return { intents: await db.run(count('SELECT COUNT(*) FROM card_intents')), updates: await db.run(count('SELECT COUNT(*) FROM pending_updates')) };
    },
  };
}
