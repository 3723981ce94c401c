// Pure codec for the few Hocuspocus frame fields the transport layer needs to see.
import * as decoding from 'lib0/decoding';

export interface FrameHeader {
  /** `documentName`, or `documentName\0sessionId` for session-aware providers. */
  address: string;
  documentName: string;
  type: number;
}

/** Whether a SyncStatus frame says "applied" (varint 1, the last byte), which a provider counts down. */
export function ackApplied(frame: Uint8Array): boolean {
  return frame[frame.length - 1] === 1;
}

/** Reads the address and message type that prefix every Hocuspocus frame; null if malformed. */
export function readFrameHeader(frame: Uint8Array): FrameHeader | null {
  try {
    const decoder = decoding.createDecoder(frame);
    const address = decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    const separator = address.indexOf('\0');
    return { address, documentName: separator === -1 ? address : address.slice(0, separator), type };
  } catch {
    // lib0 throws on truncated input: a malformed frame simply has no header.
    return null;
  }
}

/** The message type of a frame without decoding its address string (the hot path). */
export function peekMessageType(frame: Uint8Array): number {
  let offset = 0;
  let length = 0;
  let shift = 0;
  // varuint: 7 bits per byte, high bit set on all but the last.
  while (offset < frame.length) {
    const byte = frame[offset++] as number;
    length += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) break;
    if (shift > 35) return -1;
  }
  offset += length;
  if (offset >= frame.length) return -1;
  const type = frame[offset] as number;
  return type < 0x80 ? type : -1;
}

/** The sub-type of an Auth frame (token, permission denied, authenticated); null if malformed. */
export function authMessageType(frame: Uint8Array): number | null {
  try {
    const decoder = decoding.createDecoder(frame);
    decoding.readVarString(decoder);
    decoding.readVarUint(decoder);
    return decoding.readVarUint(decoder);
  } catch {
    return null;
  }
}
