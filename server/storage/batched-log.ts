// A document's delta log written through a group commit: what every backend's DocumentLog shares (the
// bookkeeping of appends, batches, compaction and close); a backend says only how a batch is written.
import { AppError } from '../errors.ts';
import type { DocumentLog, DocumentMeta } from './document-store.ts';
import { FencedOut } from './fenced-out.ts';
import type { GroupCommit } from './group-commit.ts';
import { LOG_RECORD_BYTES_PER_UPDATE, LOG_RECORD_HEADER_BYTES, encodeLogRecord } from './records.ts';
import { AppendReporter, type DurabilityListeners } from './store-events.ts';

/** The group commit a log writes through (storage/group-commit.ts): its failure, and joining the next batch. */
type LogWriter<Batch> = Pick<GroupCommit<Batch, unknown>, 'failure' | 'join' | 'refusesBatches'>;

export function storageFailed(cause: Error): AppError {
  return new AppError('storage-failed', 'storage stopped accepting writes; restart Tandem after fixing the storage', { cause });
}

/** The unsealed appends' share of the batch being gathered; `dropped` once a refusal kept it from being written. */
interface Ticket {
  dropped: FencedOut | null;
}

export abstract class BatchedDocumentLog<Batch> implements DocumentLog {
  readonly documentName: string;
  /** Settles once the log is closed and its writes are stored (or failed). */
  readonly closed: Promise<void>;
  #closing: Promise<void> | null = null;
  #markClosed!: () => void;
  #writer: LogWriter<Batch>;
  #durability: DurabilityListeners;
  #appends: AppendReporter;
  protected readonly current: DocumentMeta;
  /** Updates appended since the current batch was joined; sealed into one record with the batch. */
  #pending: Uint8Array[] = [];
  /** The batch `#pending` goes out with, until it is sealed. */
  #pendingWrite: Promise<void> | null = null;
  #ticket: Ticket | null = null;
  /** Set by a refused batch (see DocumentLog.refusal); cleared by a compaction when it did not name this document. */
  #refusal: FencedOut | null = null;
  /** A compaction waits in the batch being gathered: it stores what a refusal meanwhile would lose. */
  #compactionQueued = false;
  #stored: boolean;
  #lastWrite: Promise<void> | null = null;
  #editedSinceBatch = false;
  #onClosed: () => void;

  constructor(writer: LogWriter<Batch>, durability: DurabilityListeners, meta: DocumentMeta, stored: boolean, onClosed: () => void) {
    this.documentName = meta.name;
    this.#writer = writer;
    this.#durability = durability;
    this.#appends = new AppendReporter(meta.name, durability);
    this.current = meta;
    this.#stored = stored;
    this.#onClosed = onClosed;
    this.closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
  }

  /** Adds the record of `count` updates from `firstSeq` on to the batch. */
  protected abstract addRecord(batch: Batch, firstSeq: number, count: number, record: Buffer): void;
  /** Adds the document's metadata to the batch. */
  protected abstract addMeta(batch: Batch, meta: DocumentMeta): void;
  /**
   * Queues a compaction: the snapshot `state` covering every update below `coversBelowSeq`, and the deletion
   * of the log records it covers; returns the write of the batch it joined. Returns the stored snapshot's size.
   */
  protected abstract writeCompaction(coversBelowSeq: number, state: Uint8Array): { written: Promise<void>; snapshotBytes: number };

  get meta(): DocumentMeta {
    return { ...this.current };
  }

  get logLength(): number {
    return this.current.logLength;
  }

  get logBytes(): number {
    return this.current.logBytes;
  }

  get refusal(): FencedOut | null {
    return this.#refusal;
  }

  append(update: Uint8Array): Promise<void> {
    const appendedAt = performance.now();
    this.#assertWritable();
    // The record's header is counted when it is sealed, so logBytes ends up equal to the stored bytes.
    const bytes = LOG_RECORD_BYTES_PER_UPDATE + update.length;
    this.current.nextSeq += 1;
    this.current.logLength += 1;
    this.current.logBytes += bytes;
    this.current.bytes += bytes;
    this.#editedSinceBatch = true;
    this.#pending.push(update);
    // Every update of one batch gets the same promise: the first one joins the batch.
    this.#pendingWrite ??= this.#track(this.#joinBatch());
    this.#appends.appended(this.#pendingWrite, update.length, appendedAt);
    return this.#pendingWrite;
  }

