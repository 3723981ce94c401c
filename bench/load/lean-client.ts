// A wire-level client for thousands-of-clients load: the Hocuspocus or y-websocket protocol spoken directly
// over `ws`, a real Y.Doc for document updates, awareness decoded without y-protocols' Awareness.
// A provider costs tens of microseconds per awareness message in events and state arrays; at 45,000
// deliveries a second the generators, not the server, would be measured.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as sync from 'y-protocols/sync';
import type { Protocol } from '../lib/servers.ts';

const MESSAGE = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3, syncReply: 4 } as const;
const AUTHENTICATED = 2;

/** Called with every remote awareness entry: its client id, clock and parsed state (null when removed). */
export type AwarenessListener = (clientId: number, state: Record<string, unknown> | null) => void;

export class LeanClient {
  readonly documentName: string;
  readonly doc = new Y.Doc();
  readonly synced: Promise<void>;
  readonly closed: Promise<never>;
  #socket: WebSocket;
  #protocol: Protocol;
  #awarenessClock = 0;
  #awarenessState: Record<string, unknown> = {};
  #awarenessListeners: AwarenessListener[] = [];
  #markSynced!: () => void;

  constructor(protocol: Protocol, url: string, documentName: string) {
    this.documentName = documentName;
    this.#protocol = protocol;
    const address = protocol === 'y-websocket' ? `${url.replace(/\/$/, '')}/${encodeURIComponent(documentName)}` : url;
    this.#socket = new WebSocket(address);
    this.#socket.binaryType = 'nodebuffer';
    this.synced = new Promise<void>((resolve) => (this.#markSynced = resolve));
    this.closed = new Promise<never>((_resolve, reject) => {
      this.#socket.on('close', (code, reason) => reject(new Error(`the server closed the socket: ${code} ${reason.toString()}`)));
      this.#socket.on('error', (error) => reject(error));
    });
    this.closed.catch(() => undefined);
    this.#socket.on('open', () => this.#start());
    this.#socket.on('message', (data: Buffer) => this.#receive(data));
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this) return;
      this.#send(MESSAGE.sync, (encoder) => sync.writeUpdate(encoder, update));
    });
  }

  onAwareness(listener: AwarenessListener): void {
    this.#awarenessListeners.push(listener);
  }

  /** Sets this client's awareness state and sends it (a new clock, like y-protocols' setLocalState). */
  setAwareness(state: Record<string, unknown>): void {
    this.#awarenessState = state;
    this.#awarenessClock += 1;
    this.#sendAwareness();
  }

  destroy(): void {
    this.#socket.terminate();
  }

  #start(): void {
    // What a provider sends on open: its token (Hocuspocus), SyncStep1, and its awareness state.
    if (this.#protocol === 'hocuspocus') {
      this.#send(MESSAGE.auth, (encoder) => {
        encoding.writeVarUint(encoder, 0);
        encoding.writeVarString(encoder, 'bench');
      });
    }
    this.#send(MESSAGE.sync, (encoder) => sync.writeSyncStep1(encoder, this.doc));
    // Clock 1: y-protocols ignores a first state with clock 0 from a client it does not know yet.
    this.#awarenessClock += 1;
    this.#sendAwareness();
  }

  #sendAwareness(): void {
    this.#send(MESSAGE.awareness, (encoder) => {
      const inner = encoding.createEncoder();
      encoding.writeVarUint(inner, 1);
      encoding.writeVarUint(inner, this.doc.clientID);
      encoding.writeVarUint(inner, this.#awarenessClock);
      encoding.writeVarString(inner, JSON.stringify(this.#awarenessState));
      encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner));
    });
  }

  #send(type: number, write: (encoder: encoding.Encoder) => void): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    const encoder = encoding.createEncoder();
    if (this.#protocol === 'hocuspocus') encoding.writeVarString(encoder, this.documentName);
    encoding.writeVarUint(encoder, type);
    write(encoder);
    this.#socket.send(encoding.toUint8Array(encoder));
  }

  #receive(data: Buffer): void {
    const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (this.#protocol === 'hocuspocus') decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE.sync || type === MESSAGE.syncReply) {
      const reply = encoding.createEncoder();
      const syncType = sync.readSyncMessage(decoder, reply, this.doc, this);
      if (encoding.length(reply) > 0) this.#send(MESSAGE.sync, (encoder) => encoding.writeUint8Array(encoder, encoding.toUint8Array(reply)));
      if (syncType === sync.messageYjsSyncStep2) this.#markSynced();
    } else if (type === MESSAGE.awareness) {
      const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
      const count = decoding.readVarUint(update);
      for (let i = 0; i < count; i += 1) {
        const clientId = decoding.readVarUint(update);
        decoding.readVarUint(update);
        const state = JSON.parse(decoding.readVarString(update)) as Record<string, unknown> | null;
        if (clientId === this.doc.clientID) continue;
        for (const listener of this.#awarenessListeners) listener(clientId, state);
      }
    } else if (type === MESSAGE.queryAwareness) {
      this.#sendAwareness();
    } else if (type === MESSAGE.auth && decoding.readVarUint(decoder) !== AUTHENTICATED) {
      this.#socket.close(4403, 'permission denied');
    }
    // Other types (SyncStatus acks, stateless messages) need no answer from a load client.
  }
}
