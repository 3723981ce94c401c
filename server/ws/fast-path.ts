// The hot path for document updates: applied and acknowledged in the turn they arrive, without Hocuspocus'
// per-message pipeline.
//
// Hocuspocus hands every message of a connection through an async queue: a chain of promises per message, the
// beforeHandleMessage, beforeSync and afterHandleMessage hooks of every extension, a decoder and an encoder, and
// a fresh "saved" acknowledgement encoded each time. For an update from an established, writable connection
// none of that decides anything when no extension implements those hooks: the update is applied to the
// document and acknowledged. This does exactly that, synchronously. The document's own listeners (broadcast,
// storage, onChange hooks) run as before, and the acknowledgement still waits for the store (durable-ack-socket.ts).
// Everything else, and every update that arrives while the connection is busy with an earlier message, takes
// Hocuspocus' path, so a connection's messages keep their order.
import { ResetConnection } from '@hocuspocus/common';
import { OutgoingMessage, type Connection, type Extension } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Logger } from '../log.ts';
import type { ClientFrame } from './client-frames.ts';
import { MessageType } from './message-types.ts';

/** Hocuspocus hooks run for each message; the fast path skips them, so it runs only when no extension has one. */
const PER_MESSAGE_HOOKS = ['beforeHandleMessage', 'afterHandleMessage', 'beforeSync'] as const;

const SYNC_UPDATE = 2;

/** An extension whose per-message hooks only time the apply: the fast path reports that time itself. */
export interface ApplyTimer {
  readonly timesApplyOnly: true;
}

/** The extensions whose per-message hooks the fast path cannot skip; empty when it may run. */
export function findFastPathBlockers(extensions: readonly Extension[]): string[] {
  return extensions
    .filter((extension) => !(extension as Partial<ApplyTimer>).timesApplyOnly)
    .filter((extension) => PER_MESSAGE_HOOKS.some((hook) => typeof (extension as Record<string, unknown>)[hook] === 'function'))
    .map((extension) => extension.extensionName ?? extension.constructor.name);
}

/** What of Hocuspocus' ClientConnection the fast path reads: its established document connections. */
interface ClientConnectionInternals {
  documentConnections?: Record<string, Connection>;
  lastMessageReceivedAt?: number;
  terminated?: boolean;
}

/** What of Hocuspocus' Connection the fast path reads: its queue of messages still being handled. */
interface ConnectionInternals {
  messageQueue?: unknown[];
}

export interface FastPathOptions {
  log: Logger;
  /** Seconds spent applying one update, as the metrics extension's hooks measure on the slow path. */
  onApplied?: (seconds: number) => void;
}

export class UpdateFastPath {
  #options: FastPathOptions;
  // One "saved" acknowledgement per address: the bytes never change, and sharing them lets the socket frame
  // them once (wire-frames.ts).
  #acks = new Map<string, Uint8Array>();

  constructor(options: FastPathOptions) {
    this.#options = options;
  }

  /** Applies and acknowledges `frame` if it is an update the fast path may take; false leaves it to Hocuspocus. */
  handle(client: object, frame: ClientFrame): boolean {
    if (frame.type !== MessageType.Sync || frame.sync?.step !== SYNC_UPDATE) return false;
    const internals = client as ClientConnectionInternals;
    if (internals.terminated !== false) return false;
    const connection = internals.documentConnections?.[frame.address];
    if (!connection || connection.readOnly) return false;
    const queue = (connection as unknown as ConnectionInternals).messageQueue;
    if (!queue || queue.length > 0) return false;
    // Hocuspocus closes a connection silent for its timeout; this message counts as traffic, as it would there.
    internals.lastMessageReceivedAt = Date.now();
    const started = performance.now();
    try {
      Y.applyUpdate(connection.document, frame.sync.payload, { source: 'connection', connection });
    } catch (error) {
      // What Hocuspocus does with a message that throws: the document's connection is reset.
      this.#options.log.warn({ err: error, doc: connection.document.name }, 'closing a connection whose update could not be applied');
      connection.close({ code: ResetConnection.code, reason: ResetConnection.reason });
      return true;
    }
    this.#options.onApplied?.((performance.now() - started) / 1000);
    connection.send(this.#ack(connection.messageAddress));
    return true;
  }

  #ack(address: string): Uint8Array {
    let ack = this.#acks.get(address);
    if (!ack) {
      ack = new OutgoingMessage(address).writeSyncStatus(true).toUint8Array();
      // Bounded by the documents in use; a map that grew past them starts over.
      if (this.#acks.size >= 10_000) this.#acks.clear();
      this.#acks.set(address, ack);
    }
    return ack;
  }
}
