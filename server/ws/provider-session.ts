// What the endpoint tracks of one Hocuspocus socket between the frames it reads and the frames it sends.
//
// - Room before authentication: Hocuspocus queues a document's frames until its connection is set up (auth
//   and load) and closes the socket past 1,000 frames. A provider that reconnects mid-burst sends that many
//   while it re-authenticates; instead of letting it be closed (and reconnect, and be closed again), reading
//   pauses until the document's connection is set up, which the first non-auth frame sent to it shows.
// - The ack ledger (ack-ledger.ts): which "saved" acknowledgements the provider counts.
// - A resync: when the ledger withheld an ack it could not place, the socket is closed once idle so the
//   provider reconnects and its fresh handshake settles the count.
import { AckLedger } from './ack-ledger.ts';
import type { ClientFrame } from './client-frames.ts';
import { authMessageType, readFrameHeader } from './frames.ts';
import { AuthMessageType, MessageType } from './message-types.ts';

/** Frames handed to Hocuspocus for documents still authenticating, at most (Hocuspocus closes at 1,000). */
export const PRE_AUTH_FRAMES = 500;

export interface ProviderSessionOptions {
  /** Keep the ack ledger (Hocuspocus providers); y-websocket clients get no acks. */
  trackAcks: boolean;
  /** Hocuspocus' `maxUnauthenticatedQueueSize`: reading pauses at half of it. */
  preAuthBytes: number;
  /** Room was made: the inbox may go on. */
  release: () => void;
  /** The ledger owes the provider a fresh handshake and the socket has been idle for `resyncIdleMs`. */
  onResyncDue: () => void;
  resyncIdleMs: number;
}

export class ProviderSession {
  readonly ledger = new AckLedger();
  #options: ProviderSessionOptions;
  #establishedAddresses = new Set<string>();
  #waiting = new Map<string, { frames: number; bytes: number }>();
  #waitingFrames = 0;
  #waitingBytes = 0;
  #resyncTimer: NodeJS.Timeout | null = null;
  #lastInboundAt = 0;

  constructor(options: ProviderSessionOptions) {
    this.#options = options;
  }

  /** Whether the next frame may be handed to Hocuspocus now. */
  hasRoom = (): boolean => this.#waitingFrames < PRE_AUTH_FRAMES && this.#waitingBytes < this.#options.preAuthBytes / 2;

  /** A checked frame on its way to Hocuspocus. */
  inbound(frame: ClientFrame, bytes: number): void {
    if (frame.documentName === null) return;
    this.#lastInboundAt = performance.now();
    if (!this.#establishedAddresses.has(frame.address)) {
      const waiting = this.#waiting.get(frame.address) ?? { frames: 0, bytes: 0 };
      waiting.frames += 1;
      waiting.bytes += bytes;
      this.#waiting.set(frame.address, waiting);
      this.#waitingFrames += 1;
      this.#waitingBytes += bytes;
    }
    if (frame.sync && this.#options.trackAcks) this.ledger.inbound({ address: frame.address, step: frame.sync.step, payload: frame.sync.payload });
  }

  /** Whether an acknowledgement for `address` may be sent at all; see AckLedger. */
  mayAcknowledge = (address: string): boolean => {
    // An ack, like any other frame, goes out only once the document's connection is set up.
    if (this.#waitingFrames > 0) this.#established(address);
    const allowed = this.ledger.mayAcknowledge(address);
    this.#watchResync();
    return allowed;
  };

  /** Told of every other frame the server sends (cheap unless something waits to be set up). */
  sent = (type: number, frame: Uint8Array): void => {
    if (type === MessageType.Auth) {
      const header = readFrameHeader(frame);
      if (header && authMessageType(frame) === AuthMessageType.PermissionDenied) this.#forget(header.address);
    } else if (type === MessageType.CLOSE) {
      const header = readFrameHeader(frame);
      if (header) this.#forget(header.address);
    } else if (this.#waitingFrames > 0) {
      // Anything but an auth reply goes out only once the document's connection is set up and its queue drained.
      const header = readFrameHeader(frame);
      if (header) this.#established(header.address);
    }
  };

  #established(address: string): void {
    if (this.#establishedAddresses.has(address)) return;
    this.#establishedAddresses.add(address);
    this.#stopWaiting(address);
  }

  close(): void {
    if (this.#resyncTimer) clearTimeout(this.#resyncTimer);
    this.#resyncTimer = null;
  }

  #forget(address: string): void {
    this.#establishedAddresses.delete(address);
    this.ledger.forget(address);
    this.#stopWaiting(address);
  }

  #stopWaiting(address: string): void {
    const waiting = this.#waiting.get(address);
    if (!waiting) return;
    this.#waiting.delete(address);
    this.#waitingFrames -= waiting.frames;
    this.#waitingBytes -= waiting.bytes;
    this.#options.release();
  }

  #watchResync(): void {
    if (this.#resyncTimer || !this.ledger.owesResync) return;
    const check = (): void => {
      this.#resyncTimer = null;
      if (!this.ledger.owesResync) return;
      const idleMs = performance.now() - this.#lastInboundAt;
      if (idleMs >= this.#options.resyncIdleMs) this.#options.onResyncDue();
      else this.#resyncTimer = setTimeout(check, this.#options.resyncIdleMs - idleMs).unref();
    };
    this.#resyncTimer = setTimeout(check, this.#options.resyncIdleMs).unref();
  }
}
