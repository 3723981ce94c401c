// The socket Hocuspocus writes to: holds back "update saved" acknowledgements until the update is stored.
//
// Stock Hocuspocus sends SyncStatus right after applying an update, long before it is persisted. Acks
// here wait for the document's pending writes, so a provider's `unsyncedChanges` reaches 0 only for
// edits that are already in LevelDB; every other message passes straight through.
import type { WebSocket } from 'ws';
import { PerBatch, type DurabilityGate } from '../documents/durability.ts';
import { AppError } from '../errors.ts';
import { ackApplied, peekMessageType, readFrameHeader } from './frames.ts';
import { MessageType } from './message-types.ts';
import { closeReason } from './socket-data.ts';
import { flushBurst, sendBinary } from './wire-frames.ts';

export type { DurabilityGate };

/** Decides which acks a client is sent at all, and sees every other frame (provider-session.ts). */
export interface AckFilter {
  /** Whether the client counts an ack for `address` now; false drops it. */
  mayAcknowledge(address: string): boolean;
  /** Told of every frame that is not an ack, with its message type. */
  sent(type: number, frame: Uint8Array): void;
}

/** Backpressure and accounting for what the server sends. */
export interface SendPolicy {
  /** A client with more unsent bytes than this is closed (4408) instead of buffered for. */
  maxBufferedBytes: number;
  /** Told of every message handed to the socket. */
  onSent?: (bytes: number) => void;
  /** Maps the close code used on this socket's protocol (y-websocket reserves 4400–4499 for permanent errors). */
  closeCode?: (code: number) => number;
  /** Told when the socket is closed for not reading. */
  onTooSlow?: (bufferedBytes: number) => void;
}

// A reader that stopped reading never takes the close frame either; its socket is destroyed after this.
const TOO_SLOW_TERMINATE_MS = 1_000;

export class DurableAckSocket {
  #socket: WebSocket;
  #gate: DurabilityGate;
  #onAckFailed: (error: unknown) => void;
  #policy: SendPolicy | undefined;
  #filter: AckFilter | undefined;
  /**
   * Acks waiting for their batch: the gate hands out one promise per group-commit batch, so acks arriving
   * during one batch share a single reaction; batches settle in write order, so acks keep their order.
   */
  #held: PerBatch<Uint8Array>;

  constructor(socket: WebSocket, gate: DurabilityGate, onAckFailed: (error: unknown) => void, policy?: SendPolicy, filter?: AckFilter) {
    this.#socket = socket;
    this.#gate = gate;
    this.#onAckFailed = onAckFailed;
    this.#policy = policy;
    this.#filter = filter;
    this.#held = new PerBatch<Uint8Array>(
      (acks) => {
        for (const ack of acks) this.#sendNow(ack);
      },
      (error) => this.#onAckFailed(error),
    );
  }

  get readyState(): number {
    return this.#socket.readyState;
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  send(data: Uint8Array): void {
    const type = peekMessageType(data);
    if (type === MessageType.SyncStatus) {
      const header = readFrameHeader(data);
      // Every ack is shown to the filter, in order; a "not applied" one counts nothing down, so it always goes.
      if (header && this.#filter && !this.#filter.mayAcknowledge(header.address) && ackApplied(data)) return;
      const pending = header ? this.#gate(header.documentName) : null;
      if (pending) {
        this.#held.add(pending, data);
        return;
      }
    } else {
      this.#filter?.sent(type, data);
    }
    this.#sendNow(data);
  }

  close(code?: number, reason?: string): void {
    this.#socket.close(code, reason);
  }

  #sendNow(data: Uint8Array): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    const policy = this.#policy;
    // The backlog is checked, not backlog + message: a document larger than the cap still gets its
    // initial sync, and the buffer stays below cap + one message.
    // Frames corked for this burst (wire-frames.ts) count only if they cannot leave once flushed.
    if (policy && this.#socket.bufferedAmount > policy.maxBufferedBytes && !(flushBurst(this.#socket) && this.#socket.bufferedAmount <= policy.maxBufferedBytes)) {
      this.#closeTooSlow(policy);
      return;
    }
    sendBinary(this.#socket, data);
    policy?.onSent?.(data.length);
  }

  // Only this socket is closed: the others never wait for it, so they are not slowed down.
  #closeTooSlow(policy: SendPolicy): void {
    const buffered = this.#socket.bufferedAmount;
    const error = new AppError('client-too-slow', 'client too slow', { bare: true });
    this.#socket.close(policy.closeCode?.(error.closeCode) ?? error.closeCode, closeReason(error.reason));
    setTimeout(() => this.#socket.terminate(), TOO_SLOW_TERMINATE_MS).unref();
    policy.onTooSlow?.(buffered);
  }
}
