// DocumentStore on LevelDB: per-document delta log + snapshot + metadata, written by one BatchWriter.
import { mkdir } from 'node:fs/promises';
import { AppError } from '../../errors.ts';
import { BatchedDocumentLog, storageFailed } from '../batched-log.ts';
import { BatchWriter } from './batch-writer.ts';
import type { DocumentMeta, DocumentStore, LoadedDocument, OpenOptions } from '../document-store.ts';
import type { DocumentForward } from '../forward-store.ts';
import {
  allMetaRange,
  documentNameFromMetaKey,
  documentRanges,
  keyUnderName,
  logKeySpan,
  logRange,
  logRecordKey,
  logSpanKey,
  metaKey,
  snapshotKey,
  snapshotRange,
  type LogSpan,
} from './keys.ts';
import { LevelDatabase, type BatchOp } from './leveldb.ts';
import { LevelEventLogStore } from './level-event-log.ts';
import { LevelForwardStore } from './level-forwards.ts';
import { LevelOutboxStore } from './level-outbox.ts';
import { LevelShareLinkStore } from './level-share-links.ts';
import { LevelVersionRecords } from './level-versions.ts';
import {
  CorruptRecordError,
  decodeLogEntry,
  decodeLogRecord,
  decodeMeta,
  decodeSnapshot,
  encodeMeta,
  encodeSnapshot,
} from '../records.ts';
import { DurabilityListeners, type DurabilityEvents, type DurabilitySource } from '../store-events.ts';
import { ChainedVersionStore } from '../version-chain.ts';

export interface LevelStoreOptions {
  dataDir: string;
  /** fsync every write group: survives power loss, not only a process crash. */
  fsync: boolean;
  /** A version is stored whole once every this many versions, as a delta otherwise (tests lower it). */
  versionsFullEvery?: number;
}

export class LevelDocumentStore implements DocumentStore, DurabilitySource {
  #db: LevelDatabase;
  #writer: BatchWriter;
  #openLogs = new Map<string, LevelDocumentLog>();
  #durability = new DurabilityListeners();
  #versionRecords: LevelVersionRecords;
  /** Named versions, in the same database and written through the same group commit. */
  readonly versions: ChainedVersionStore;
  /** The webhook outbox, in the same database and written through the same group commit. */
  readonly outbox: LevelOutboxStore;
  /** Retained change-feed events, in the same database and written through the same group commit. */
  readonly events: LevelEventLogStore;
  /** Share links, in the same database and written through the same group commit. */
  readonly links: LevelShareLinkStore;
  /** Where renamed and deleted names went, in the same database and written through the same group commit. */
  readonly forwards: LevelForwardStore;
  /** An embedded database has one writer: no cluster, no owners to fence. */
  readonly ownership = null;

