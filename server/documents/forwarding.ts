// Refuses connections to a name whose document was renamed or deleted, saying where it went: an editor that
// was away (a stale tab, an offline copy) would otherwise bring an empty document of the old name into being
// and write its copy there.
import type { Extension, onConnectPayload } from '@hocuspocus/server';
import { AppError } from '../errors.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import type { DocumentForward, ForwardStore } from '../storage/forward-store.ts';
import type { Hub } from './hub.ts';

export class DocumentForwarding implements Extension {
  readonly extensionName = 'tandem-document-forwarding';
  // With the unloading check, before authentication and loading.
  readonly priority = 1999;

  #store: Pick<DocumentStore, 'getMeta'> & { forwards: Pick<ForwardStore, 'get'> };
  #hub: Pick<Hub, 'isResident'>;

  constructor(options: { store: Pick<DocumentStore, 'getMeta'> & { forwards: Pick<ForwardStore, 'get'> }; hub: Pick<Hub, 'isResident'> }) {
    this.#store = options.store;
    this.#hub = options.hub;
  }

  async onConnect({ documentName }: onConnectPayload): Promise<void> {
    // A loaded document is there to be served: only the first connections to a name cost a read.
    if (this.#hub.isResident(documentName)) return;
    const forward = await this.#store.forwards.get(documentName);
    // A document made again under the name (an import, say) outranks what became of the old one.
    if (forward && !(await this.#store.getMeta(documentName))) throw goneError(forward);
  }
}

/**
 * The refusal for a forwarded name. Its reason is what the editor reads (client/src/problems.ts) and must fit
 * a close frame, so it names only the new name: the old one is the one the editor asked for.
 */
export function goneError(forward: DocumentForward): AppError {
  return forward.kind === 'renamed'
    ? new AppError('document-gone', `this document was renamed to ${JSON.stringify(forward.to)}`)
    : new AppError('document-gone', 'this document was deleted');
}
