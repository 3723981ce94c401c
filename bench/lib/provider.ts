// A real @hocuspocus/provider with its own socket, as an application would create one.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';

export interface BenchClient {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  /** Resolves on the first `synced` (the server's SyncStep2 has been applied to `doc`). */
  synced: Promise<void>;
  /** Rejects if the socket closes: a benchmark client must never reconnect and resend unnoticed. */
  closed: Promise<never>;
  /** Resolves once every change sent so far is acknowledged (`unsyncedChanges` back to 0). */
  allAcknowledged(): Promise<void>;
  destroy(): void;
}

export function connectProvider(url: string, documentName: string, doc = new Y.Doc()): BenchClient {
  // No reconnect storms: a benchmark client that loses its socket should fail, not retry quietly.
  const socket = new HocuspocusProviderWebsocket({ url, delay: 1000, maxAttempts: 1 });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: documentName, document: doc, token: 'bench' });
  const synced = new Promise<void>((resolve) => {
    if (provider.isSynced) resolve();
    else provider.on('synced', () => resolve());
  });
  const closed = new Promise<never>((_resolve, reject) => {
    provider.on('close', ({ event }: { event: { code: number; reason: string } }) =>
      reject(new Error(`the server closed the socket: ${event.code} ${event.reason}`)),
    );
  });
  closed.catch(() => undefined);
  // A provider given its own socket does not attach by itself.
  provider.attach();
  return {
    doc,
    provider,
    synced,
    closed,
    allAcknowledged: () =>
      new Promise<void>((resolve) => {
        if (provider.unsyncedChanges === 0) return resolve();
        const listener = ({ number }: { number: number }) => {
          if (number !== 0) return;
          provider.off('unsyncedChanges', listener);
          resolve();
        };
        provider.on('unsyncedChanges', listener);
      }),
    destroy() {
      provider.destroy();
      socket.destroy();
    },
  };
}

/** Writes one JSON line to stdout and resolves once it is flushed (before a process.exit). */
export function report(line: Record<string, unknown>): Promise<void> {
  return new Promise((resolve) => process.stdout.write(`${JSON.stringify(line)}\n`, () => resolve()));
}
