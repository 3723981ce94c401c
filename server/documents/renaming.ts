// Renaming a stored document: its text, versions and share links move to the new name in one write; its
// editors are told where it went and reconnect there; the old name forwards to the new one (forwarding.ts).
import { DOCUMENT_MOVED, type DocumentMovedNotice } from '../../common/api-types.ts';
import { AppError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../storage/open-store.ts';
import type { DocumentUnloading } from './unloading.ts';

/**
 * Keeps a name from being loaded anywhere else until the returned release is called (a cluster claims its
 * lease); throws when it is in use elsewhere. A single node has nothing to do: unloading covers this process.
 */
export type ReserveName = (name: string) => Promise<() => void>;

export const reserveNothing: ReserveName = async () => () => {};

export interface RenamingOptions {
  store: Pick<Store, 'getMeta' | 'moveDocument'>;
  unloading: DocumentUnloading;
  reserve: ReserveName;
  events?: Pick<EventBus, 'emitEvent'>;
  log: Logger;
}

export class DocumentRenaming {
  #options: RenamingOptions;

  constructor(options: RenamingOptions) {
    this.#options = options;
  }

  /** Renames `from` to `to` (a valid name, checked by the caller); 404 without `from`, 409 when `to` is taken. */
  async rename(from: string, to: string, by: string): Promise<void> {
    const { store, unloading, reserve, events, log } = this.#options;
    if (from === to) throw new AppError('bad-request', `the document is already named "${to}"`);
    if (!(await store.getMeta(from))) throw new AppError('not-found', `no document named "${from}"`);
    if (await store.getMeta(to)) throw new AppError('already-exists', `a document named "${to}" already exists; pick another name`);
    const release = await reserve(to);
    try {
      const notice: DocumentMovedNotice = { type: DOCUMENT_MOVED, kind: 'renamed', to, by, restorableUntil: null };
      // `to` too: an editor may have it open, empty and never stored; it reloads with the moved text.
      await unloading.whileUnloaded([from, to], 'renamed', () => store.moveDocument(from, to, { name: from, kind: 'renamed', to, at: Date.now(), by }), {
        notice: { name: from, message: JSON.stringify(notice) },
      });
    } finally {
      release();
    }
    events?.emitEvent('document.renamed', from, { to, by });
    log.info({ doc: from, to, by }, 'document renamed');
  }
}
