// The Hocuspocus frames that carry document changes, and the server's acknowledgements of them: a pure codec.
//
// Every frame starts with the document address (a varstring) and the message type (a varuint); a sync frame
// then names its step. The server answers each change frame (sync step 2 or update) with one SyncStatus.
import * as decoding from 'lib0/decoding';

const MESSAGE_SYNC = 0;
const MESSAGE_SYNC_STATUS = 8;
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

/** A frame of document changes, which the server will acknowledge. */
export function expectsAck(frame: Uint8Array): boolean {
  const header = readHeader(frame);
  return header?.type === MESSAGE_SYNC && (header.step === SYNC_STEP_2 || header.step === SYNC_UPDATE);
}

/** The server's answer to one change frame (whether it stored the changes or refused them). */
export function isAck(frame: Uint8Array): boolean {
  return readHeader(frame)?.type === MESSAGE_SYNC_STATUS;
}

function readHeader(frame: Uint8Array): { type: number; step: number | null } | null {
  try {
    const decoder = decoding.createDecoder(frame);
    decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    return { type, step: type === MESSAGE_SYNC ? decoding.readVarUint(decoder) : null };
  } catch {
    // lib0 throws on truncated input: such a frame is neither a change nor an answer.
    return null;
  }
}
