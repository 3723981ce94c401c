// One open document: its Y.Doc, the browser-local copy (IndexedDB) and the link to the server.

import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { EDITOR_SCHEMA_VERSION } from '../../common/editor-extensions.ts';

export interface DocumentConnection {
  name: string;
  ydoc: Y.Doc;
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
  localCopy: IndexeddbPersistence;
  /** Resolves once the browser-local copy has been read into the Y.Doc. */
  localCopyLoaded: Promise<void>;
  /** Stops syncing and reconnecting; keeps the local copy for next time. */
  close(): void;
}

/** The collaboration endpoint on the page's own origin (`/collab`, proxied by Vite in development). */
export function collabSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab`;
}

export function openDocumentConnection(name: string, token: string | null): DocumentConnection {
  const ydoc = new Y.Doc();
  // Attached before the provider, so a reload while the server is down still shows the last text.
  const localCopy = new IndexeddbPersistence(`tandem:${name}`, ydoc);
  const localCopyLoaded = localCopy.whenSynced.then(() => undefined);
  const socket = new HocuspocusProviderWebsocket({
    // The server refuses an editor built for an older document schema than its own (it would delete what it
    // cannot show): the URL says which this page was built for.
    url: `${collabSocketUrl(window.location)}?editorSchema=${EDITOR_SCHEMA_VERSION}`,
    // A lower retry cap than the default 30 s, so a restarted server is noticed soon.
    delay: 1000,
    minDelay: 500,
    maxDelay: 10_000,
  });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name, document: ydoc, token });
  // A provider given its own socket does not attach itself.
  provider.attach();
  // The browser knows before the retry timer does that the network is back.
  const onOnline = (): void => {
    void socket.connect();
  };
  window.addEventListener('online', onOnline);

  return {
    name,
    ydoc,
    provider,
    socket,
    localCopy,
    localCopyLoaded,
    close() {
      window.removeEventListener('online', onOnline);
      provider.destroy();
      socket.destroy();
      void localCopy.destroy();
      ydoc.destroy();
    },
  };
}
