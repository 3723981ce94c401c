// Stock y-websocket (v3) WebsocketProvider clients for tests.
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { waitFor } from './providers.ts';

export interface YWebsocketClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  destroy(): void;
}

/** Connects to `ws://host:port/y/<name>`; resolves once synced with the server. */
export async function connectYWebsocket(
  httpUrl: string,
  documentName: string,
  options: { token?: string; waitForSync?: boolean; doc?: Y.Doc } = {},
): Promise<YWebsocketClient> {
  const doc = options.doc ?? new Y.Doc();
  const serverUrl = `${httpUrl.replace(/^http/, 'ws')}/y`;
  const provider = new WebsocketProvider(serverUrl, encodeURIComponent(documentName), doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: options.token ? { token: options.token } : {},
    maxBackoffTime: 500,
  });
  if (options.waitForSync !== false) await waitFor(() => provider.synced, 10_000, `y-websocket sync of "${documentName}"`);
  return {
    doc,
    provider,
    destroy() {
      provider.destroy();
      // The provider made this Awareness but leaves its timer running; it would keep the process alive.
      provider.awareness.destroy();
    },
  };
}
