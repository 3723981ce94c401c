// The durable webhook outbox in LevelDB: pending deliveries by sequence number, and the dead letters.
import { deadLetterKey, deadLetterRange, outboxKey, outboxRange, seqFromSequenceKey } from '../storage/keys.ts';
import type { BatchOp, LevelDatabase } from '../storage/leveldb.ts';

/** One event on its way to one target. The body is stored exactly as signed and sent. */
export interface Delivery {
  seq: number;
  target: string;
  eventId: string;
  eventType: string;
  document: string;
  body: string;
  /** Attempts made so far. */
  attempts: number;
  /** Epoch milliseconds of the next attempt. */
  nextAttemptAt: number;
  createdAt: string;
  lastError?: string;
}

export interface DeadLetter extends Delivery {
  deadAt: string;
}

export type NewDelivery = Omit<Delivery, 'seq' | 'attempts' | 'nextAttemptAt' | 'createdAt'>;

export interface OutboxStorage {
  database: LevelDatabase;
  /** Writes atomically through the shared group commit. */
  write(ops: readonly BatchOp[]): Promise<void>;
}

export class WebhookOutbox {
  #storage: OutboxStorage;
  #nextSeq: number;

  private constructor(storage: OutboxStorage, nextSeq: number) {
    this.#storage = storage;
    this.#nextSeq = nextSeq;
  }

  /** Opens the outbox and returns it with every delivery still pending from earlier runs. */
  static async open(storage: OutboxStorage): Promise<{ outbox: WebhookOutbox; pending: Delivery[] }> {
    const { database } = storage;
    const pending: Delivery[] = [];
    for await (const [, value] of database.entries(outboxRange())) pending.push(JSON.parse(value.toString('utf8')) as Delivery);
    // Dead letters keep their sequence number, so new numbers start above both kinds.
    const lastKeys = [await database.lastKey(outboxRange()), await database.lastKey(deadLetterRange())];
    const nextSeq = Math.max(0, ...lastKeys.map((key) => (key ? seqFromSequenceKey(key) + 1 : 0)));
    return { outbox: new WebhookOutbox(storage, nextSeq), pending };
  }

  /** Stores new deliveries; resolves with them once they are durable. */
  async enqueue(items: readonly NewDelivery[], now = Date.now()): Promise<Delivery[]> {
    const createdAt = new Date(now).toISOString();
    const deliveries = items.map((item) => ({ ...item, seq: this.#nextSeq++, attempts: 0, nextAttemptAt: now, createdAt }));
    await this.#storage.write(deliveries.map((delivery) => put(outboxKey(delivery.seq), delivery)));
    return deliveries;
  }

  /** Records a failed attempt and when to try again. */
  update(delivery: Delivery): Promise<void> {
    return this.#storage.write([put(outboxKey(delivery.seq), delivery)]);
  }

  /** Removes a delivered entry. */
  remove(seq: number): Promise<void> {
    return this.#storage.write([{ type: 'del', key: outboxKey(seq) }]);
  }

  /** Moves a delivery that ran out of attempts to the dead letters, in one atomic write. */
  async bury(delivery: Delivery, now = Date.now()): Promise<DeadLetter> {
    const dead: DeadLetter = { ...delivery, deadAt: new Date(now).toISOString() };
    await this.#storage.write([{ type: 'del', key: outboxKey(delivery.seq) }, put(deadLetterKey(delivery.seq), dead)]);
    return dead;
  }

  /** The dead letters, oldest first, at most `limit`. */
  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for await (const [, value] of this.#storage.database.entries(deadLetterRange())) {
      letters.push(JSON.parse(value.toString('utf8')) as DeadLetter);
      if (letters.length >= limit) break;
    }
    return letters;
  }

  /** Moves a dead letter back into the outbox with fresh attempts; undefined if there is none with `seq`. */
  async revive(seq: number, now = Date.now()): Promise<Delivery | undefined> {
    const value = await this.#storage.database.get(deadLetterKey(seq));
    if (!value) return undefined;
    const { deadAt: _deadAt, ...dead } = JSON.parse(value.toString('utf8')) as DeadLetter;
    const delivery: Delivery = { ...dead, attempts: 0, nextAttemptAt: now };
    await this.#storage.write([{ type: 'del', key: deadLetterKey(seq) }, put(outboxKey(seq), delivery)]);
    return delivery;
  }
}

function put(key: Buffer, record: Delivery): BatchOp {
  return { type: 'put', key, value: Buffer.from(JSON.stringify(record), 'utf8') };
}
