// The storage interface the rest of Tandem sees; LevelDB (storage/leveldb/) and PostgreSQL (storage/postgres/) implement it.
import type { FencedOut } from './fenced-out.ts';

/** Per-document metadata, kept beside the data so listing documents loads none of them. */
export interface DocumentMeta {
  name: string;
  createdAt: string;
  updatedAt: string;
  /** Bytes of the snapshot plus the log entries still stored. */
  bytes: number;
  snapshotBytes: number;
  logBytes: number;
  logLength: number;
  /** The sequence number the next appended update gets. */
  nextSeq: number;
}

/** What a document's stored form holds when it is opened. */
export interface LoadedDocument {
  log: DocumentLog;
  /** The compacted state, if the document was ever compacted. */
  snapshot: Uint8Array | null;
  /** Updates appended after the snapshot, in order. */
  updates: Uint8Array[];
}

/** The append-only log of one open document. One instance per open document. */
export interface DocumentLog {
  readonly documentName: string;
  readonly logLength: number;
  readonly logBytes: number;
  /** Queues an update; resolves once it is in storage. Rejects (never silently) if storage failed. */
  append(update: Uint8Array): Promise<void>;
  /** Resolves when everything appended so far is stored, or null when nothing is pending. */
  whenDurable(): Promise<void> | null;
  /** Replaces the snapshot with `state` (which must contain every appended update) and drops the log. */
  compact(state: Uint8Array): Promise<void>;
  /**
   * Gives back the disk space that replaced snapshots and dropped log entries still take, once the
   * document goes quiet (after its last compaction). Slow work runs off the event loop.
   */
  reclaimSpace(): Promise<void>;
  /**
   * Waits for pending writes and releases the document so it can be opened again. Rejects if the last write
   * failed, but not if it was refused (FencedOut): that was reported to its writers, and nothing of it is stored.
   */
  close(): Promise<void>;
  /**
   * Set once a batch this log wrote in was refused (FencedOut); its appends were not stored. When it names
   * this document, another instance owns it now: every write throws it, and the document is to be closed
   * without compacting. When it does not (the document only shared the batch), appends throw it until
   * `compact` stores the live state, which holds the refused updates; then the log takes writes again.
   */
  readonly refusal: FencedOut | null;
}

export interface OpenOptions {
  /**
   * Fences the document's writes (PostgreSQL only): the epoch `OwnershipStore.claim` returned. Every batch
   * writing this log (appends, compactions), and the document's versions and change-feed events while it is
   * open, is refused with FencedOut once another instance has claimed the document since. Without it,
   * nothing is checked (a single node).
   */
  epoch?: number;
}

export interface DocumentStore {
  /** Loads a document for serving. A second open of the same name waits for the first to close. */
  open(documentName: string, options?: OpenOptions): Promise<LoadedDocument>;
  /** Metadata of every stored document, without loading any of them. */
  listDocuments(): Promise<DocumentMeta[]>;
  getMeta(documentName: string): Promise<DocumentMeta | undefined>;
  /** The error that stopped writing, if storage failed; Tandem then refuses edits. */
  readonly failure: Error | null;
  /**
   * While storage cannot be reached but may come back (PostgreSQL restarting): the last error. Writes wait
   * and are retried, so edits stay unacknowledged ("Saving…") rather than lost. Always null on LevelDB.
   */
  readonly unavailable: Error | null;
  readonly isOpen: boolean;
  close(): Promise<void>;
}
