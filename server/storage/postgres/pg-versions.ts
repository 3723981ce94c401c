// The version chain's records on PostgreSQL: a row per version and a counter row per document.
import { AppError } from '../../errors.ts';
import { encodeVersionMeta, type StoredVersionMeta } from '../version-records.ts';
import type { VersionChange, VersionRecords } from '../version-chain.ts';
import type { PgDatabase, Statement } from './database.ts';
import { fenceParticipant, type EpochOf, type PgWriter } from './pg-writer.ts';

export class PgVersionRecords implements VersionRecords {
  #database: PgDatabase;
  #writer: Pick<PgWriter, 'write'>;
  #epochOf: EpochOf;

  constructor(database: PgDatabase, writer: Pick<PgWriter, 'write'>, epochOf: EpochOf = () => undefined) {
    this.#database = database;
    this.#writer = writer;
    this.#epochOf = epochOf;
  }

  async readChain(documentName: string): Promise<{ metas: StoredVersionMeta[]; nextId: number }> {
    return this.#reading(documentName, async () => {
      const rows = await this.#database.query<{ meta: StoredVersionMeta }>({
        name: 'tandem-versions-chain',
        text: 'SELECT meta FROM tandem_versions WHERE document = $1 ORDER BY id',
        values: [documentName],
      });
      const counter = await this.#database.query<{ next_id: string }>({
        name: 'tandem-version-counter',
        text: 'SELECT next_id FROM tandem_version_counters WHERE document = $1',
        values: [documentName],
      });
      return { metas: rows.map((row) => row.meta), nextId: counter[0] ? Number(counter[0].next_id) : 1 };
    });
  }

  async readData(documentName: string, id: number): Promise<Buffer | undefined> {
    return this.#reading(documentName, async () => {
      const rows = await this.#database.query<{ data: Buffer }>({
        name: 'tandem-version-data',
        text: 'SELECT data FROM tandem_versions WHERE document = $1 AND id = $2',
        values: [documentName, id],
      });
      return rows[0]?.data;
    });
  }

  write(documentName: string, change: VersionChange): Promise<void> {
    // Every statement can run twice (the writer retries a batch whose COMMIT answer was lost): deletes by
    // key, upserts of the same rows, and a counter that only moves up.
    const statements: Statement[] = [];
    if (change.remove.length > 0) {
      statements.push({
        name: 'tandem-versions-remove',
        text: 'DELETE FROM tandem_versions WHERE document = $1 AND id = ANY($2::bigint[])',
        values: [documentName, change.remove],
      });
    }
    for (const { meta, data } of change.put) {
      const values = [documentName, meta.id, encodeVersionMeta(meta).toString('utf8'), data];
      // A change that moves the counter adds the version just below it (the chain's contract): that one is
      // new, and must not land on a number another instance used. Any other put rewrites a version in place.
      if (change.nextId !== undefined && meta.id === change.nextId - 1) {
        statements.push({ name: 'tandem-version-add', text: 'SELECT tandem_version_add($1, $2, $3::json, $4)', values });
      } else {
        statements.push({
          name: 'tandem-version-put',
          text: `INSERT INTO tandem_versions (document, id, meta, data) VALUES ($1, $2, $3::json, $4)
                 ON CONFLICT (document, id) DO UPDATE SET meta = EXCLUDED.meta, data = EXCLUDED.data`,
          values,
        });
      }
    }
    if (change.nextId !== undefined) {
      statements.push({
        name: 'tandem-version-counter-put',
        text: `INSERT INTO tandem_version_counters (document, next_id) VALUES ($1, $2)
               ON CONFLICT (document) DO UPDATE SET next_id = GREATEST(tandem_version_counters.next_id, EXCLUDED.next_id)`,
        values: [documentName, change.nextId],
      });
    }
    const epoch = this.#epochOf(documentName);
    return this.#writer.write(statements, epoch === undefined ? undefined : fenceParticipant(documentName, epoch));
  }

  /** Statements deleting every version of a document and its counter, for the document's deletion. */
  deleteAllStatements(documentName: string): Statement[] {
    return ['tandem_versions', 'tandem_version_counters'].map((table) => ({
      text: `DELETE FROM ${table} WHERE document = $1`,
      values: [documentName],
    }));
  }

  async #reading<T>(documentName: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw new AppError('storage-failed', `the versions of "${documentName}" cannot be read from PostgreSQL`, { cause: error });
    }
  }
}
