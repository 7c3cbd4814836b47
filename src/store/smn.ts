import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from './dialect';
import { everyNth, pruneSmnMessages, SMN_MESSAGES_PRUNE_EVERY } from './pruning';
import { row, run, type Step } from './step';
import type { SmnClaim, SmnStore } from './types';

/** SMN messages by ID: claimed with a fencing token and a lease, then `done` (SMN delivers at least once). */
export function createSmnStore(db: SqlDatabase): SmnStore {
  const pruneDue = everyNth(SMN_MESSAGES_PRUNE_EVERY);
  return {
    async claimSmnMessage(messageId, info, now, leaseMs) {
      if (pruneDue()) await db.run(pruneSmnMessages(now));
      return db.run(claim(messageId, info, now, leaseMs));
    },

    async finishSmnMessage(messageId, token, now, detail) {
      const changed = await db.run(
        run(`UPDATE smn_messages SET state = 'done', done_at = ?, detail = ? WHERE message_id = ? AND token = ? AND state = 'claimed'`, [now, detail ?? null, messageId, token]),
      );
      return changed === 1;
    },

    async releaseSmnMessage(messageId, token) {
      await db.run(run(`DELETE FROM smn_messages WHERE message_id = ? AND token = ? AND state = 'claimed'`, [messageId, token]));
    },
  };
}

/** One statement makes the insert, or the take-over of a claim whose lease ran out, atomic across replicas. */
function* claim(messageId: string, info: { topicUrn: string; type: string }, now: number, leaseMs: number): Step<SmnClaim> {
  const token = randomUUID();
  const claimed = yield* row<{ token: string }>(
    `INSERT INTO smn_messages (message_id, topic_urn, type, state, token, claimed_until, received_at) VALUES (?, ?, ?, 'claimed', ?, ?, ?)
     ON CONFLICT (message_id) DO UPDATE SET token = excluded.token, claimed_until = excluded.claimed_until
     WHERE smn_messages.state = 'claimed' AND smn_messages.claimed_until <= excluded.received_at
     RETURNING token`,
    [messageId, info.topicUrn, info.type, token, now + leaseMs, now],
  );
  if (claimed?.token === token) return { result: 'claimed', token };
  const state = (yield* row<{ state: string }>('SELECT state FROM smn_messages WHERE message_id = ?', [messageId]))?.state;
  return state === 'done' ? { result: 'done' } : { result: 'busy' };
}
