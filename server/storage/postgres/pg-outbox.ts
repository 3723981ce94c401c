// OutboxStore on PostgreSQL: JSON rows by sequence number, written through the documents' group commit.
import { AppError } from '../../errors.ts';
import type { DeadLetter, Delivery, OutboxStore } from '../outbox-store.ts';
import type { PgDatabase, Statement } from './database.ts';
import type { PgWriter } from './pg-writer.ts';

// Every write can run twice (the writer retries a batch whose COMMIT answer was lost): upserts and deletes by key.
const UPSERT_PENDING = `INSERT INTO tandem_outbox (seq, delivery) SELECT * FROM unnest($1::bigint[], $2::json[])
                        ON CONFLICT (seq) DO UPDATE SET delivery = EXCLUDED.delivery`;

export class PgOutboxStore implements OutboxStore {
  #database: PgDatabase;
  #writer: Pick<PgWriter, 'write'>;

  constructor(database: PgDatabase, writer: Pick<PgWriter, 'write'>) {
    this.#database = database;
    this.#writer = writer;
  }

  async load(): Promise<{ pending: Delivery[]; nextSeq: number }> {
    return this.#reading(async () => {
      const rows = await this.#database.query<{ delivery: Delivery }>({ text: 'SELECT delivery FROM tandem_outbox ORDER BY seq', values: [] });
      // Dead letters keep their sequence number, so new numbers start above both kinds.
      const [last] = await this.#database.query<{ seq: string | null }>({
        text: 'SELECT GREATEST((SELECT max(seq) FROM tandem_outbox), (SELECT max(seq) FROM tandem_dead_letters)) AS seq',
        values: [],
      });
      return { pending: rows.map((row) => row.delivery), nextSeq: last?.seq == null ? 0 : Number(last.seq) + 1 };
    });
  }

  put(deliveries: readonly Delivery[]): Promise<void> {
    return this.#writer.write(deliveries.length > 0 ? [pending(deliveries)] : []);
  }

  remove(seq: number): Promise<void> {
    return this.#writer.write([deletePending(seq)]);
  }

  bury(dead: DeadLetter): Promise<void> {
    return this.#writer.write([
      deletePending(dead.seq),
      {
        name: 'tandem-dead-letter-put',
        text: `INSERT INTO tandem_dead_letters (seq, letter) VALUES ($1, $2::json)
               ON CONFLICT (seq) DO UPDATE SET letter = EXCLUDED.letter`,
        values: [dead.seq, JSON.stringify(dead)],
      },
    ]);
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    return this.#reading(async () => {
      const rows = await this.#database.query<{ letter: DeadLetter }>({
        text: 'SELECT letter FROM tandem_dead_letters ORDER BY seq LIMIT $1',
        values: [limit],
      });
      return rows.map((row) => row.letter);
    });
  }

  async deadLetter(seq: number): Promise<DeadLetter | undefined> {
    return this.#reading(async () => {
      const rows = await this.#database.query<{ letter: DeadLetter }>({
        text: 'SELECT letter FROM tandem_dead_letters WHERE seq = $1',
        values: [seq],
      });
      return rows[0]?.letter;
    });
  }

  revive(delivery: Delivery): Promise<void> {
    return this.#writer.write([
      { name: 'tandem-dead-letter-delete', text: 'DELETE FROM tandem_dead_letters WHERE seq = $1', values: [delivery.seq] },
      pending([delivery]),
    ]);
  }

  async #reading<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw new AppError('storage-failed', 'the webhook outbox cannot be read from PostgreSQL', { cause: error });
    }
  }
}

function pending(deliveries: readonly Delivery[]): Statement {
  // One upsert may not touch a row twice (PostgreSQL refuses, and a refused batch stops all writing): of
  // deliveries with the same number, the last one is stored, as separate puts would leave it.
  const bySeq = new Map(deliveries.map((delivery) => [delivery.seq, delivery]));
  return {
    name: 'tandem-outbox-put',
    text: UPSERT_PENDING,
    values: [[...bySeq.keys()], [...bySeq.values()].map((delivery) => JSON.stringify(delivery))],
  };
}

function deletePending(seq: number): Statement {
  return { name: 'tandem-outbox-delete', text: 'DELETE FROM tandem_outbox WHERE seq = $1', values: [seq] };
}
