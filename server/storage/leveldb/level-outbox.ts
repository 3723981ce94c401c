// OutboxStore on LevelDB: JSON records under sequence keys, written through the documents' group commit.
import type { BatchWriter } from './batch-writer.ts';
import { deadLetterKey, deadLetterRange, outboxKey, outboxRange, seqFromSequenceKey } from './keys.ts';
import type { BatchOp, LevelDatabase } from './leveldb.ts';
import type { DeadLetter, Delivery, OutboxStore } from '../outbox-store.ts';

export class LevelOutboxStore implements OutboxStore {
  #db: LevelDatabase;
  #writer: BatchWriter;

  constructor(db: LevelDatabase, writer: BatchWriter) {
    this.#db = db;
    this.#writer = writer;
  }

  async load(): Promise<{ pending: Delivery[]; nextSeq: number }> {
    const pending: Delivery[] = [];
    for await (const [, value] of this.#db.entries(outboxRange())) pending.push(parse<Delivery>(value));
    // Dead letters keep their sequence number, so new numbers start above both kinds.
    const lastKeys = [await this.#db.lastKey(outboxRange()), await this.#db.lastKey(deadLetterRange())];
    const nextSeq = Math.max(0, ...lastKeys.map((key) => (key ? seqFromSequenceKey(key) + 1 : 0)));
    return { pending, nextSeq };
  }

  put(deliveries: readonly Delivery[]): Promise<void> {
    return this.#writer.write(deliveries.map((delivery) => put(outboxKey(delivery.seq), delivery)));
  }

  remove(seq: number): Promise<void> {
    return this.#writer.write([{ type: 'del', key: outboxKey(seq) }]);
  }

  bury(dead: DeadLetter): Promise<void> {
    return this.#writer.write([{ type: 'del', key: outboxKey(dead.seq) }, put(deadLetterKey(dead.seq), dead)]);
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for await (const [, value] of this.#db.entries(deadLetterRange())) {
      letters.push(parse<DeadLetter>(value));
      if (letters.length >= limit) break;
    }
    return letters;
  }

  async deadLetter(seq: number): Promise<DeadLetter | undefined> {
    const value = await this.#db.get(deadLetterKey(seq));
    return value ? parse<DeadLetter>(value) : undefined;
  }

  revive(delivery: Delivery): Promise<void> {
    return this.#writer.write([{ type: 'del', key: deadLetterKey(delivery.seq) }, put(outboxKey(delivery.seq), delivery)]);
  }
}

function put(key: Buffer, record: Delivery): BatchOp {
  return { type: 'put', key, value: Buffer.from(JSON.stringify(record), 'utf8') };
}

function parse<T>(value: Buffer): T {
  return JSON.parse(value.toString('utf8')) as T;
}
