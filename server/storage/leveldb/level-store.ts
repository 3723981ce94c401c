// DocumentStore on LevelDB: per-document delta log + snapshot + metadata, written by one BatchWriter.
import { mkdir } from 'node:fs/promises';
import { AppError } from '../../errors.ts';
import { BatchWriter, type BatchParticipant } from './batch-writer.ts';
import type { DocumentLog, DocumentMeta, DocumentStore, LoadedDocument } from '../document-store.ts';
import { allMetaRange, documentNameFromMetaKey, logKeySpan, logRange, logRecordKey, logSpanKey, metaKey, snapshotKey, snapshotRange, type LogSpan } from './keys.ts';
import { LevelDatabase, type BatchOp } from './leveldb.ts';
import { LevelOutboxStore } from './level-outbox.ts';
import { LevelVersionStore } from './level-versions.ts';
import {
  CorruptRecordError,
  decodeLogEntry,
  decodeLogRecord,
  decodeMeta,
  decodeSnapshot,
  encodeLogRecord,
  encodeMeta,
  encodeSnapshot,
  LOG_RECORD_BYTES_PER_UPDATE,
  LOG_RECORD_HEADER_BYTES,
} from '../records.ts';
import { AppendReporter, DurabilityListeners, type DurabilityEvents, type DurabilitySource } from '../store-events.ts';

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
  /** Named versions, in the same database and written through the same group commit. */
  readonly versions: LevelVersionStore;
  /** The webhook outbox, in the same database and written through the same group commit. */
  readonly outbox: LevelOutboxStore;

  private constructor(db: LevelDatabase, writer: BatchWriter, versionsFullEvery?: number) {
    this.#db = db;
    this.#writer = writer;
    this.versions = new LevelVersionStore(db, writer, { fullEvery: versionsFullEvery });
    this.outbox = new LevelOutboxStore(db, writer);
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

  get isOpen(): boolean {
    return this.#db.isOpen;
  }

  observeDurability(listener: DurabilityEvents): () => void {
    return this.#durability.add(listener);
  }

  async open(documentName: string): Promise<LoadedDocument> {
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
    // Callers unload the document first; its log may still be finishing its last writes.
    for (let previous = this.#openLogs.get(documentName); previous; previous = this.#openLogs.get(documentName)) {
      await previous.closed;
    }
    const ops: BatchOp[] = [
      { type: 'del', key: metaKey(documentName) },
      { type: 'del', key: snapshotKey(documentName) },
    ];
    for await (const [key] of this.#db.entries(logRange(documentName))) ops.push({ type: 'del', key });
    ops.push(...(await this.versions.deleteAllOps(documentName)));
    await this.#writer.write(ops);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#openLogs.values()].map((log) => log.close()));
    await this.#writer.drain();
    await this.#db.close();
  }
}

function storageFailed(cause: Error): AppError {
  return new AppError('storage-failed', 'storage stopped accepting writes; restart Tandem after fixing the disk', {
    cause,
  });
}

class LevelDocumentLog implements DocumentLog, BatchParticipant {
  readonly documentName: string;
  /** Settles once the log is closed and its writes are stored (or failed). */
  readonly closed: Promise<void>;
  #closing: Promise<void> | null = null;
  #markClosed!: () => void;
  #database: LevelDatabase;
  #writer: BatchWriter;
  #durability: DurabilityListeners;
  #appends: AppendReporter;
  #meta: DocumentMeta;
  /**
   * The log entries and records stored since the snapshot, which compaction deletes. Kept as numbers, not
   * keys: a small Buffer is a slice of an 8 KB pool slab and keeps the whole slab alive, so holding one key
   * per batch until the next compaction grew the heap by about 1 MB/s under 500 edits/s.
   */
  #logSpans: LogSpan[];
  /** Updates appended since the current batch was joined; sealed into one record with the batch. */
  #pending: Uint8Array[] = [];
  /** The batch `#pending` goes out with, until it is sealed. */
  #pendingWrite: Promise<void> | null = null;
  #stored: boolean;
  #lastWrite: Promise<void> | null = null;
  #editedSinceBatch = false;
  #onClosed: () => void;

  constructor(
    database: LevelDatabase,
    writer: BatchWriter,
    durability: DurabilityListeners,
    meta: DocumentMeta,
    logSpans: LogSpan[],
    stored: boolean,
    onClosed: () => void,
  ) {
    this.documentName = meta.name;
    this.#database = database;
    this.#writer = writer;
    this.#durability = durability;
    this.#appends = new AppendReporter(meta.name, durability);
    this.#meta = meta;
    this.#logSpans = logSpans;
    this.#stored = stored;
    this.#onClosed = onClosed;
    this.closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
  }

  get meta(): DocumentMeta {
    return { ...this.#meta };
  }

  get logLength(): number {
    return this.#meta.logLength;
  }

  get logBytes(): number {
    return this.#meta.logBytes;
  }

  append(update: Uint8Array): Promise<void> {
    const appendedAt = performance.now();
    this.#assertWritable();
    // The record's header is counted when it is sealed, so logBytes ends up equal to the stored bytes.
    const bytes = LOG_RECORD_BYTES_PER_UPDATE + update.length;
    this.#meta.nextSeq += 1;
    this.#meta.logLength += 1;
    this.#meta.logBytes += bytes;
    this.#meta.bytes += bytes;
    this.#editedSinceBatch = true;
    this.#pending.push(update);
    // Every update of one batch gets the same promise: the first one joins the batch.
    this.#pendingWrite ??= this.#track(this.#writer.join(this));
    this.#appends.appended(this.#pendingWrite, update.length, appendedAt);
    return this.#pendingWrite;
  }

  compact(state: Uint8Array): Promise<void> {
    const started = performance.now();
    this.#assertWritable();
    const coversBelowSeq = this.#meta.nextSeq;
    const ops: BatchOp[] = [
      { type: 'put', key: snapshotKey(this.documentName), value: encodeSnapshot({ coversBelowSeq, state }) },
    ];
    for (const span of this.#logSpans) ops.push({ type: 'del', key: logSpanKey(this.documentName, span) });
    this.#logSpans = [];
    // Updates not yet sealed into a record are in the batch this snapshot joins, and in the snapshot:
    // they need no record of their own.
    this.#pending = [];
    this.#meta.logLength = 0;
    this.#meta.logBytes = 0;
    this.#meta.snapshotBytes = state.length + 13;
    this.#meta.bytes = this.#meta.snapshotBytes;
    const written = this.#track(this.#writer.write(ops, this));
    if (this.#durability.active) {
      // A failed compaction is reported by the caller through the returned promise.
      written.then(() => this.#durability.compacted(this.documentName, (performance.now() - started) / 1000), () => undefined);
    }
    return written;
  }

  whenDurable(): Promise<void> | null {
    return this.#lastWrite;
  }

  async reclaimSpace(): Promise<void> {
    // After the writes that replaced and deleted the data, so LevelDB sees the tombstones.
    await this.#lastWrite;
    await Promise.all([snapshotRange(this.documentName), logRange(this.documentName)].map((range) => this.#database.compactRange(range)));
  }

  /** Called by the writer as the batch holding this log's writes is sealed: add the metadata once. */
  finalizeBatch(ops: BatchOp[]): void {
    if (this.#pending.length > 0) {
      const count = this.#pending.length;
      const firstSeq = this.#meta.nextSeq - count;
      ops.push({ type: 'put', key: logRecordKey(this.documentName, firstSeq, count), value: encodeLogRecord(this.#pending) });
      this.#logSpans.push({ firstSeq, count, record: true });
      this.#pending = [];
      this.#meta.logBytes += LOG_RECORD_HEADER_BYTES;
      this.#meta.bytes += LOG_RECORD_HEADER_BYTES;
    }
    // Also when a compaction in this batch took the pending updates: later ones join the next batch.
    this.#pendingWrite = null;
    // Compaction alone is not an edit: "updated" tells people when the content last changed.
    if (this.#editedSinceBatch) {
      const now = new Date().toISOString();
      if (!this.#stored) this.#meta.createdAt = now;
      this.#stored = true;
      this.#meta.updatedAt = now;
      this.#editedSinceBatch = false;
    }
    ops.push({ type: 'put', key: metaKey(this.documentName), value: encodeMeta(this.#meta) });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#lastWrite;
      } finally {
        this.#onClosed();
        this.#markClosed();
      }
    })();
    return this.#closing;
  }

  #assertWritable(): void {
    if (this.#closing) throw new Error(`document "${this.documentName}" was closed; it cannot be written`);
    if (this.#writer.failure) throw storageFailed(this.#writer.failure);
  }

  #track(write: Promise<void>): Promise<void> {
    if (write !== this.#lastWrite) {
      this.#lastWrite = write;
      // Once this batch is stored nothing is pending, unless a later batch took its place.
      write.then(
        () => {
          if (this.#lastWrite === write) this.#lastWrite = null;
        },
        () => undefined,
      );
    }
    return write;
  }
}
