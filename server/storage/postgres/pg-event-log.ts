// EventLogStore on PostgreSQL: rows of tandem_events keyed (document, seq), written through the group commit.
import type { EventLogStore, LoggedEvent } from '../event-log-store.ts';
import type { PgDatabase, Statement } from './database.ts';
import { fenceParticipant, type EpochOf, type PgWriter } from './pg-writer.ts';

export class PgEventLogStore implements EventLogStore {
  #database: PgDatabase;
  #writer: Pick<PgWriter, 'write'>;
  #epochOf: EpochOf;

  constructor(database: PgDatabase, writer: Pick<PgWriter, 'write'>, epochOf: EpochOf = () => undefined) {
    this.#database = database;
    this.#writer = writer;
    this.#epochOf = epochOf;
  }

  append(document: string, events: readonly LoggedEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const epoch = this.#epochOf(document);
    return this.#writer.write(
      [
        {
          name: 'tandem-events-add',
          // The same event again (a batch retried after its COMMIT landed unseen) is ignored; another event
          // under its number, stored by another instance, refuses the batch (tandem_events_add, migration 5).
          text: 'SELECT tandem_events_add($1, $2::bigint[], $3::text[])',
          values: [document, events.map((event) => event.seq), events.map((event) => event.body)],
        },
      ],
      epoch === undefined ? undefined : fenceParticipant(document, epoch),
    );
  }

  async read(document: string, afterSeq: number, limit: number): Promise<LoggedEvent[]> {
    if (limit <= 0) return [];
    const rows = await this.#database.query<{ seq: string; body: string }>({
      name: 'tandem-events-read',
      text: 'SELECT seq, body FROM tandem_events WHERE document = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      values: [document, afterSeq, limit],
    });
    return rows.map((row) => ({ seq: Number(row.seq), body: row.body }));
  }

  trim(document: string, keep: number): Promise<void> {
    // By position, not by number: idempotent when a retried batch runs it again after its inserts.
    return this.#writer.write([
      {
        name: 'tandem-events-trim',
        text: `DELETE FROM tandem_events WHERE document = $1 AND seq <= (
                 SELECT seq FROM tandem_events WHERE document = $1 ORDER BY seq DESC OFFSET $2 LIMIT 1)`,
        values: [document, keep],
      },
    ]);
  }

  async highestSeq(document: string): Promise<number> {
    const rows = await this.#database.query<{ seq: string | null }>({
      name: 'tandem-events-highest',
      text: 'SELECT max(seq) AS seq FROM tandem_events WHERE document = $1',
      values: [document],
    });
    return Number(rows[0]?.seq ?? 0);
  }

  deleteDocument(document: string): Promise<void> {
    return this.#writer.write(this.deleteStatements(document));
  }

  /** The statements deleting every event of a document, for deleting the document in one transaction. */
  deleteStatements(document: string): Statement[] {
    return [{ text: 'DELETE FROM tandem_events WHERE document = $1', values: [document] }];
  }
}
