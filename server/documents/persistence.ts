// Hocuspocus extension: loads documents from the store, appends every update to the log, compacts.
// What of it is stored, and storage failures, are durability.ts's to answer.
import type {
  Extension,
  afterUnloadDocumentPayload,
  beforeUnloadDocumentPayload,
  onLoadDocumentPayload,
} from '@hocuspocus/server';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DocumentLog, DocumentStore } from '../storage/document-store.ts';
import type { Durability } from './durability.ts';

/** In a cluster, who may load a document (its owner) and what the store's writes are fenced with. */
export interface DocumentOwnership {
  /**
   * Called before a document loads: throws unless this instance owns it; returns the epoch its writes are
   * fenced with (storage/ownership-store.ts), claimed anew for this load.
   */
  claim(documentName: string): Promise<number>;
  /** The document unloaded here. */
  unloaded(documentName: string): void;
}

export interface PersistenceOptions {
  store: DocumentStore;
  log: Logger;
  compactAfterUpdates: number;
  compactAfterBytes: number;
  /** Hears of every write, and of every write that failed. */
  durability: Durability;
  /** Cluster only (absent on a single node). */
  ownership?: DocumentOwnership;
}

interface OpenDocument {
  document: Y.Doc;
  log: DocumentLog;
  compacting: boolean;
  /** Size of the stored snapshot; with the log's bytes, the document's stored size. */
  snapshotBytes: number;
}

// Marks the transactions that replay stored data, so they are not appended to the log again.
const LOAD_ORIGIN = Symbol('tandem-load');

export class Persistence implements Extension {
  readonly extensionName = 'tandem-persistence';
  // Runs before every other extension's load hook: they see the stored content.
  readonly priority = 1000;

  #options: PersistenceOptions;
  #open = new Map<string, OpenDocument>();

  constructor(options: PersistenceOptions) {
    this.#options = options;
  }

  /**
   * What the document-size limit counts for a loaded document (undefined if not loaded): its stored bytes
   * (snapshot + log) plus the updates Yjs holds back as pending because their dependencies never arrived.
   * Pending updates are never appended to the log, yet they live in memory and reach the next snapshot,
   * so without them a client could grow a document without bound by sending orphaned updates.
   */
  sizeBytes(documentName: string): number | undefined {
    const entry = this.#open.get(documentName);
    if (!entry) return undefined;
    const { pendingStructs, pendingDs } = entry.document.store;
    return entry.snapshotBytes + entry.log.logBytes + (pendingStructs?.update.length ?? 0) + (pendingDs?.length ?? 0);
  }

  /** The log of a loaded document, for metrics and admin views. */
  logOf(documentName: string): DocumentLog | undefined {
    return this.#open.get(documentName)?.log;
  }

  async onLoadDocument({ document, documentName }: onLoadDocumentPayload): Promise<void> {
    try {
      await this.#load(document, documentName);
    } catch (error) {
      // Hocuspocus refuses the connection with the error's reason; the document is never served empty.
      this.#options.log.error({ doc: documentName, err: error }, 'document could not be loaded; refusing its connections');
      // Hocuspocus skips unloading a document that never finished loading, which would leak its
      // awareness timer (and keep the process alive); destroy it here.
      document.destroy();
      throw error;
    }
  }

