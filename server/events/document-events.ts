// Hocuspocus extension: turns document and client-connection lifecycle into events (created, changed, connect).
import type {
  Extension,
  afterUnloadDocumentPayload,
  connectedPayload,
  onChangePayload,
  onDisconnectPayload,
  onLoadDocumentPayload,
} from '@hocuspocus/server';
import { isCommentChange } from '../comments/comment-origin.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import type { EventEmitter } from './event-bus.ts';

export interface DocumentEventsOptions {
  events: EventEmitter;
  store: Pick<DocumentStore, 'getMeta'>;
  /** One document.changed per document per quiet period this long (0: one per update). */
  changedDebounceMs: number;
}

interface PendingChange {
  timer: NodeJS.Timeout;
  updates: number;
  bytes: number;
  firstAt: string;
  /** performance.now() of the latest update. */
  lastAt: number;
}

export class DocumentEvents implements Extension {
  readonly extensionName = 'tandem-document-events';
  // Before Persistence (1000) loads the document: "was it ever stored?" must be asked of storage first.
  readonly priority = 1100;

  #options: DocumentEventsOptions;
  /** Documents loaded without a stored record: their first change emits document.created. */
  #unstored = new Set<string>();
  #pending = new Map<string, PendingChange>();
  /**
   * `socketId \0 documentName` of each client connection announced by client.connected. Server-side edits
   * (a direct connection: import, restore) also end with onDisconnect, socketId "server", without any
   * connect: only a disconnect that closes an announced connection is an event.
   */
  #clients = new Set<string>();

  constructor(options: DocumentEventsOptions) {
    this.#options = options;
  }

  async onLoadDocument({ documentName }: onLoadDocumentPayload): Promise<void> {
    if (!(await this.#options.store.getMeta(documentName))) this.#unstored.add(documentName);
  }

  async onChange({ documentName, update, transactionOrigin }: onChangePayload): Promise<void> {
    if (this.#unstored.delete(documentName)) this.#options.events.emitEvent('document.created', documentName, {});
    // A comment change has its own events (comment.created, …); the text did not change.
    if (isCommentChange(transactionOrigin)) return;
    const now = performance.now();
    const pending = this.#pending.get(documentName);
    if (pending) {
      // On the hot path only two numbers change; the one timer re-arms itself if updates kept coming.
      pending.updates += 1;
      pending.bytes += update.length;
      pending.lastAt = now;
      return;
    }
    // Trailing debounce: the event follows the last update of a burst, and unload flushes it early.
    const timer = setTimeout(() => this.#quietCheck(documentName), this.#options.changedDebounceMs).unref();
    this.#pending.set(documentName, { timer, updates: 1, bytes: update.length, firstAt: new Date().toISOString(), lastAt: now });
  }

  #quietCheck(documentName: string): void {
    const pending = this.#pending.get(documentName);
    if (!pending) return;
    const quietFor = performance.now() - pending.lastAt;
    const wait = this.#options.changedDebounceMs - quietFor;
    if (wait <= 0) this.#flush(documentName);
    else pending.timer = setTimeout(() => this.#quietCheck(documentName), wait).unref();
  }

  async connected({ documentName, socketId, connection }: connectedPayload): Promise<void> {
    this.#clients.add(`${socketId}\0${documentName}`);
    this.#options.events.emitEvent('client.connected', documentName, { socketId, readOnly: connection.readOnly });
  }

  async onDisconnect({ documentName, socketId, clientsCount }: onDisconnectPayload): Promise<void> {
    if (!this.#clients.delete(`${socketId}\0${documentName}`)) return;
    this.#options.events.emitEvent('client.disconnected', documentName, { socketId, clientsLeft: clientsCount });
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.#unstored.delete(documentName);
    this.#flush(documentName);
  }

  /** Emits every pending document.changed now and stops the timers (graceful shutdown). */
  flushAll(): void {
    for (const documentName of [...this.#pending.keys()]) this.#flush(documentName);
    this.#unstored.clear();
  }

  #flush(documentName: string): void {
    const pending = this.#pending.get(documentName);
    if (!pending) return;
    this.#pending.delete(documentName);
    clearTimeout(pending.timer);
    this.#options.events.emitEvent('document.changed', documentName, {
      updates: pending.updates,
      bytes: pending.bytes,
      since: pending.firstAt,
    });
  }
}
