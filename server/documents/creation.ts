// Creating a document by name, empty (one paragraph) or as a copy of another's content: stored at once, so it is
// listed before anyone types in it, and refused when the name is taken, so "New document" never opens another
// one's text by surprise.
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import type { ForwardStore } from '../storage/forward-store.ts';
import { transformTo } from '../versions/restore.ts';
import { CONTENT_FIELD } from '../versions/prosemirror-json.ts';
import type { Hub } from './hub.ts';

const CREATION_CONTEXT = { source: 'tandem-create' };

type CreationStore = Pick<DocumentStore, 'getMeta'> & { forwards: Pick<ForwardStore, 'delete'> };

export class DocumentCreation {
  #hub: Pick<Hub, 'openDirectConnection'>;
  #store: CreationStore;

  constructor(options: { hub: Pick<Hub, 'openDirectConnection'>; store: CreationStore }) {
    this.#hub = options.hub;
    this.#store = options.store;
  }

  /**
   * Creates `name` holding `content` (every root type of it), or one empty paragraph; stored before this
   * resolves; 409 `already-exists` if the name has content.
   */
  async create(name: string, content?: Y.Doc): Promise<void> {
    const taken = () => new AppError('already-exists', `a document named "${name}" already exists; open it instead`);
    if (await this.#store.getMeta(name)) throw taken();
    const connection = await this.#hub.openDirectConnection(name, CREATION_CONTEXT);
    try {
      // Open in an editor but never stored yet, or stored meanwhile: someone else's document all the same.
      let created = false;
      await connection.transact((doc: Y.Doc) => {
        const fragment = doc.getXmlFragment(CONTENT_FIELD);
        if (fragment.length > 0) return;
        if (content) transformTo(doc, content);
        else fragment.insert(0, [new Y.XmlElement('paragraph')]);
        created = true;
      });
      if (!created) throw taken();
    } finally {
      // Unloading stores the document (and waits for it): it is listed once this resolves.
      await connection.disconnect();
    }
    // A document of that name was renamed or deleted before: this one is the name's now.
    await this.#store.forwards.delete(name);
  }
}
