// The hot path for document updates and awareness: handled in the turn they arrive, without Hocuspocus'
// per-message pipeline.
//
// Hocuspocus hands every message of a connection through an async queue: a chain of promises per message, the
// beforeHandleMessage, beforeSync and afterHandleMessage hooks of every extension, a decoder and an encoder, and
// a fresh "saved" acknowledgement encoded each time; for awareness also a throwaway Y.Doc and Awareness (a
// random guid and an interval timer each) to run the beforeHandleAwareness hooks on. For an update or an
// awareness message from an established connection none of that decides anything when no extension implements
// those hooks (or, for awareness, implements them as a synchronous guard): the update is applied and
// acknowledged, the awareness guarded and applied. The document's own listeners (broadcast, storage, onChange
// and onAwarenessUpdate hooks) run as before, and the acknowledgement still waits for the store
// (durable-ack-socket.ts). Everything else, and every message that arrives while the connection is busy with an
// earlier one, takes Hocuspocus' path, so a connection's messages keep their order.
import { ResetConnection } from '@hocuspocus/common';
import { OutgoingMessage, type Connection, type Extension, type beforeHandleAwarenessPayload } from '@hocuspocus/server';
import * as encoding from 'lib0/encoding';
import { applyAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Logger } from '../log.ts';
import type { AwarenessEntry, ClientFrame } from './client-frames.ts';
import { MessageType } from './message-types.ts';

/** Hocuspocus hooks run for each message; the fast path skips them, so it runs only when no extension has one. */
const PER_MESSAGE_HOOKS = ['beforeHandleMessage', 'afterHandleMessage', 'beforeSync'] as const;

const SYNC_UPDATE = 2;

/** An extension whose per-message hooks only time the apply: the fast path reports that time itself. */
export interface ApplyTimer {
  readonly timesApplyOnly: true;
}

export type AwarenessGuardPayload<Context> = Pick<
  beforeHandleAwarenessPayload<Context>,
  'states' | 'connection' | 'document' | 'documentName' | 'context'
>;

/** An extension whose beforeHandleAwareness hook is this synchronous guard: the fast path calls it directly. */
export interface AwarenessGuard<Context = unknown> {
  guardAwareness(payload: AwarenessGuardPayload<Context>): void;
}

/** The extensions whose per-message hooks the fast path cannot skip; empty when it may run. */
export function findFastPathBlockers(extensions: readonly Extension[]): string[] {
  const hooks = (extension: Extension) => extension as unknown as Record<string, unknown>;
  return extensions
    .filter(
      (extension) =>
        (!(extension as Partial<ApplyTimer>).timesApplyOnly && PER_MESSAGE_HOOKS.some((hook) => typeof hooks(extension)[hook] === 'function')) ||
        (typeof hooks(extension).beforeHandleAwareness === 'function' && typeof hooks(extension).guardAwareness !== 'function'),
    )
    .map((extension) => extension.extensionName ?? extension.constructor.name);
}

/** The synchronous awareness guards among `extensions`, in their order. */
export function awarenessGuards(extensions: readonly Extension[]): AwarenessGuard[] {
  return extensions.filter((extension): extension is Extension & AwarenessGuard => typeof (extension as Partial<AwarenessGuard>).guardAwareness === 'function');
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
  /** Run on each awareness message's states before it is applied, as its beforeHandleAwareness hooks would. */
  guards: readonly AwarenessGuard[];
  /** Seconds spent handling one message, as the metrics extension's hooks measure on Hocuspocus' path. */
  onApplied?: (seconds: number) => void;
}

export class MessageFastPath {
  #options: FastPathOptions;
  // One "saved" acknowledgement per address: the bytes never change, and sharing them lets the socket frame
  // them once (wire-frames.ts).
  #acks = new Map<string, Uint8Array>();

  constructor(options: FastPathOptions) {
    this.#options = options;
  }

  /** Handles `frame` if it is an update or awareness message the fast path may take; false leaves it to Hocuspocus. */
  handle(client: object, frame: ClientFrame): boolean {
    const update = frame.type === MessageType.Sync && frame.sync?.step === SYNC_UPDATE ? frame.sync.payload : null;
    const awareness = frame.type === MessageType.Awareness ? frame.awareness : null;
    if (!update && !awareness) return false;
    const internals = client as ClientConnectionInternals;
    if (internals.terminated !== false) return false;
    const connection = internals.documentConnections?.[frame.address];
    if (!connection) return false;
    const queue = (connection as unknown as ConnectionInternals).messageQueue;
    if (!queue || queue.length > 0) return false;
    // A read-only connection's update is Hocuspocus' to answer: "applied" only if the document already holds it.
    if (update && connection.readOnly) return false;
    // Hocuspocus closes a connection silent for its timeout; this message counts as traffic, as it would there.
    internals.lastMessageReceivedAt = Date.now();
    const started = performance.now();
    try {
      if (update) this.#applyUpdate(connection, update);
      else this.#applyAwareness(connection, awareness!);
    } catch (error) {
      // What Hocuspocus does with a message that throws: the document's connection is reset.
      this.#options.log.warn({ err: error, doc: connection.document.name }, 'closing a connection whose message could not be applied');
      connection.close({ code: ResetConnection.code, reason: ResetConnection.reason });
      return true;
    }
    this.#options.onApplied?.((performance.now() - started) / 1000);
    return true;
  }

  #applyUpdate(connection: Connection, update: Uint8Array): void {
    Y.applyUpdate(connection.document, update, { source: 'connection', connection });
    connection.send(this.#ack(connection.messageAddress));
  }

  /**
   * What Hocuspocus does with an awareness message, without its scratch document: the entries' states (a
   * client's removal is dropped there too, it comes with the connection's close) go through the guards, and
   * what they leave is applied to the document's awareness, whose listeners broadcast it.
   */
  #applyAwareness(connection: Connection, entries: readonly AwarenessEntry[]): void {
    const states = new Map<number, Record<string, unknown>>();
    const clocks = new Map<number, number>();
    for (const { clientId, clock, state } of entries) {
      clocks.set(clientId, clock);
      if (state === null) states.delete(clientId);
      else states.set(clientId, state as Record<string, unknown>);
    }
    const { document } = connection;
    for (const guard of this.#options.guards) {
      guard.guardAwareness({ states, connection, document, documentName: document.name, context: connection.context as unknown });
    }
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, states.size);
    for (const [clientId, state] of states) {
      encoding.writeVarUint(encoder, clientId);
      encoding.writeVarUint(encoder, clocks.get(clientId) ?? 0);
      encoding.writeVarString(encoder, JSON.stringify(state));
    }
    applyAwarenessUpdate(document.awareness, encoding.toUint8Array(encoder), { source: 'connection', connection });
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
