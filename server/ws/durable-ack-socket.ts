// The socket Hocuspocus writes to: holds back "update saved" acknowledgements until the update is stored.
//
// Stock Hocuspocus sends SyncStatus right after applying an update, long before it is persisted. Acks
// here wait for the document's pending writes, so a provider's `unsyncedChanges` reaches 0 only for
// edits that are already in LevelDB; every other message passes straight through.
import type { WebSocket } from 'ws';
import { MESSAGE_SYNC_STATUS, peekMessageType, readFrameHeader } from './frames.ts';

/** Resolves when the document's applied updates are stored; null when nothing is pending. */
export type DurabilityGate = (documentName: string) => Promise<void> | null;

export class DurableAckSocket {
  #socket: WebSocket;
  #gate: DurabilityGate;
  #onAckFailed: (error: unknown) => void;

  constructor(socket: WebSocket, gate: DurabilityGate, onAckFailed: (error: unknown) => void) {
    this.#socket = socket;
    this.#gate = gate;
    this.#onAckFailed = onAckFailed;
  }

  get readyState(): number {
    return this.#socket.readyState;
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  send(data: Uint8Array): void {
    if (peekMessageType(data) === MESSAGE_SYNC_STATUS) {
      const header = readFrameHeader(data);
      const pending = header ? this.#gate(header.documentName) : null;
      if (pending) {
        // Promises settle in write order, so acks for one document keep their order.
        pending.then(() => this.#sendNow(data), this.#onAckFailed);
        return;
      }
    }
    this.#sendNow(data);
  }

  close(code?: number, reason?: string): void {
    this.#socket.close(code, reason);
  }

  #sendNow(data: Uint8Array): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(data);
  }
}