  async #load(document: Y.Doc, documentName: string): Promise<void> {
    const started = performance.now();
    const epoch = await this.#options.ownership?.claim(documentName);
    const { log, snapshot, updates } = await this.#options.store.open(documentName, epoch === undefined ? undefined : { epoch });
    try {
      applyStored(document, snapshot, updates);
    } catch (error) {
      await log.close();
      throw new AppError('document-unavailable', `document "${documentName}" has stored data Yjs cannot apply`, {
        cause: error,
      });
    }
    const entry: OpenDocument = { document, log, compacting: false, snapshotBytes: snapshot?.length ?? 0 };
    this.#open.set(documentName, entry);
    this.#options.durability.watch(log);
    document.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== LOAD_ORIGIN) this.#append(entry, update);
    });
    this.#options.log.debug(
      { doc: documentName, snapshotBytes: snapshot?.length ?? 0, logEntries: updates.length, ms: elapsed(started) },
      'document loaded',
    );
  }

  async beforeUnloadDocument({ document, documentName }: beforeUnloadDocumentPayload): Promise<void> {
    const entry = this.#open.get(documentName);
    if (!entry || entry.document !== document || entry.log.logLength === 0 || ownedElsewhere(entry.log)) return;
    await this.#compact(entry, 'unload');
    void this.#reclaimSpace(entry.log);
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    const entry = this.#open.get(documentName);
    // The name may already belong to a newer instance that is still loading; close only the destroyed one.
    if (!entry || !entry.document.isDestroyed) return;
    this.#open.delete(documentName);
    this.#options.durability.release(entry.log);
    try {
      await entry.log.close();
    } finally {
      this.#options.ownership?.unloaded(documentName);
    }
  }

  /** Compacts and closes every loaded document: the last step of a graceful shutdown. */
  async closeAll(): Promise<void> {
    const entries = [...this.#open.values()];
    this.#open.clear();
    for (const entry of entries) this.#options.durability.release(entry.log);
    await Promise.all(
      entries.map(async (entry) => {
        try {
          if (entry.log.logLength > 0 && !entry.document.isDestroyed && !ownedElsewhere(entry.log)) {
            await this.#compact(entry, 'shutdown');
            // Awaited here: the database closes next.
            await this.#reclaimSpace(entry.log);
          }
        } finally {
          await entry.log.close();
        }
      }),
    );
  }

  #append(entry: OpenDocument, update: Uint8Array): void {
    try {
      this.#options.durability.appended(entry.log.documentName, entry.log.append(update));
    } catch (error) {
      // Thrown inside a Yjs observer it would abort the message handler halfway; report it instead.
      this.#writeFailed(entry, error);
      return;
    }
    const { compactAfterUpdates, compactAfterBytes } = this.#options;
    if (!entry.compacting && (entry.log.logLength >= compactAfterUpdates || entry.log.logBytes >= compactAfterBytes)) {
      entry.compacting = true;
      // After the current message: the state is encoded from the live document, never by merging the log.
      setImmediate(() => {
        if (entry.document.isDestroyed || this.#open.get(entry.log.documentName) !== entry) return;
        this.#compact(entry, 'threshold').catch((error: unknown) => this.#writeFailed(entry, error));
      });
    }
  }

  async #compact(entry: OpenDocument, reason: string): Promise<void> {
    const started = performance.now();
    const entries = entry.log.logLength;
    entry.compacting = true;
    try {
      const state = Y.encodeStateAsUpdate(entry.document);
      // The store reports the compaction's time to metrics (storage/store-events.ts).
      await entry.log.compact(state);
      entry.snapshotBytes = state.length;
      this.#options.log.debug(
        { doc: entry.log.documentName, reason, entries, snapshotBytes: state.length, ms: elapsed(started) },
        'document compacted',
      );
    } finally {
      entry.compacting = false;
    }
  }

  /**
   * Once a document goes quiet, has the store give back the space of what its compactions replaced:
   * LevelDB keeps deleted log entries and old snapshots until its own compaction reaches them (35× the
   * state after a long ingest). Best effort: a failure costs disk space, not data, so it is logged only.
   */
  #reclaimSpace(log: DocumentLog): Promise<void> {
    const started = performance.now();
    return log.reclaimSpace().then(
      () => this.#options.log.debug({ doc: log.documentName, ms: elapsed(started) }, 'disk space of the compacted log reclaimed'),
      (error: unknown) => this.#options.log.error({ doc: log.documentName, err: error }, 'reclaiming disk space after compaction failed'),
    );
  }

  #writeFailed(entry: OpenDocument, error: unknown): void {
    this.#options.durability.failed(entry.log.documentName, error);
  }
}

/**
 * Whether another instance owns the document now (its writes were fenced out): its live state is not this
 * instance's to store, and a compaction would only be refused (and, thrown from the unload hook, keep
 * Hocuspocus from ever unloading the document).
 */
function ownedElsewhere(log: DocumentLog): boolean {
  return log.refusal?.names(log.documentName) ?? false;
}

/**
 * Applies the stored state to a loading document. A function of its own so that no closure in `#load` captures
 * `snapshot` or `updates`: V8 keeps a function's captured variables in one context shared by all its closures,
 * and the document's 'update' listener made there would keep the whole stored state (as large as the
 * document's encoding) alive for as long as the document stays loaded.
 */
function applyStored(document: Y.Doc, snapshot: Uint8Array | null, updates: Uint8Array[]): void {
  withoutUpdateListeners(document, () =>
    Y.transact(
      document,
      () => {
        if (snapshot) Y.applyUpdate(document, snapshot, LOAD_ORIGIN);
        for (const update of updates) Y.applyUpdate(document, update, LOAD_ORIGIN);
      },
      LOAD_ORIGIN,
    ),
  );
}

/**
 * Runs `apply` with the document's 'update' listeners set aside. Yjs encodes a transaction's update only
 * when something listens to 'update', and Hocuspocus' Document always does, to broadcast. While a document
 * loads nobody is connected, so that encoding of the whole stored state would be for no one (it made
 * loading about a quarter slower).
 */
function withoutUpdateListeners(document: Y.Doc, apply: () => void): void {
  const listeners = [...(document._observers.get('update') ?? [])] as Array<(update: Uint8Array, origin: unknown) => void>;
  for (const listener of listeners) document.off('update', listener);
  try {
    apply();
  } finally {
    for (const listener of listeners) document.on('update', listener);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
