// Hocuspocus extension: turns document and connection lifecycle into events (created, changed, connect).
import type {
  Extension,
  afterUnloadDocumentPayload,
  connectedPayload,
  onChangePayload,
  onDisconnectPayload,
  onLoadDocumentPayload,
} from '@hocuspocus/server';
import type { DocumentStore } from '../storage/document-store.ts';
import type { EventEmitter } from './event-bus.ts';

export interface DocumentEventsOptions {
  events: EventEmitter;
  store: DocumentStore;
  /** One document.changed per document per quiet period this long (0: one per update). */
  changedDebounceMs: number;
}

interface PendingChange {
  timer: NodeJS.Timeout | null;
  updates: number;
  bytes: number;
  firstAt: string;
}

export class DocumentEvents implements Extension {
  readonly extensionName = 'tandem-document-events';
  // Before Persistence (1000) loads the document: "was it ever stored?" must be asked of storage first.
  readonly priority = 1100;

  #options: DocumentEventsOptions;
  /** Documents loaded without a stored record: their first change emits document.created. */
  #unstored = new Set<string>();
  #pending = new Map<string, PendingChange>();

  constructor(options: DocumentEventsOptions) {
    this.#options = options;
  }

  async onLoadDocument({ documentName }: onLoadDocumentPayload): Promise<void> {
    if (!(await this.#options.store.getMeta(documentName))) this.#unstored.add(documentName);
  }

  async onChange({ documentName, update }: onChangePayload): Promise<void> {
    if (this.#unstored.delete(documentName)) this.#options.events.emitEvent('document.created', documentName, {});
    let pending = this.#pending.get(documentName);
    if (!pending) {
      pending = { timer: null, updates: 0, bytes: 0, firstAt: new Date().toISOString() };
      this.#pending.set(documentName, pending);
    }
    pending.updates += 1;
    pending.bytes += update.length;
    if (pending.timer) clearTimeout(pending.timer);
    // Trailing debounce: the event follows the last update of a burst, and unload flushes it early.
    pending.timer = setTimeout(() => this.#flush(documentName), this.#options.changedDebounceMs);
    pending.timer.unref();
  }

  async connected({ documentName, socketId, connection }: connectedPayload): Promise<void> {
    this.#options.events.emitEvent('client.connected', documentName, { socketId, readOnly: connection.readOnly });
  }

  async onDisconnect({ documentName, socketId, clientsCount }: onDisconnectPayload): Promise<void> {
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
    if (pending.timer) clearTimeout(pending.timer);
    this.#options.events.emitEvent('document.changed', documentName, {
      updates: pending.updates,
      bytes: pending.bytes,
      since: pending.firstAt,
    });
  }
}
