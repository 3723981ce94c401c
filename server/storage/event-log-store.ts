// The storage interface for retained change-feed events: the newest events of each document, by sequence number.

/** One event as stored: its per-document sequence number (the SSE `id:`) and its JSON envelope, byte for byte. */
export interface LoggedEvent {
  seq: number;
  body: string;
}

/**
 * A document's events are numbered 1, 2, 3, … by the caller, who continues above `highestSeq` after a restart.
 * Every write goes through the store's group commit: it resolves once durable and rejects if it failed.
 */
export interface EventLogStore {
  /** Stores events of one document (in ascending `seq`). Storing an event again under the same `seq` is harmless. */
  append(document: string, events: readonly LoggedEvent[]): Promise<void>;
  /** The stored events with a sequence number above `afterSeq`, oldest first, at most `limit`. */
  read(document: string, afterSeq: number, limit: number): Promise<LoggedEvent[]>;
  /**
   * Deletes all but the newest `keep` events of a document. It keeps at least the newest `keep` of those appended
   * before it (appends still in flight may be kept besides them) and never touches one appended after it.
   */
  trim(document: string, keep: number): Promise<void>;
  /** The highest stored sequence number of a document; 0 when it has none. */
  highestSeq(document: string): Promise<number>;
  /** Deletes every event of a document (the document itself was deleted). */
  deleteDocument(document: string): Promise<void>;
}
