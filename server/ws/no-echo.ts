// Hocuspocus extension: a document update or awareness change goes to every connection except the one it came from.
//
// Hocuspocus 4.7's Document listens to its own 'update' event (a bound `handleUpdate`) and to its awareness'
// (a bound `handleAwarenessUpdate`) and, with `flushDelay: false`, broadcasts each to all its connections,
// the sender's too. The sender already has what it sent: the echo cost the server an encode and a socket write
// per message, and the client a decode. There is no hook for the broadcast, so this swaps those listeners,
// once per loaded document, for ones that do the same minus the echo. If a Hocuspocus upgrade renames a
// listener, nothing is swapped and that message kind is echoed as before (a warning says so).
import {
  OutgoingMessage,
  isTransactionOrigin,
  type Connection,
  type Document,
  type Extension,
  type afterLoadDocumentPayload,
} from '@hocuspocus/server';
import type { Logger } from '../log.ts';
import { ChangeHooks } from './change-hooks.ts';

type UpdateListener = (update: Uint8Array, origin: unknown) => void;
type AwarenessListener = (change: AwarenessChange, origin: unknown) => void;
interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

// The names V8 gives `this.handleUpdate.bind(this)` and `this.handleAwarenessUpdate.bind(this)`, as registered
// in Document's constructor.
const HOCUSPOCUS_LISTENER = 'bound handleUpdate';
const HOCUSPOCUS_AWARENESS_LISTENER = 'bound handleAwarenessUpdate';

export class NoEcho implements Extension {
  readonly extensionName = 'tandem-no-echo';
  #log: Logger;
  #warned = false;
  #extensions: () => readonly Extension[];
  // Found with the first document (the extensions are all known by then); null when an extension needs
  // Hocuspocus' own update handling.
  #changeHooks: ChangeHooks | null | undefined;

  /** `extensions`: the extensions Hocuspocus runs, whose onChange hooks each client update calls. */
  constructor(log: Logger, extensions: () => readonly Extension[]) {
    this.#log = log;
    this.#extensions = extensions;
  }

  async afterLoadDocument({ document, instance }: afterLoadDocumentPayload): Promise<void> {
    // Batched broadcasts (a flushDelay) merge updates from many senders; only the direct path is replaced.
    if (document.flushDelay !== false) return;
    if (this.#changeHooks === undefined) this.#changeHooks = ChangeHooks.for(instance, this.#extensions(), this.#log);
    const changeHooks = this.#changeHooks;
    const updates = swapListener(document, HOCUSPOCUS_LISTENER, (original: UpdateListener) => broadcastExceptSender(document, original, changeHooks));
    const awareness = swapListener(document.awareness, HOCUSPOCUS_AWARENESS_LISTENER, () => awarenessExceptSender(document));
    if ((!updates || !awareness) && !this.#warned) {
      this.#log.warn({ doc: document.name, updates, awareness }, "Hocuspocus' broadcast listener not found; those messages are echoed to their sender");
      this.#warned = true;
    }
  }
}

/** Replaces the 'update' listener named `name` by `replace(original)`, in the same place; false if none is. */
function swapListener<Listener extends (...args: never[]) => void>(
  emitter: { _observers: Map<string, Set<unknown>>; on(name: 'update', listener: Listener): void; off(name: 'update', listener: Listener): void },
  name: string,
  replace: (original: Listener) => Listener,
): boolean {
  const listeners = [...(emitter._observers.get('update') ?? [])] as Listener[];
  const index = listeners.findIndex((listener) => listener.name === name);
  const original = listeners[index];
  if (!original) return false;
  const replaced = [...listeners];
  replaced[index] = replace(original);
  // Off and on again in the same order, so the replacement runs where the original did.
  for (const listener of listeners) emitter.off('update', listener);
  for (const listener of replaced) emitter.on('update', listener);
  return true;
}

function broadcastExceptSender(document: Document, original: UpdateListener, changeHooks: ChangeHooks | null): UpdateListener {
  // Updates held back for missing dependencies join the first transaction that supplies them, and that
  // transaction's update then carries other clients' edits the sender lacks: it is echoed in full.
  let heldBefore = false;
  document.on('beforeTransaction', () => {
    heldBefore = document.store.pendingStructs !== null || document.store.pendingDs !== null;
  });
  return (update, origin) => {
    const sender: Connection | null = isTransactionOrigin(origin) && origin.source === 'connection' ? origin.connection : null;
    if (!sender || heldBefore) return original(update, origin);
    // What Document.handleUpdate does with flushDelay false, with the sender left out of the broadcast (and,
    // where no extension stores through Hocuspocus' hooks, only the onChange hooks run: change-hooks.ts).
    if (changeHooks) changeHooks.run(document, sender, update, origin);
    else document.callbacks.onUpdate(document, origin, update);
    sendToOthers(document, sender, (address) => new OutgoingMessage(address).createSyncMessage().writeUpdate(update).toUint8Array());
  };
}

/** Sends every connection of the document but `skipped` the message `encode` makes for its address, encoded once per address. */
function sendToOthers(document: Document, skipped: Connection | null, encode: (address: string) => Uint8Array): void {
  let address: string | undefined;
  let message: Uint8Array | undefined;
  for (const connection of document.getConnections()) {
    if (connection === skipped) continue;
    if (message === undefined || connection.messageAddress !== address) {
      address = connection.messageAddress;
      message = encode(address);
    }
    connection.send(message);
  }
}

/**
 * What Document.handleAwarenessUpdate does, with the broadcast merged per event-loop turn and the sender left
 * out. The sending connection's clients are tracked at once (they are removed with it when it closes). The
 * changed clients of one turn go out together after the turn's I/O, their latest states encoded once per
 * address (Hocuspocus' own `flushDelay: 0` batching of awareness): under load a turn holds many cursors of a
 * document, and each connection then gets one message for all of them. When one connection sent all of a
 * turn's changes it gets none back; when several did, each gets the merged message, its own state included
 * (a provider ignores its own client's state at a clock it already has): one encoding for all beats one per
 * recipient.
 */
function awarenessExceptSender(document: Document): AwarenessListener {
  let changed: Set<number> | null = null;
  // The one connection this turn's changes came from; null when they came from several, or from the server.
  let onlySender: Connection | null = null;
  const flush = (): void => {
    const clients = [...(changed ?? [])].filter((clientId) => document.awareness.meta.has(clientId));
    const skipped = onlySender;
    changed = null;
    onlySender = null;
    if (clients.length === 0) return;
    sendToOthers(document, skipped, (address) => new OutgoingMessage(address).createAwarenessUpdateMessage(document.awareness, clients).toUint8Array());
  };
  return ({ added, updated, removed }, origin) => {
    const sender: Connection | null = isTransactionOrigin(origin) && origin.source === 'connection' ? origin.connection : null;
    if (sender) {
      const entry = document.connections.get(sender);
      if (entry) {
        for (const clientId of added) entry.clients.add(clientId);
        for (const clientId of removed) entry.clients.delete(clientId);
      }
    }
    if (changed === null) {
      changed = new Set();
      onlySender = sender;
      // After this turn's I/O callbacks: every awareness message the turn read joins this broadcast.
      setImmediate(flush);
    } else if (onlySender !== sender) {
      onlySender = null;
    }
    for (const clientId of added) changed.add(clientId);
    for (const clientId of updated) changed.add(clientId);
    for (const clientId of removed) changed.add(clientId);
  };
}
