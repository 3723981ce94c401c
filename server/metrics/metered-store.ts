// A DocumentStore wrapper that times appends until durable and compactions, and tracks open logs.
import type { DocumentLog, DocumentStore, LoadedDocument } from '../storage/document-store.ts';
import type { DocumentMeta } from '../storage/records.ts';
import type { Metrics } from './registry.ts';

export interface OpenLogFigures {
  document: string;
  logLength: number;
  logBytes: number;
  unpersistedBytes: number;
}

export class MeteredDocumentStore implements DocumentStore {
  #inner: DocumentStore;
  #metrics: Metrics;
  #open = new Set<MeteredLog>();

  constructor(inner: DocumentStore, metrics: Metrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }

  get failure(): Error | null {
    return this.#inner.failure;
  }

  get isOpen(): boolean {
    return this.#inner.isOpen;
  }

  /** Figures of every open log, read at scrape time. */
  openLogs(): OpenLogFigures[] {
    return [...this.#open].map((log) => ({
      document: log.documentName,
      logLength: log.logLength,
      logBytes: log.logBytes,
      unpersistedBytes: log.unpersistedBytes,
    }));
  }

  async open(documentName: string): Promise<LoadedDocument> {
    const loaded = await this.#inner.open(documentName);
    const log = new MeteredLog(loaded.log, this.#metrics, () => this.#open.delete(log));
    this.#open.add(log);
    return { ...loaded, log };
  }

  listDocuments(): Promise<DocumentMeta[]> {
    return this.#inner.listDocuments();
  }

  getMeta(documentName: string): Promise<DocumentMeta | undefined> {
    return this.#inner.getMeta(documentName);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** Appends that share one write (group-commit batch): timed together when it settles. */
interface PendingWrite {
  written: Promise<void>;
  /** performance.now() at each append. */
  appendedAt: number[];
  bytes: number;
}

class MeteredLog implements DocumentLog {
  #inner: DocumentLog;
  #metrics: Metrics;
  #onClosed: () => void;
  #pending: PendingWrite | null = null;
  unpersistedBytes = 0;

  constructor(inner: DocumentLog, metrics: Metrics, onClosed: () => void) {
    this.#inner = inner;
    this.#metrics = metrics;
    this.#onClosed = onClosed;
  }

  get documentName(): string {
    return this.#inner.documentName;
  }

  get logLength(): number {
    return this.#inner.logLength;
  }

  get logBytes(): number {
    return this.#inner.logBytes;
  }

  append(update: Uint8Array): Promise<void> {
    const appendedAt = performance.now();
    const written = this.#inner.append(update);
    this.unpersistedBytes += update.length;
    let pending = this.#pending;
    // The updates of one batch share a promise: one reaction for the batch, not one timer per update.
    if (pending === null || pending.written !== written) {
      pending = { written, appendedAt: [], bytes: 0 };
      this.#pending = pending;
      this.#settleWith(pending);
    }
    pending.appendedAt.push(appendedAt);
    pending.bytes += update.length;
    return written;
  }

  #settleWith(pending: PendingWrite): void {
    const settled = () => {
      if (this.#pending === pending) this.#pending = null;
      this.unpersistedBytes -= pending.bytes;
    };
    // Only stored updates are timed; a failed write is reported by Persistence through the returned promise.
    pending.written.then(() => {
      settled();
      const storedAt = performance.now();
      for (const appendedAt of pending.appendedAt) this.#metrics.persistSeconds.observe((storedAt - appendedAt) / 1000);
    }, settled);
  }

  whenDurable(): Promise<void> | null {
    return this.#inner.whenDurable();
  }

  async compact(state: Uint8Array): Promise<void> {
    const stop = this.#metrics.compactionSeconds.startTimer();
    await this.#inner.compact(state);
    stop();
    this.#metrics.compactions.inc();
  }

  reclaimSpace(): Promise<void> {
    return this.#inner.reclaimSpace();
  }

  async close(): Promise<void> {
    try {
      await this.#inner.close();
    } finally {
      this.#onClosed();
    }
  }
}
