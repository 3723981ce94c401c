// Pure validation of every frame a client sends, before Hocuspocus decodes it: shape, type, Yjs payloads.
//
// Hocuspocus handles a frame it cannot decode by logging to the console and closing with a generic code,
// and some paths (an unknown message type) only log. Checking here means a malformed frame closes its
// socket with 1007 and a reason, nothing reaches a document, and other clients never notice.
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';

// Hocuspocus message types a client may send (see @hocuspocus/server types.ts MessageType).
const SYNC = 0;
const AWARENESS = 1;
const AUTH = 2;
const QUERY_AWARENESS = 3;
const SYNC_REPLY = 4;
const STATELESS = 5;
const CLOSE = 7;
/** The provider answers a server ping with this single byte, without a document address. */
const PONG = 10;

const SYNC_STEP_1 = 0;
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;
const AUTH_TOKEN = 0;

export interface ClientFrame {
  /** Null for the address-less Pong, which needs no handling. */
  documentName: string | null;
  /** `documentName`, or `documentName\0sessionId` for session-aware providers. */
  address: string;
  type: number;
  /** Bytes of the Yjs update in a SyncStep2 or Update message; 0 otherwise. */
  updateBytes: number;
  /** Sync and sync-reply messages: the step (0 step 1, 1 step 2, 2 update) and its payload. */
  sync: { step: number; payload: Uint8Array } | null;
}

export interface FrameLimits {
  maxAwarenessBytes: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes and checks one binary frame; throws an `invalid-message` or `payload-too-large` AppError. */
export function checkClientFrame(frame: Uint8Array, limits: FrameLimits): ClientFrame {
  if (frame.length === 1 && frame[0] === PONG) return { documentName: null, address: '', type: PONG, updateBytes: 0, sync: null };
  const decoder = decoding.createDecoder(frame);
  const address = readString(decoder, 'document address');
  const separator = address.indexOf('\0');
  const documentName = separator === -1 ? address : address.slice(0, separator);
  const type = readUint(decoder, 'message type');
  let sync: ClientFrame['sync'] = null;
  switch (type) {
    case SYNC:
    case SYNC_REPLY:
      sync = checkSync(decoder);
      break;
    case AWARENESS:
      checkAwareness(readBytes(decoder, 'awareness update'), limits.maxAwarenessBytes);
      break;
    case AUTH: {
      if (readUint(decoder, 'auth message type') !== AUTH_TOKEN) throw invalid('clients may only send auth tokens');
      readString(decoder, 'token');
      // Newer providers append their version.
      if (decoding.hasContent(decoder)) readString(decoder, 'provider version');
      break;
    }
    case STATELESS:
      readString(decoder, 'stateless payload');
      break;
    case QUERY_AWARENESS:
    case CLOSE:
      break;
    default:
      throw invalid(`message type ${type} is not accepted from clients`);
  }
  if (decoding.hasContent(decoder)) throw invalid(`${decoder.arr.length - decoder.pos} unexpected bytes after the message`);
  const updateBytes = sync && sync.step !== SYNC_STEP_1 ? sync.payload.length : 0;
  return { documentName, address, type, updateBytes, sync };
}

function checkSync(decoder: decoding.Decoder): { step: number; payload: Uint8Array } {
  const step = readUint(decoder, 'sync message type');
  const payload = readBytes(decoder, 'sync payload');
  if (step === SYNC_STEP_1) {
    attempt(() => Y.decodeStateVector(payload), 'state vector does not decode');
    return { step, payload };
  }
  if (step === SYNC_STEP_2 || step === SYNC_UPDATE) {
    // Decoding is linear in the update's size (each struct consumes input) and reads exactly what
    // Y.applyUpdate would, so an update that decodes here cannot throw halfway through applying.
    attempt(() => Y.decodeUpdate(payload), 'Yjs update does not decode');
    return { step, payload };
  }
  throw invalid(`sync message type ${step} is unknown`);
}

function checkAwareness(update: Uint8Array, maxBytes: number): void {
  if (update.length > maxBytes) {
    throw new AppError('payload-too-large', `awareness update of ${update.length} bytes exceeds ${maxBytes}`);
  }
  const decoder = decoding.createDecoder(update);
  const count = readUint(decoder, 'awareness client count');
  for (let i = 0; i < count; i++) {
    readUint(decoder, 'awareness client id');
    readUint(decoder, 'awareness clock');
    const json = readString(decoder, 'awareness state');
    attempt(() => JSON.parse(json), 'awareness state is not JSON');
  }
  if (decoding.hasContent(decoder)) throw invalid('unexpected bytes after the awareness states');
}

function readUint(decoder: decoding.Decoder, what: string): number {
  return attempt(() => decoding.readVarUint(decoder), `${what} is not a valid varint`);
}

function readBytes(decoder: decoding.Decoder, what: string): Uint8Array {
  const length = readUint(decoder, `${what} length`);
  if (length > decoder.arr.length - decoder.pos) throw invalid(`${what} is truncated`);
  return decoding.readUint8Array(decoder, length);
}

function readString(decoder: decoding.Decoder, what: string): string {
  const bytes = readBytes(decoder, what);
  return attempt(() => utf8.decode(bytes), `${what} is not valid UTF-8`);
}

function attempt<T>(read: () => T, problem: string): T {
  try {
    return read();
  } catch (error) {
    throw new AppError('invalid-message', problem, { cause: error });
  }
}

function invalid(problem: string): AppError {
  return new AppError('invalid-message', problem);
}
