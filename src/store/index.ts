import type { Store } from './types';
import { openSqliteStore } from './sqlite';

export type { Store } from './types';

/** Opens the store `DATABASE_URL` names: `sqlite:<path>` or `postgres://…`. */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStore(databaseUrl.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { openPostgresStore } = await import('./postgres');
    return openPostgresStore(databaseUrl);
  }
  throw new Error(`DATABASE_URL: unsupported scheme in "${databaseUrl.split(':')[0]}:"`);
}
