import type { Logger } from '../log';
import { openStore, type Store } from '../store';
import { explainPostgresFailure } from './postgresFailure';
import { explainSqliteFailure, prepareSqlitePath } from './sqlitePath';
import { StartupError } from './startupError';

/**
 * Opens the store `DATABASE_URL` names at start-up, turning the failures a person can fix (nothing
 * listens, no such database or role, TLS, an SQLite path that cannot be a file) into a
 * {@link StartupError} of one line. Anything else is rethrown as it came.
 */
export async function openStoreAtStartup(databaseUrl: string, opts: { cwd: string; logger: Pick<Logger, 'info'> }): Promise<Store> {
  const sqliteFile = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : undefined;
  if (sqliteFile !== undefined) {
    const { createdFolder } = prepareSqlitePath(sqliteFile, opts.cwd);
    if (createdFolder) opts.logger.info('created the folder for the SQLite store', { folder: createdFolder });
  }
  try {
    return await openStore(databaseUrl);
  } catch (err) {
    const line = sqliteFile !== undefined ? explainSqliteFailure(err, sqliteFile) : explainPostgresFailure(err, databaseUrl);
    if (line) throw new StartupError(line);
    throw err;
  }
}
