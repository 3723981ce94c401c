// Deletes stored documents: refuses new connections, closes the open ones, waits for unload, then deletes.
import type { Extension, onConnectPayload } from '@hocuspocus/server';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import type { Hub } from './hub.ts';

/** What deleting needs from storage (LevelDocumentStore has it). */
export interface DeletableStore extends Pick<DocumentStore, 'getMeta'> {
  /** Removes a document, once unloaded, with its log, snapshot, versions and retained events, in one write. */
  deleteDocument(documentName: string): Promise<void>;
}

export class DocumentDeletion implements Extension {
  readonly extensionName = 'tandem-document-deletion';
  // Before loading: a document being deleted must not be loaded again meanwhile.
  readonly priority = 2000;

  #deleting = new Set<string>();
  #store: DeletableStore;
  #log: Logger;
  #hub: Pick<Hub, 'closeConnections' | 'isResident'>;

  /** `hub` is the one this extension is installed in: deleting closes and unloads the document there. */
  constructor(options: { store: DeletableStore; log: Logger; hub: Pick<Hub, 'closeConnections' | 'isResident'> }) {
    this.#store = options.store;
    this.#log = options.log;
    this.#hub = options.hub;
  }

  async onConnect({ documentName }: onConnectPayload): Promise<void> {
    if (this.#deleting.has(documentName)) {
      throw new AppError('document-unavailable', `document "${documentName}" is being deleted`);
    }
  }

  /** Deletes a document with its versions. Editors that reconnect with a copy of it will create it anew. */
  async delete(documentName: string, timeoutMs = 5_000): Promise<void> {
    if (!(await this.#store.getMeta(documentName))) throw new AppError('not-found', `no document named "${documentName}"`);
    if (this.#deleting.has(documentName)) throw new AppError('document-unavailable', `document "${documentName}" is being deleted`);
    this.#deleting.add(documentName);
    try {
      this.#hub.closeConnections(documentName);
      const deadline = Date.now() + timeoutMs;
      while (this.#hub.isResident(documentName)) {
        if (Date.now() > deadline) {
          throw new AppError('document-unavailable', `document "${documentName}" did not unload within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await this.#store.deleteDocument(documentName);
      this.#log.info({ doc: documentName }, 'document deleted');
    } finally {
      this.#deleting.delete(documentName);
    }
  }
}
