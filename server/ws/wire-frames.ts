// Binary WebSocket frames written straight to a socket's TCP stream, each payload framed once for every recipient.
//
// `ws.send` frames a message for each socket it is sent to: it allocates a header, builds two option objects and
// writes header and payload as two chunks of a corked stream (one writev). A broadcast sends the same payload to
// every connection of a document, one after another, so here the frame (header + payload, one buffer) is built
// for the first recipient and reused for the rest, and each socket gets one plain write. Server frames are not
// masked (RFC 6455 5.1), so the bytes are the same for every recipient.
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
    socket.write(binaryFrame(payload));
    return;
  }
  ws.send(payload);
}
