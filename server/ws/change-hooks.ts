// The onChange hooks of a client's update, without what Hocuspocus does around them for every update.
//
// Hocuspocus' handleDocumentUpdate builds each update's hook payload eagerly (the request's URL parsed into its
// parameters, a Headers object), chains a promise per extension for onChange, and re-arms a debounce timer
// for onStoreDocument. Tandem stores through its own persistence, not onStoreDocument, so when no extension
// implements that hook (or afterStoreDocument) the debounce does nothing but hold the document loaded for its
// delay. Here the payload's request fields are computed only if a hook reads them, and the hooks run in one
// microtask after the update, as Hocuspocus' chain starts them.
import type { Document, Extension, Hocuspocus, onChangePayload } from '@hocuspocus/server';
import type { Logger } from '../log.ts';

type OriginConnection = NonNullable<onChangePayload['connection']>;

/** One update's hook payload; the request's headers and parameters are read only if a hook asks. */
class ChangePayload implements onChangePayload {
  readonly clientsCount: number;
  readonly documentName: string;
  readonly socketId: string;
  readonly context: unknown;
  readonly instance: Hocuspocus;
  readonly document: Document;
  readonly connection: OriginConnection;
  readonly update: Uint8Array;
  readonly transactionOrigin: unknown;

  constructor(instance: Hocuspocus, document: Document, connection: OriginConnection, update: Uint8Array, origin: unknown) {
    this.instance = instance;
    this.document = document;
    this.connection = connection;
    this.update = update;
    this.transactionOrigin = origin;
    this.clientsCount = document.getConnectionsCount();
    this.documentName = document.name;
    this.socketId = connection.socketId;
    this.context = connection.context;
  }

  get requestHeaders(): Headers {
    return this.connection.request.headers;
  }

  get requestParameters(): URLSearchParams {
    return new URL(this.connection.request.url).searchParams;
  }
}

export class ChangeHooks {
  #instance: Hocuspocus;
  #hooks: readonly Extension[];
  #log: Logger;
  // The payloads of this turn's updates, handed to the hooks in one microtask.
  #pending: ChangePayload[] = [];

  private constructor(instance: Hocuspocus, hooks: readonly Extension[], log: Logger) {
    this.#instance = instance;
    this.#hooks = hooks;
    this.#log = log;
  }

  /** Null when an extension implements the store hooks: then every update takes Hocuspocus' own handling. */
  static for(instance: Hocuspocus, extensions: readonly Extension[], log: Logger): ChangeHooks | null {
    if (extensions.some((extension) => typeof extension.onStoreDocument === 'function' || typeof extension.afterStoreDocument === 'function')) return null;
    return new ChangeHooks(instance, extensions.filter((extension) => typeof extension.onChange === 'function'), log);
  }

  /** Runs every onChange hook for `update`, applied to `document` from `connection`. */
  run(document: Document, connection: OriginConnection, update: Uint8Array, origin: unknown): void {
    if (this.#hooks.length === 0) return;
    if (this.#pending.push(new ChangePayload(this.#instance, document, connection, update, origin)) === 1) queueMicrotask(this.#runPending);
  }

  #runPending = (): void => {
    const payloads = this.#pending;
    this.#pending = [];
    for (const payload of payloads) {
      for (const extension of this.#hooks) {
        try {
          Promise.resolve(extension.onChange!(payload)).catch((error: unknown) => this.#failed(error, payload, extension));
        } catch (error) {
          this.#failed(error, payload, extension);
        }
      }
    }
  };

  #failed(error: unknown, payload: ChangePayload, extension: Extension): void {
    this.#log.warn({ err: error, doc: payload.documentName, extension: extension.extensionName }, 'an onChange hook failed');
  }
}
