// Binary WebSocket frames written straight to a socket's TCP stream: each payload framed once for every
// recipient, and a socket's frames of one burst coalesced into one write.
//
// `ws.send` frames a message for each socket it is sent to: it allocates a header, builds two option objects and
// writes header and payload as two chunks of a corked stream (one writev). A broadcast sends the same payload to
// every connection of a document, one after another, so here the frame (header + payload, one buffer) is built
// for the first recipient and reused for the rest, and each socket gets one plain write. Server frames are not
// masked (RFC 6455 5.1), so the bytes are the same for every recipient.
//
// A socket sent a second frame in the same burst (the current JavaScript job: one socket read and the updates
// it carried, or one store batch's acks) is corked until the job ends, so the burst leaves in one writev
// instead of one syscall per frame. A socket's first frame of a burst is written at once, so a reader sent one
// message per edit pays nothing for this; the cork is bounded by the job (a microtask uncorks it) and by
// MAX_CORKED_BYTES, so a busy reader's data is never held past the work that produced it.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

// Larger payloads (a document's initial sync) go through ws.send: copying them into a frame would cost more
// than the framing saves. Up to here the length fits the 16-bit form of the header.
const MAX_FRAMED_BYTES = 65_535;

// FIN + opcode 2 (binary).
const FIN_BINARY = 0x82;

// The one-entry cache: a broadcast hands the same Uint8Array to every recipient in a row. Holding the payload
// keeps it from being collected, so identity cannot be confused with a new array at the same address.
let lastPayload: Uint8Array | null = null;
let lastFrame: Buffer | null = null;

/** The whole frame of a binary message of at most 65,535 bytes, built once per payload object. */
export function binaryFrame(payload: Uint8Array): Buffer {
  if (payload === lastPayload && lastFrame) return lastFrame;
  const length = payload.length;
  const headerBytes = length < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = FIN_BINARY;
  if (length < 126) {
    frame[1] = length;
  } else {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  }
  frame.set(payload, headerBytes);
  lastPayload = payload;
  lastFrame = frame;
  return frame;
}

/** What this module needs of ws' internals; a ws upgrade that changes them makes every send take ws.send. */
interface WsInternals {
  _socket?: Socket;
  _sender?: { _state?: number; _queue?: unknown[] };
}

/** Sends one binary message on an open ws socket: framed once per payload and written directly when ws has nothing queued. */
export function sendBinary(ws: WebSocket, payload: Uint8Array): void {
  const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
  // ws queues frames only while it compresses or reads a Blob (neither is used here); if it ever does, its own
  // send keeps them in order.
  if (payload.length <= MAX_FRAMED_BYTES && sender?._state === 0 && sender._queue?.length === 0 && socket) {
    writeCoalesced(socket as BurstSocket, binaryFrame(payload));
    return;
  }
  ws.send(payload);
}

// Past this many unsent bytes a corked socket is flushed at once (and stays corked for the rest of the burst).
const MAX_CORKED_BYTES = 64 * 1024;

const WRITTEN = 1;
const CORKED = 2;
const burst = Symbol('tandem.burst');

type BurstSocket = Socket & { [burst]?: number };

// The sockets written to in the current job; a microtask ends their burst.
let touched: BurstSocket[] = [];

function endBurst(): void {
  const sockets = touched;
  touched = [];
  for (const socket of sockets) {
    if (socket[burst] === CORKED) socket.uncork();
    socket[burst] = 0;
  }
}

/**
 * Hands what this burst holds corked on `ws` to the kernel now (the socket stays corked for the rest of the
 * burst); false when nothing is held. Backpressure checks call it before judging a client slow: held bytes
 * are not bytes the client failed to read.
 */
export function flushBurst(ws: WebSocket): boolean {
  const socket = (ws as unknown as WsInternals)._socket as BurstSocket | undefined;
  if (socket?.[burst] !== CORKED) return false;
  socket.uncork();
  socket.cork();
  return true;
}

function writeCoalesced(socket: BurstSocket, frame: Buffer): void {
  const state = socket[burst];
  if (!state) {
    socket[burst] = WRITTEN;
    if (touched.push(socket) === 1) queueMicrotask(endBurst);
  } else if (state === WRITTEN) {
    socket.cork();
    socket[burst] = CORKED;
  }
  socket.write(frame);
  if (state && socket.writableLength >= MAX_CORKED_BYTES) {
    socket.uncork();
    socket.cork();
  }
}
