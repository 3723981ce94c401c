// Pure translation between y-websocket frames and Hocuspocus frames (tested without sockets).
//
// y-websocket:  [type][payload]            one document per socket, named by the URL
// Hocuspocus:   [address][type][payload]   the address is the document name
// Sync (0), Awareness (1) and QueryAwareness (3) payloads are identical in both; Hocuspocus adds
// SyncReply (4, a sync message), SyncStatus (8, acknowledgements) and its own Auth (2) sub-protocol.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { CLOSE_TRY_AGAIN_LATER, closeCodeOf } from '../errors.ts';
import { AuthMessageType, MessageType, Y_AUTH_PERMISSION_DENIED, YMessageType } from './message-types.ts';

/** What a Hocuspocus frame means for a y-websocket client. */
export type ToClient =
  | { kind: 'send'; frame: Uint8Array }
  | { kind: 'deny'; frame: Uint8Array; reason: string }
  | { kind: 'close'; reason: string }
  | { kind: 'drop' };

/** The Hocuspocus authentication frame a bridged connection starts with. */
export function encodeAuthFrame(documentName: string, token: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, documentName);
  encoding.writeVarUint(encoder, MessageType.Auth);
  encoding.writeVarUint(encoder, AuthMessageType.Token);
  encoding.writeVarString(encoder, token);
  return encoding.toUint8Array(encoder);
}

/** A client frame as Hocuspocus reads it, or null for types y-websocket clients must not send. */
export function fromClientFrame(documentName: string, frame: Uint8Array): Uint8Array | null {
  const decoder = decoding.createDecoder(frame);
  const type = decoding.readVarUint(decoder);
  if (type !== YMessageType.Sync && type !== YMessageType.Awareness && type !== YMessageType.QueryAwareness) return null;
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, documentName);
  encoding.writeUint8Array(encoder, frame);
  return encoding.toUint8Array(encoder);
}

/** Translates one frame Hocuspocus sends towards a y-websocket client. */
export function toClientFrame(frame: Uint8Array): ToClient {
  const decoder = decoding.createDecoder(frame);
  decoding.readVarString(decoder);
  const typeStart = decoder.pos;
  const type = decoding.readVarUint(decoder);
  switch (type) {
    case MessageType.Sync:
    case MessageType.Awareness:
      return { kind: 'send', frame: frame.subarray(typeStart) };
    case MessageType.SyncReply: {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, YMessageType.Sync);
      encoding.writeUint8Array(encoder, frame.subarray(decoder.pos));
      return { kind: 'send', frame: encoding.toUint8Array(encoder) };
    }
    case MessageType.Auth: {
      if (decoding.readVarUint(decoder) !== AuthMessageType.PermissionDenied) return { kind: 'drop' };
      const reason = decoding.readVarString(decoder);
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, YMessageType.Auth);
      encoding.writeVarUint(encoder, Y_AUTH_PERMISSION_DENIED);
      encoding.writeVarString(encoder, reason);
      return { kind: 'deny', frame: encoding.toUint8Array(encoder), reason };
    }
    case MessageType.CLOSE:
      return { kind: 'close', reason: decoding.hasContent(decoder) ? decoding.readVarString(decoder) : '' };
    default:
      // Acknowledgements, stateless messages, token-sync requests: y-websocket has no such thing.
      return { kind: 'drop' };
  }
}

/**
 * The token a y-websocket client sent: the `token` URL parameter (y-websocket's `params` option) or a
 * `token.<token>` entry in Sec-WebSocket-Protocol (for clients that keep tokens out of URLs).
 */
export function tokenFromRequest(url: URL, protocolHeader: string | undefined): string | undefined {
  for (const offered of (protocolHeader ?? '').split(',')) {
    const protocol = offered.trim();
    if (protocol.startsWith('token.')) return protocol.slice('token.'.length);
  }
  return url.searchParams.get('token') ?? undefined;
}

// Tandem's transient refusals: rate limited, too many documents, client too slow.
const TRANSIENT_CLOSE_CODES = new Set((['rate-limited', 'too-many-documents', 'client-too-slow'] as const).map(closeCodeOf));

/**
 * The close code to send a y-websocket client. y-websocket 3 never reconnects after a code in
 * 4400–4499, so refusals that only mean "not now" use 1013 (try again later) on this endpoint.
 */
export function yWebsocketCloseCode(code: number): number {
  return TRANSIENT_CLOSE_CODES.has(code) ? CLOSE_TRY_AGAIN_LATER : code;
}
