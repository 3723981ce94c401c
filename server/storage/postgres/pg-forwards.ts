// ForwardStore on PostgreSQL: rows of tandem_forwards (migration 7), written through the group commit.
import type { DocumentForward, ForwardStore } from '../forward-store.ts';
import { AppError } from '../../errors.ts';
import { retryWhileUnreachable, type PgDatabase, type Statement } from './database.ts';
import type { PgWriter } from './pg-writer.ts';

interface ForwardRow {
  [column: string]: unknown;
  name: string;
  kind: DocumentForward['kind'];
  to: string;
  at: Date;
  by: string;
}

const COLUMNS = 'name, kind, "to", at, "by"';

export class PgForwardStore implements ForwardStore {
  #database: PgDatabase;
  #writer: Pick<PgWriter, 'write'>;
  #loadWaitMs: number;

  /** `loadWaitMs`: how long a read waits for an unreachable PostgreSQL, as a document's load does. */
  constructor(database: PgDatabase, writer: Pick<PgWriter, 'write'>, loadWaitMs: number) {
    this.#database = database;
    this.#writer = writer;
    this.#loadWaitMs = loadWaitMs;
  }

  /** Read before a name's first connection: like a load, it waits out a PostgreSQL restart rather than refuse. */
  async get(name: string): Promise<DocumentForward | null> {
    let rows: ForwardRow[];
    try {
      rows = await retryWhileUnreachable(
        () => this.#database.query<ForwardRow>({ name: 'tandem-forward-get', text: `SELECT ${COLUMNS} FROM tandem_forwards WHERE name = $1`, values: [name] }),
        this.#loadWaitMs,
      );
    } catch (error) {
      throw new AppError('storage-failed', `what became of the name "${name}" cannot be read from PostgreSQL`, { cause: error });
    }
    return rows[0] ? forwardOf(rows[0]) : null;
  }

  async list(): Promise<DocumentForward[]> {
    return (await this.#database.query<ForwardRow>({ text: `SELECT ${COLUMNS} FROM tandem_forwards ORDER BY at, name`, values: [] })).map(forwardOf);
  }

  put(forward: DocumentForward): Promise<void> {
    return this.#writer.write([this.putStatement(forward)]);
  }

  delete(name: string): Promise<void> {
    return this.#writer.write([this.deleteStatement(name)]);
  }

  putStatement(forward: DocumentForward): Statement {
    return {
      text: `INSERT INTO tandem_forwards (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, "to" = EXCLUDED."to", at = EXCLUDED.at, "by" = EXCLUDED."by"`,
      values: [forward.name, forward.kind, forward.to, new Date(forward.at), forward.by],
    };
  }

  deleteStatement(name: string): Statement {
    return { text: 'DELETE FROM tandem_forwards WHERE name = $1', values: [name] };
  }
}

function forwardOf(row: ForwardRow): DocumentForward {
  return { name: row.name, kind: row.kind, to: row.to, at: row.at.getTime(), by: row.by };
}
