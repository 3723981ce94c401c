// OutboxStore on LevelDB: JSON records under sequence keys, written through the documents' group commit.
// One process opens a LevelDB directory, so holds and reserved numbers are kept in memory: after a restart
// nobody holds anything, and numbers continue above the stored ones.
import type { BatchWriter } from './batch-writer.ts';
import { deadLetterKey, deadLetterRange, outboxKey, outboxRange, seqFromSequenceKey } from './keys.ts';
import type { BatchOp, LevelDatabase } from './leveldb.ts';
import type { DeadLetter, Delivery, OutboxStore } from '../outbox-store.ts';

export class LevelOutboxStore implements OutboxStore {
  #db: LevelDatabase;
  #writer: BatchWriter;
  /** Held deliveries: until when (epoch ms), by sequence number. */
  #holds = new Map<number, number>();
  /** The first number not yet reserved by allocate(). */
  #nextSeq = 0;

  constructor(db: LevelDatabase, writer: BatchWriter) {
    this.#db = db;
    this.#writer = writer;
  }

  async load(): Promise<{ pending: Delivery[]; nextSeq: number }> {
    const pending: Delivery[] = [];
    for await (const [, value] of this.#db.entries(outboxRange())) pending.push(parse<Delivery>(value));
    return { pending, nextSeq: await this.#storedNextSeq() };
  }

  async allocate(count: number): Promise<{ first: number; count: number }> {
    const stored = await this.#storedNextSeq();
    // Read after the await: another allocation may have reserved numbers meanwhile.
    const first = Math.max(this.#nextSeq, stored);
    this.#nextSeq = first + count;
    return { first, count };
  }

  async claim(limit: number, holdMs: number): Promise<Delivery[]> {
    const claimed: Delivery[] = [];
    const now = Date.now();
    for await (const [, value] of this.#db.entries(outboxRange())) {
      if (claimed.length >= limit) break;
      const delivery = parse<Delivery>(value);
      if ((this.#holds.get(delivery.seq) ?? -Infinity) >= now) continue;
      this.#hold(delivery, holdMs);
      claimed.push(delivery);
    }
    return claimed;
  }

  put(deliveries: readonly Delivery[], holdMs?: number): Promise<void> {
    for (const delivery of deliveries) this.#hold(delivery, holdMs);
    return this.#writer.write(deliveries.map((delivery) => put(outboxKey(delivery.seq), delivery)));
  }

  remove(seq: number): Promise<void> {
    this.#holds.delete(seq);
    return this.#writer.write([{ type: 'del', key: outboxKey(seq) }]);
  }

  bury(dead: DeadLetter): Promise<void> {
    this.#holds.delete(dead.seq);
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

  revive(delivery: Delivery, holdMs?: number): Promise<void> {
    this.#hold(delivery, holdMs);
    return this.#writer.write([{ type: 'del', key: deadLetterKey(delivery.seq) }, put(outboxKey(delivery.seq), delivery)]);
  }

  async release(): Promise<void> {
    this.#holds.clear();
  }

  /** Holds `delivery` until `holdMs` after its next attempt is due, or lets go of it when `holdMs` is undefined. */
  #hold(delivery: Delivery, holdMs: number | undefined): void {
    if (holdMs === undefined) this.#holds.delete(delivery.seq);
    else this.#holds.set(delivery.seq, Math.max(Date.now(), delivery.nextAttemptAt) + holdMs);
  }

  /** The first number above every stored delivery and dead letter (dead letters keep theirs). */
  async #storedNextSeq(): Promise<number> {
    const lastKeys = [await this.#db.lastKey(outboxRange()), await this.#db.lastKey(deadLetterRange())];
    return Math.max(0, ...lastKeys.map((key) => (key ? seqFromSequenceKey(key) + 1 : 0)));
  }
}

function put(key: Buffer, record: Delivery): BatchOp {
  return { type: 'put', key, value: Buffer.from(JSON.stringify(record), 'utf8') };
}

function parse<T>(value: Buffer): T {
  return JSON.parse(value.toString('utf8')) as T;
}