  private constructor(db: LevelDatabase, writer: BatchWriter, versionsFullEvery?: number) {
    this.#db = db;
    this.#writer = writer;
    this.#versionRecords = new LevelVersionRecords(db, writer);
    this.versions = new ChainedVersionStore(this.#versionRecords, { fullEvery: versionsFullEvery });
    this.outbox = new LevelOutboxStore(db, writer);
    this.events = new LevelEventLogStore(db, writer);
    this.links = new LevelShareLinkStore(db, writer);
    this.forwards = new LevelForwardStore(db, writer);
  }

  static async open(options: LevelStoreOptions): Promise<LevelDocumentStore> {
    await mkdir(options.dataDir, { recursive: true });
    let db: LevelDatabase;
    try {
      db = await LevelDatabase.open(options.dataDir);
    } catch (error) {
      const hint = /lock/i.test(String(error)) ? ' (is another Tandem server using this data directory?)' : '';
      throw new AppError('storage-failed', `cannot open LevelDB at ${options.dataDir}${hint}`, { cause: error });
    }
    return new LevelDocumentStore(db, new BatchWriter(db, { sync: options.fsync }), options.versionsFullEvery);
  }

  get failure(): Error | null {
    return this.#writer.failure;
  }

  /** An embedded database is either working or failed. */
  readonly unavailable = null;

  get isOpen(): boolean {
    return this.#db.isOpen;
  }

  observeDurability(listener: DurabilityEvents): () => void {
    return this.#durability.add(listener);
  }

  async open(documentName: string, options: OpenOptions = {}): Promise<LoadedDocument> {
    if (options.epoch !== undefined) {
      // Unfenced writes where fencing was asked for would be unsafe; a cluster needs PostgreSQL.
      throw new AppError('config-invalid', `document "${documentName}" cannot be fenced: ownership epochs need PostgreSQL (--database-url)`);
    }
    // A previous instance of this document may still be unloading; its last writes come first.
    for (let previous = this.#openLogs.get(documentName); previous; previous = this.#openLogs.get(documentName)) {
      await previous.closed;
    }
    if (this.failure) throw storageFailed(this.failure);
    try {
      const loaded = await this.#read(documentName);
      this.#openLogs.set(documentName, loaded.log as LevelDocumentLog);
      this.#durability.opened(loaded.log);
      return loaded;
    } catch (error) {
      if (error instanceof CorruptRecordError) {
        throw new AppError(
          'document-unavailable',
          `document "${documentName}" cannot be loaded: ${error.message}; it is left untouched for repair`,
          { cause: error },
        );
      }
      throw new AppError('storage-failed', `document "${documentName}" cannot be read from storage`, { cause: error });
    }
  }

  async #read(documentName: string): Promise<LoadedDocument> {
    const metaValue = await this.#db.get(metaKey(documentName));
    const meta = metaValue ? decodeMeta(metaValue, `metadata of "${documentName}"`) : null;
    const snapshotValue = await this.#db.get(snapshotKey(documentName));
    const snapshot = snapshotValue ? decodeSnapshot(snapshotValue, `snapshot of "${documentName}"`) : null;

    const firstSeq = snapshot?.coversBelowSeq ?? 0;
    const updates: Uint8Array[] = [];
    const logSpans: LogSpan[] = [];
    let expectedSeq = firstSeq;
    let logBytes = 0;
    for await (const [key, value] of this.#db.entries(logRange(documentName, firstSeq))) {
      const span = logKeySpan(key);
      if (!span || span.count === 0) throw new CorruptRecordError(`log of "${documentName}" has a malformed key after entry ${expectedSeq - 1}`);
      const { firstSeq: seq, count } = span;
      const where = count === 1 ? `log entry ${seq} of "${documentName}"` : `log entries ${seq}–${seq + count - 1} of "${documentName}"`;
      if (seq !== expectedSeq) throw new CorruptRecordError(`log entry ${expectedSeq} of "${documentName}" is missing`);
      if (span.record) for (const update of decodeLogRecord(value, count, where)) updates.push(update);
      else updates.push(decodeLogEntry(value, where));
      logSpans.push(span);
      logBytes += value.length;
      expectedSeq += count;
    }
    if (meta && meta.nextSeq > expectedSeq) {
      throw new CorruptRecordError(`log of "${documentName}" ends at ${expectedSeq}, metadata expects ${meta.nextSeq}`);
    }

    const now = new Date().toISOString();
    const current: DocumentMeta = {
      name: documentName,
      createdAt: meta?.createdAt ?? now,
      updatedAt: meta?.updatedAt ?? now,
      snapshotBytes: snapshot?.state.length ?? 0,
      logBytes,
      logLength: updates.length,
      bytes: (snapshot?.state.length ?? 0) + logBytes,
      nextSeq: expectedSeq,
    };
    const log = new LevelDocumentLog(this.#db, this.#writer, this.#durability, current, logSpans, meta !== null, () => {
      if (this.#openLogs.get(documentName) === log) this.#openLogs.delete(documentName);
      this.#durability.closed(log);
    });
    return { log, snapshot: snapshot?.state ?? null, updates };
  }