  compact(state: Uint8Array): Promise<void> {
    const started = performance.now();
    if (this.#refusal?.names(this.documentName)) throw this.#refusal;
    this.#assertOpen();
    // The live state holds every update a refused batch lost: stored, the log is whole again.
    this.#refusal = null;
    this.#compactionQueued = true;
    const { written, snapshotBytes } = this.writeCompaction(this.current.nextSeq, state);
    // Updates not yet sealed into a record are in the batch this snapshot joins, and in the snapshot:
    // they need no record of their own.
    this.#pending = [];
    this.current.logLength = 0;
    this.current.logBytes = 0;
    this.current.snapshotBytes = snapshotBytes;
    this.current.bytes = snapshotBytes;
    const tracked = this.#track(written);
    if (this.#durability.active) {
      // A failed compaction is reported by the caller through the returned promise.
      tracked.then(() => this.#durability.compacted(this.documentName, (performance.now() - started) / 1000), () => undefined);
    }
    return tracked;
  }

  whenDurable(): Promise<void> | null {
    return this.#lastWrite;
  }

  abstract reclaimSpace(): Promise<void>;

  /** Called by the writer as the batch holding this log's writes is sealed: the record and metadata, once. */
  finalizeBatch(batch: Batch): void {
    const compacting = this.#compactionQueued;
    this.#compactionQueued = false;
    const ticket = this.#ticket;
    this.#ticket = null;
    // With a compaction in this batch the log is whole again whatever was refused before: written as usual.
    if (this.#refusal && !compacting) {
      // Appended before the refusal was known, so numbered after the updates it lost: written, they would
      // leave a gap in the log. They are refused with it (the next compaction stores them, from the live state).
      if (ticket) ticket.dropped = this.#refusal;
      this.#pending = [];
      this.#pendingWrite = null;
      return;
    }
    if (this.#pending.length > 0) {
      const count = this.#pending.length;
      const firstSeq = this.current.nextSeq - count;
      this.addRecord(batch, firstSeq, count, encodeLogRecord(this.#pending));
      this.#pending = [];
      this.current.logBytes += LOG_RECORD_HEADER_BYTES;
      this.current.bytes += LOG_RECORD_HEADER_BYTES;
    }
    // Also when a compaction in this batch took the pending updates: later ones join the next batch.
    this.#pendingWrite = null;
    // Compaction alone is not an edit: "updated" tells people when the content last changed.
    if (this.#editedSinceBatch) {
      const now = new Date().toISOString();
      if (!this.#stored) this.current.createdAt = now;
      this.#stored = true;
      this.current.updatedAt = now;
      this.#editedSinceBatch = false;
    }
    this.addMeta(batch, { ...this.current });
  }

  /** Called by the writer when a batch this log wrote in was refused (FencedOut): nothing of it was stored. */
  batchRefused(refusal: FencedOut): void {
    // A bystander's compaction waiting in the next batch stores everything the refused batch lost.
    const named = refusal.names(this.documentName);
    if (this.#compactionQueued && !named) return;
    if (!this.#refusal || named) this.#refusal = refusal;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#lastWrite;
      } catch (error) {
        // Recover: a refused write was reported to whoever made it, and nothing of it is stored. Rejected
        // here it would fail Hocuspocus' unload hook, which then never forgets the document is unloading.
        if (!(error instanceof FencedOut)) throw error;
      } finally {
        this.#onClosed();
        this.#markClosed();
      }
    })();
    return this.#closing;
  }

  /** The newest write of this log, for subclasses that must run after it (reclaiming space). */
  protected get lastWrite(): Promise<void> | null {
    return this.#lastWrite;
  }

  #assertWritable(): void {
    if (this.#refusal) throw this.#refusal;
    // #assertOpen's checks, inlined: this runs for every update.
    if (this.#closing) throw new Error(`document "${this.documentName}" was closed; it cannot be written`);
    if (this.#writer.failure) throw storageFailed(this.#writer.failure);
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error(`document "${this.documentName}" was closed; it cannot be written`);
    if (this.#writer.failure) throw storageFailed(this.#writer.failure);
  }

  /** Joins the batch being gathered; the promise also rejects when a refusal kept this log's share out of it. */
  #joinBatch(): Promise<void> {
    // A store that never refuses a batch (LevelDB) needs no ticket: the batch's own promise, as before fencing.
    if (!this.#writer.refusesBatches) return this.#writer.join(this);
    const ticket: Ticket = { dropped: null };
    this.#ticket = ticket;
    return this.#writer.join(this).then(() => {
      if (ticket.dropped) throw ticket.dropped;
    });
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
