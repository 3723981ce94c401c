// One client shape for every server: a Hocuspocus provider or a stock y-websocket provider, chosen by protocol.
// Load generators use this so the same scenario code drives Tandem and every reference server.
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { connectProvider } from './provider.ts';
import type { Protocol } from './servers.ts';

export interface SyncClient {
  doc: Y.Doc;
  awareness: Awareness;
  /** Resolves on the first sync with the server (its state applied to `doc`). */
  synced: Promise<void>;
  /** Rejects if the socket closes: a benchmark client must fail, not reconnect and resend unnoticed. */
  closed: Promise<never>;
  /**
   * Resolves once the server acknowledged every change sent so far; null where the protocol has no
   * acknowledgements (y-websocket): there, "stored" can only be observed through another client.
   */
  allAcknowledged: (() => Promise<void>) | null;
  destroy(): void;
}

export function connectClient(protocol: Protocol, url: string, documentName: string, doc = new Y.Doc()): SyncClient {
  if (protocol === 'hocuspocus') {
    const client = connectProvider(url, documentName, doc);
    return {
      doc,
      awareness: client.provider.awareness!,
      synced: client.synced,
      closed: client.closed,
      allAcknowledged: client.allAcknowledged,
      destroy: client.destroy,
    };
  }
  return connectYWebsocketClient(url, documentName, doc);
}

function connectYWebsocketClient(url: string, documentName: string, doc: Y.Doc): SyncClient {
  const provider = new WebsocketProvider(url, encodeURIComponent(documentName), doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    else provider.once('sync', (isSynced: boolean) => isSynced && resolve());
  });
  const closed = new Promise<never>((_resolve, reject) => {
    provider.on('connection-close', (event: CloseEvent | null) => {
      provider.shouldConnect = false;
      reject(new Error(`the server closed the socket: ${event?.code ?? '?'} ${event?.reason ?? ''}`));
    });
  });
  closed.catch(() => undefined);
  return {
    doc,
    awareness: provider.awareness,
    synced,
    closed,
    allAcknowledged: null,
    destroy() {
      provider.shouldConnect = false;
      provider.destroy();
      // The provider made this Awareness but leaves its timer running; it would keep the process alive.
      provider.awareness.destroy();
    },
  };
}
