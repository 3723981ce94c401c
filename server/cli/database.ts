// CLI work on a PostgreSQL database: applying the schema migrations on their own, before servers start.
import { AppError } from '../errors.ts';
import { PgDatabase, redactUrl } from '../storage/postgres/database.ts';
import { migrate, type MigrationResult } from '../storage/postgres/migrations.ts';

export async function migrateDatabase(url: string): Promise<MigrationResult> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new AppError('bad-request', '--database-url must be a postgres:// or postgresql:// URL');
  const database = new PgDatabase({ url, poolSize: 1, statementTimeoutMs: 10 * 60_000 });
  try {
    return await migrate(database);
  } catch (error) {
    throw new AppError('storage-failed', `cannot migrate PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`, { cause: error });
  } finally {
    await database.close();
  }
}
