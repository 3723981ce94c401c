// Deleting a stored document for good (`DELETE …?permanent=true`, and the trash's sweep): its editors are
// closed first, then the document goes with its versions, retained events and share links in one write.
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import type { ForwardStore } from '../storage/forward-store.ts';
import type { DocumentUnloading } from './unloading.ts';

/** What deleting needs from storage. */
export interface DeletableStore extends Pick<DocumentStore, 'getMeta'> {
  /** Removes a document, once unloaded, with its log, snapshot, versions and retained events, in one write. */
  deleteDocument(documentName: string): Promise<void>;
  forwards: Pick<ForwardStore, 'delete'>;
}

export class DocumentDeletion {
  #store: DeletableStore;
  #log: Logger;
  #unloading: DocumentUnloading;

  constructor(options: { store: DeletableStore; log: Logger; unloading: DocumentUnloading }) {
    this.#store = options.store;
    this.#log = options.log;
    this.#unloading = options.unloading;
  }

  /** Deletes a document with its versions; nothing is kept to restore. Editors that reconnect with a copy create it anew. */
  async delete(documentName: string): Promise<void> {
    if (!(await this.#store.getMeta(documentName))) throw new AppError('not-found', `no document named "${documentName}"`);
    await this.#unloading.whileUnloaded([documentName], 'deleted', () => this.#store.deleteDocument(documentName));
    // What an earlier document of this name left (it was renamed or deleted before this one was made) is over.
    await this.#store.forwards.delete(documentName);
    this.#log.info({ doc: documentName }, 'document deleted for good');
  }
}
