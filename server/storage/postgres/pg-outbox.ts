// OutboxStore on PostgreSQL: JSON rows by sequence number, written through the documents' group commit, and
// claimed by one instance at a time (claimed_by, claimed_until) so that several can deliver from one outbox.
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.ts';
import type { DeadLetter, Delivery, OutboxStore } from '../outbox-store.ts';
import { retryWhileUnreachable, type PgDatabase, type Statement } from './database.ts';
import type { PgWriter } from './pg-writer.ts';

// Every write can run twice (the writer retries a batch whose COMMIT answer was lost): upserts and deletes by
// key. A hold is a duration, turned into a time by the database's clock, which every instance shares.
const UPSERT_PENDING = `INSERT INTO tandem_outbox (seq, delivery, claimed_by, claimed_until)
  SELECT t.seq, t.delivery, $3::text, now() + t.hold_ms * interval '1 millisecond'
    FROM unnest($1::bigint[], $2::json[], $4::bigint[]) AS t(seq, delivery, hold_ms)
  ON CONFLICT (seq) DO UPDATE SET delivery = EXCLUDED.delivery, claimed_by = EXCLUDED.claimed_by, claimed_until = EXCLUDED.claimed_until`;

// SKIP LOCKED: instances claiming at once take different rows instead of queueing on each other's.
const CLAIM = `UPDATE tandem_outbox o SET claimed_by = $1,
    claimed_until = now() + (GREATEST((o.delivery->>'nextAttemptAt')::float8 - $2, 0) + $3) * interval '1 millisecond'
  WHERE o.seq IN (SELECT seq FROM tandem_outbox WHERE claimed_until IS NULL OR claimed_until < now()
                   ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
  RETURNING o.delivery`;

// Past the highest number stored, too: deliveries copied in with their own numbers (tandem migrate-store).
const ALLOCATE = `UPDATE tandem_outbox_counter SET next_seq = GREATEST(next_seq,
    (SELECT max(seq) + 1 FROM tandem_outbox), (SELECT max(seq) + 1 FROM tandem_dead_letters)) + $1::bigint
  RETURNING next_seq - $1::bigint AS first`;

/** Numbers reserved per allocation: one round trip per this many deliveries. */
const NUMBERS_PER_ALLOCATION = 100;

/** How long an allocation waits for an unreachable PostgreSQL (writes wait as long, in the group commit). */
const ALLOCATE_WAIT_MS = 60_000;

export class PgOutboxStore implements OutboxStore {
  #database: PgDatabase;
  #writer: Pick<PgWriter, 'write'>;
  /** Who holds a claim: this store object, so a restarted process never mistakes its predecessor's claims for its own. */
  readonly #holder = randomUUID();

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

  async allocate(count: number): Promise<{ first: number; count: number }> {
    const reserved = Math.max(count, NUMBERS_PER_ALLOCATION);
    const rows = await this.#reading(() =>
      retryWhileUnreachable(() => this.#database.query<{ first: string }>({ name: 'tandem-outbox-allocate', text: ALLOCATE, values: [reserved] }), ALLOCATE_WAIT_MS),
    );
    return { first: Number(rows[0]!.first), count: reserved };
  }

  async claim(limit: number, holdMs: number): Promise<Delivery[]> {
    if (limit <= 0) return [];
    const rows = await this.#reading(() =>
      this.#database.query<{ delivery: Delivery }>({ name: 'tandem-outbox-claim', text: CLAIM, values: [this.#holder, Date.now(), holdMs, limit] }),
    );
    // RETURNING keeps no order.
    return rows.map((row) => row.delivery).sort((a, b) => a.seq - b.seq);
  }

  put(deliveries: readonly Delivery[], holdMs?: number): Promise<void> {
    return this.#writer.write(deliveries.length > 0 ? [this.#pending(deliveries, holdMs)] : []);
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

  revive(delivery: Delivery, holdMs?: number): Promise<void> {
    return this.#writer.write([
      { name: 'tandem-dead-letter-delete', text: 'DELETE FROM tandem_dead_letters WHERE seq = $1', values: [delivery.seq] },
      this.#pending([delivery], holdMs),
    ]);
  }

  release(): Promise<void> {
    return this.#writer.write([
      {
        name: 'tandem-outbox-release',
        text: 'UPDATE tandem_outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1',
        values: [this.#holder],
      },
    ]);
  }

  #pending(deliveries: readonly Delivery[], holdMs: number | undefined): Statement {
    // One upsert may not touch a row twice (PostgreSQL refuses, and a refused batch stops all writing): of
    // deliveries with the same number, the last one is stored, as separate puts would leave it.
    const bySeq = new Map(deliveries.map((delivery) => [delivery.seq, delivery]));
    const now = Date.now();
    const holds = [...bySeq.values()].map((delivery) => (holdMs === undefined ? null : Math.round(Math.max(0, delivery.nextAttemptAt - now) + holdMs)));
    return {
      name: 'tandem-outbox-put',
      text: UPSERT_PENDING,
      values: [[...bySeq.keys()], [...bySeq.values()].map((delivery) => JSON.stringify(delivery)), holdMs === undefined ? null : this.#holder, holds],
    };
  }

  async #reading<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw new AppError('storage-failed', 'the webhook outbox cannot be read from PostgreSQL', { cause: error });
    }
  }
}

function deletePending(seq: number): Statement {
  return { name: 'tandem-outbox-delete', text: 'DELETE FROM tandem_outbox WHERE seq = $1', values: [seq] };
}
