// Real @hocuspocus/provider clients for tests, and waiting on conditions instead of sleeping.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';

export interface TestClient {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
  destroy(): void;
}

/** A provider with its own socket; resolves once the first sync with the server is done. */
export async function connectClient(
  wsUrl: string,
  documentName: string,
  options: { doc?: Y.Doc; token?: string; waitForSync?: boolean } = {},
): Promise<TestClient> {
  const doc = options.doc ?? new Y.Doc();
  // Fast reconnects keep restart tests short.
  const socket = new HocuspocusProviderWebsocket({ url: wsUrl, delay: 50, minDelay: 50, maxDelay: 500, factor: 1.5 });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: documentName, document: doc, token: options.token ?? 'dev' });
  // A provider given its own socket does not attach by itself.
  provider.attach();
  const client: TestClient = {
    doc,
    provider,
    socket,
    destroy() {
      provider.destroy();
      socket.destroy();
    },
  };
  if (options.waitForSync !== false) await waitFor(() => provider.isSynced, 10_000, `initial sync of "${documentName}"`);
  return client;
}

/** Polls `condition` every few milliseconds; rejects with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves when the server acknowledged every change the provider sent (the durable ack). */
export function waitForAllSaved(client: TestClient, timeoutMs = 10_000): Promise<void> {
  return waitFor(() => client.provider.isSynced && client.provider.unsyncedChanges === 0, timeoutMs, 'all changes saved');
}
