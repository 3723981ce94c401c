// ForwardStore on PostgreSQL: rows of tandem_forwards (migration 7), written through the group commit.
import type { DocumentForward, ForwardStore } from '../forward-store.ts';
import type { PgDatabase, Statement } from './database.ts';
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

  constructor(database: PgDatabase, writer: Pick<PgWriter, 'write'>) {
    this.#database = database;
    this.#writer = writer;
  }

  async get(name: string): Promise<DocumentForward | null> {
    const rows = await this.#database.query<ForwardRow>({ name: 'tandem-forward-get', text: `SELECT ${COLUMNS} FROM tandem_forwards WHERE name = $1`, values: [name] });
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
