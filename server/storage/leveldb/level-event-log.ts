// EventLogStore on LevelDB: one key per event (document, seq), written through the documents' group commit.
import type { BatchWriter } from './batch-writer.ts';
import type { EventLogStore, LoggedEvent } from '../event-log-store.ts';
import { eventKey, eventRange, seqFromEventKey } from './keys.ts';
import type { BatchOp, LevelDatabase } from './leveldb.ts';

export class LevelEventLogStore implements EventLogStore {
  #db: LevelDatabase;
  #writer: BatchWriter;

  constructor(db: LevelDatabase, writer: BatchWriter) {
    this.#db = db;
    this.#writer = writer;
  }

  append(document: string, events: readonly LoggedEvent[]): Promise<void> {
    return this.#writer.write(events.map((event) => ({ type: 'put', key: eventKey(document, event.seq), value: Buffer.from(event.body, 'utf8') })));
  }

  async read(document: string, afterSeq: number, limit: number): Promise<LoggedEvent[]> {
    const events: LoggedEvent[] = [];
    if (limit <= 0) return events;
    for await (const [key, value] of this.#db.entries(eventRange(document, Math.max(0, afterSeq + 1)))) {
      events.push({ seq: seqFromEventKey(key), body: value.toString('utf8') });
      if (events.length >= limit) break;
    }
    return events;
  }

  async trim(document: string, keep: number): Promise<void> {
    // The oldest event to keep is the keep-th from the end; only keys are read, newest first.
    let oldestKept: Buffer | undefined;
    let seen = 0;
    for await (const key of this.#db.keys(eventRange(document), { reverse: true, limit: keep + 1 })) {
      seen += 1;
      if (seen === keep + 1) break;
      oldestKept = key;
    }
    if (seen <= keep) return;
    const range = eventRange(document);
    const ops: BatchOp[] = [];
    for await (const key of this.#db.keys(oldestKept ? { gte: range.gte, lt: oldestKept } : range)) ops.push({ type: 'del', key });
    await this.#writer.write(ops);
  }

  async highestSeq(document: string): Promise<number> {
    const key = await this.#db.lastKey(eventRange(document));
    return key ? seqFromEventKey(key) : 0;
  }

  async deleteDocument(document: string): Promise<void> {
    await this.#writer.write(await this.deleteAllOps(document));
  }

  /** Delete operations for every event of a document, for deleting the document in one batch. */
  async deleteAllOps(document: string): Promise<BatchOp[]> {
    // Appends queued before the deletion are not in LevelDB yet; once written they are found and deleted too.
    await this.#writer.drain();
    const ops: BatchOp[] = [];
    for await (const key of this.#db.keys(eventRange(document))) ops.push({ type: 'del', key });
    return ops;
  }
}