  async listDocuments(): Promise<DocumentMeta[]> {
    const documents: DocumentMeta[] = [];
    for await (const [key, value] of this.#db.entries(allMetaRange())) {
      const name = documentNameFromMetaKey(key);
      documents.push(this.#openLogs.get(name)?.meta ?? decodeMeta(value, `metadata of "${name}"`));
    }
    return documents;
  }

  async getMeta(documentName: string): Promise<DocumentMeta | undefined> {
    const open = this.#openLogs.get(documentName);
    if (open) return open.meta;
    const value = await this.#db.get(metaKey(documentName));
    return value ? decodeMeta(value, `metadata of "${documentName}"`) : undefined;
  }

  async deleteDocument(documentName: string): Promise<void> {
    await this.#whenClosed(documentName);
    const ops: BatchOp[] = [
      { type: 'del', key: metaKey(documentName) },
      { type: 'del', key: snapshotKey(documentName) },
    ];
    for await (const [key] of this.#db.entries(logRange(documentName))) ops.push({ type: 'del', key });
    ops.push(...(await this.events.deleteAllOps(documentName)));
    ops.push(...(await this.links.deleteAllOps(documentName)));
    // The versions go in the same batch, listed with their chain held so no version slips in meanwhile.
    await this.versions.deleteDocument(documentName, async () => {
      ops.push(...(await this.#versionRecords.deleteAllOps(documentName)));
      await this.#writer.write(ops);
    });
  }

  async moveDocument(from: string, to: string, forward: DocumentForward | null): Promise<void> {
    await this.#whenClosed(from);
    await this.#whenClosed(to);
    // Both version chains held (no version added meanwhile) and no link revoked meanwhile (its record is rewritten).
    await this.versions.deleteDocument(from, () =>
      this.versions.deleteDocument(to, () =>
        this.links.moveDocument(from, to, async (linkOps) => {
          const meta = await this.getMeta(from);
          if (!meta) throw new AppError('not-found', `no document named "${from}"`);
          if (await this.getMeta(to)) throw new AppError('already-exists', `a document named "${to}" already exists`);
          const ops: BatchOp[] = [...linkOps];
          const oldMetaKey = metaKey(from);
          for (const range of documentRanges(from)) {
            for await (const [key, value] of this.#db.entries(range)) {
              const moved = key.equals(oldMetaKey) ? encodeMeta({ ...meta, name: to }) : value;
              ops.push({ type: 'del', key }, { type: 'put', key: keyUnderName(key, to), value: moved });
            }
          }
          ops.push(this.forwards.deleteOp(to));
          if (forward) ops.push(this.forwards.putOp(forward));
          await this.#writer.write(ops);
        }),
      ),
    );
  }

  /** Callers unload a document before deleting or moving it; its log may still be finishing its last writes. */
  async #whenClosed(documentName: string): Promise<void> {
    for (let previous = this.#openLogs.get(documentName); previous; previous = this.#openLogs.get(documentName)) {
      await previous.closed;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#openLogs.values()].map((log) => log.close()));
    await this.#writer.drain();
    await this.#db.close();
  }
}

/** A document's log on LevelDB: one record per batch under its span key, snapshot and metadata beside it. */
class LevelDocumentLog extends BatchedDocumentLog<BatchOp[]> {
  #database: LevelDatabase;
  #writer: BatchWriter;
  /**
   * The log entries and records stored since the snapshot, which compaction deletes. Kept as numbers, not
   * keys: a small Buffer is a slice of an 8 KB pool slab and keeps the whole slab alive, so holding one key
   * per batch until the next compaction grew the heap by about 1 MB/s under 500 edits/s.
   */
  #logSpans: LogSpan[];

  constructor(
    database: LevelDatabase,
    writer: BatchWriter,
    durability: DurabilityListeners,
    meta: DocumentMeta,
    logSpans: LogSpan[],
    stored: boolean,
    onClosed: () => void,
  ) {
    super(writer, durability, meta, stored, onClosed);
    this.#database = database;
    this.#writer = writer;
    this.#logSpans = logSpans;
  }

  protected addRecord(ops: BatchOp[], firstSeq: number, count: number, record: Buffer): void {
    ops.push({ type: 'put', key: logRecordKey(this.documentName, firstSeq, count), value: record });
    this.#logSpans.push({ firstSeq, count, record: true });
  }

  protected addMeta(ops: BatchOp[], meta: DocumentMeta): void {
    ops.push({ type: 'put', key: metaKey(this.documentName), value: encodeMeta(meta) });
  }

  protected writeCompaction(coversBelowSeq: number, state: Uint8Array): { written: Promise<void>; snapshotBytes: number } {
    const snapshot = encodeSnapshot({ coversBelowSeq, state });
    const ops: BatchOp[] = [{ type: 'put', key: snapshotKey(this.documentName), value: snapshot }];
    for (const span of this.#logSpans) ops.push({ type: 'del', key: logSpanKey(this.documentName, span) });
    this.#logSpans = [];
    return { written: this.#writer.write(ops, this), snapshotBytes: snapshot.length };
  }

  async reclaimSpace(): Promise<void> {
    // After the writes that replaced and deleted the data, so LevelDB sees the tombstones.
    await this.lastWrite;
    await Promise.all([snapshotRange(this.documentName), logRange(this.documentName)].map((range) => this.#database.compactRange(range)));
  }
}
