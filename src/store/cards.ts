import type { SqlDatabase } from './dialect';
import { rowToCard, type CardRow } from './rows';
import { row, run } from './step';
import type { CardStore } from './types';

/** The cards the bot posted, by channel and message ts; saving one again replaces what it shows. */
export function createCardStore(db: SqlDatabase): CardStore {
  return {
    async saveCard(c) {
      await db.run(
        run(
          `INSERT INTO cards (channel, message_ts, workspace_id, instance_id, context, created_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (channel, message_ts) DO UPDATE SET workspace_id = excluded.workspace_id, instance_id = excluded.instance_id, context = excluded.context`,
          [c.channel, c.messageTs, c.workspaceId, c.instanceId, JSON.stringify(c.context), c.createdAt],
        ),
      );
    },

    async getCard(channel, messageTs) {
      const found = await db.run(row<CardRow>('SELECT * FROM cards WHERE channel = ? AND message_ts = ?', [channel, messageTs]));
      return found ? rowToCard(found) : undefined;
    },
  };
}
