// Pure validation of every frame a client sends, before Hocuspocus decodes it: shape, type, Yjs payloads.
//
// Hocuspocus handles a frame it cannot decode by logging to the console and closing with a generic code,
// and some paths (an unknown message type) only log. Checking here means a malformed frame closes its
// socket with 1007 and a reason, nothing reaches a document, and other clients never notice.
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { AuthMessageType, MessageType, SyncStep } from './message-types.ts';

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
  /** Awareness messages: each client's entry, its state parsed (null: the client left). */
  awareness: AwarenessEntry[] | null;
}

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: unknown;
}

export interface FrameLimits {
  maxAwarenessBytes: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes and checks one binary frame; throws an `invalid-message` or `payload-too-large` AppError. */
export function checkClientFrame(frame: Uint8Array, limits: FrameLimits): ClientFrame {
  // The provider answers a server ping with this single byte, without a document address.
  if (frame.length === 1 && frame[0] === MessageType.Pong) return { documentName: null, address: '', type: MessageType.Pong, updateBytes: 0, sync: null, awareness: null };
  const decoder = decoding.createDecoder(frame);
  const address = readString(decoder, 'document address');
  const separator = address.indexOf('\0');
  const documentName = separator === -1 ? address : address.slice(0, separator);
  const type = readUint(decoder, 'message type');
  let sync: ClientFrame['sync'] = null;
  let awareness: ClientFrame['awareness'] = null;
  switch (type) {
    case MessageType.Sync:
    case MessageType.SyncReply:
      sync = checkSync(decoder);
      break;
    case MessageType.Awareness:
      awareness = checkAwareness(readBytes(decoder, 'awareness update'), limits.maxAwarenessBytes);
      break;
    case MessageType.Auth: {
      if (readUint(decoder, 'auth message type') !== AuthMessageType.Token) throw invalid('clients may only send auth tokens');
      readString(decoder, 'token');
      // Newer providers append their version.
      if (decoding.hasContent(decoder)) readString(decoder, 'provider version');
      break;
    }
    case MessageType.Stateless:
      readString(decoder, 'stateless payload');
      break;
    case MessageType.QueryAwareness:
    case MessageType.CLOSE:
      break;
    default:
      throw invalid(`message type ${type} is not accepted from clients`);
  }
  if (decoding.hasContent(decoder)) throw invalid(`${decoder.arr.length - decoder.pos} unexpected bytes after the message`);
  const updateBytes = sync && sync.step !== SyncStep.Step1 ? sync.payload.length : 0;
  return { documentName, address, type, updateBytes, sync, awareness };
}

function checkSync(decoder: decoding.Decoder): { step: number; payload: Uint8Array } {
  const step = readUint(decoder, 'sync message type');
  const payload = readBytes(decoder, 'sync payload');
  if (step === SyncStep.Step1) {
    attempt(() => Y.decodeStateVector(payload), 'state vector does not decode');
    return { step, payload };
  }
  if (step === SyncStep.Step2 || step === SyncStep.Update) {
    // Decoding is linear in the update's size (each struct consumes input) and reads exactly the bytes
    // Y.applyUpdate would. Decoding alone does not make an update safe to apply: see checkStructs.
    const { structs } = attempt(() => Y.decodeUpdate(payload), 'Yjs update does not decode');
    checkStructs(structs);
    return { step, payload };
  }
  throw invalid(`sync message type ${step} is unknown`);
}

/**
 * Refuses the decodable structs that make Y.applyUpdate throw. Yjs waits (keeps an item pending) for a
 * reference into another client until that client's structs arrive, but assumes a reference into the item's
 * own client points at a struct before it, which Yjs itself always writes; a reference at or past the item's
 * own clock is looked up and not found (`[1,1,5,0,0x88,5,5,0,0]`: an item whose left neighbour is its own
 * client's clock 5). While the item waits as pending, the throw comes later, while applying another client's
 * innocent update. An item of length 0 (Yjs never writes one) breaks the same lookups. Both checks read
 * what decoding produced anyway: no scratch document, no cost beyond a loop over the structs.
 */
function checkStructs(structs: ReturnType<typeof Y.decodeUpdate>['structs']): void {
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    checkReference(struct, 'left origin', struct.origin);
    checkReference(struct, 'right origin', struct.rightOrigin);
    if (struct.parent instanceof Y.ID) checkReference(struct, 'parent', struct.parent);
    if (struct.length === 0) throw invalid(`Yjs update holds an empty item (${struct.id.client}:${struct.id.clock})`);
  }
}

// Called per struct on the hot path: plain arguments, nothing allocated unless it throws.
function checkReference(item: Y.Item, role: string, id: Y.ID | null): void {
  if (id !== null && id.client === item.id.client && id.clock >= item.id.clock) {
    throw invalid(`Yjs update: item ${item.id.client}:${item.id.clock} has its ${role} at ${id.client}:${id.clock}, not before it`);
  }
}

function checkAwareness(update: Uint8Array, maxBytes: number): AwarenessEntry[] {
  if (update.length > maxBytes) {
    throw new AppError('payload-too-large', `awareness update of ${update.length} bytes exceeds ${maxBytes}`);
  }
  const decoder = decoding.createDecoder(update);
  const count = readUint(decoder, 'awareness client count');
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = readUint(decoder, 'awareness client id');
    const clock = readUint(decoder, 'awareness clock');
    const json = readString(decoder, 'awareness state');
    entries.push({ clientId, clock, state: attempt(() => JSON.parse(json) as unknown, 'awareness state is not JSON') });
  }
  if (decoding.hasContent(decoder)) throw invalid('unexpected bytes after the awareness states');
  return entries;
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
