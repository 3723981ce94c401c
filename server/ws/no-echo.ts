// Hocuspocus extension: a document update goes to every connection except the one it came from.
//
// Hocuspocus 4.7's Document listens to its own 'update' event (a bound `handleUpdate`) and, with
// `flushDelay: false`, broadcasts each update to all its connections, the sender's too. The sender
// already has the update: the echo cost the server an encode and a socket write per update, and the
// client a decode. There is no hook for the broadcast, so this swaps that one listener, once per loaded
// document, for one that does the same minus the echo. If a Hocuspocus upgrade renames the listener,
// nothing is swapped and updates are echoed as before (a warning says so).
import {
  OutgoingMessage,
  isTransactionOrigin,
  type Connection,
  type Document,
  type Extension,
  type afterLoadDocumentPayload,
} from '@hocuspocus/server';
import type { Logger } from '../log.ts';

type UpdateListener = (update: Uint8Array, origin: unknown) => void;

// The name V8 gives `this.handleUpdate.bind(this)`, as registered in Document's constructor.
const HOCUSPOCUS_LISTENER = 'bound handleUpdate';

export class NoEcho implements Extension {
  readonly extensionName = 'tandem-no-echo';
  #log: Logger;
  #warned = false;

  constructor(log: Logger) {
    this.#log = log;
  }

  async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
    // Batched broadcasts (a flushDelay) merge updates from many senders; only the direct path is replaced.
    if (document.flushDelay !== false) return;
    const listeners = [...(document._observers.get('update') ?? [])] as UpdateListener[];
    const index = listeners.findIndex((listener) => listener.name === HOCUSPOCUS_LISTENER);
    const original = listeners[index];
    if (!original) {
      if (!this.#warned) this.#log.warn({ doc: document.name }, "Hocuspocus' update listener not found; updates are echoed to their sender");
      this.#warned = true;
      return;
    }
    const replaced = [...listeners];
    replaced[index] = broadcastExceptSender(document, original);
    // Off and on again in the same order, so the replacement runs where the original did.
    for (const listener of listeners) document.off('update', listener);
    for (const listener of replaced) document.on('update', listener);
  }
}

function broadcastExceptSender(document: Document, original: UpdateListener): UpdateListener {
  // Updates held back for missing dependencies join the first transaction that supplies them, and that
  // transaction's update then carries other clients' edits the sender lacks: it is echoed in full.
  let heldBefore = false;
  document.on('beforeTransaction', () => {
    heldBefore = document.store.pendingStructs !== null || document.store.pendingDs !== null;
  });
  return (update, origin) => {
    const sender: Connection | null = isTransactionOrigin(origin) && origin.source === 'connection' ? origin.connection : null;
    if (!sender || heldBefore) return original(update, origin);
    // What Document.handleUpdate does with flushDelay false, with the sender left out of the broadcast.
    document.callbacks.onUpdate(document, origin, update);
    let address: string | undefined;
    let message: Uint8Array | undefined;
    for (const connection of document.getConnections()) {
      if (connection === sender) continue;
      // Connections that share an address get the same bytes, encoded once.
      if (message === undefined || connection.messageAddress !== address) {
        address = connection.messageAddress;
        message = new OutgoingMessage(address).createSyncMessage().writeUpdate(update).toUint8Array();
      }
      connection.send(message);
    }
  };
}
