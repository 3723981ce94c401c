// The wire numbers of the Hocuspocus and y-websocket protocols, taken once from the libraries that define them.
//
// Hocuspocus decodes what Tandem checks and relays, so its own enums are the numbers to agree with;
// y-websocket's protocol is the one Hocuspocus extended, and its sync and auth numbers live in y-protocols.
import { AuthMessageType } from '@hocuspocus/common';
import { MessageType } from '@hocuspocus/server';
import { messagePermissionDenied } from 'y-protocols/auth';
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';

/** Hocuspocus message types (Sync 0 … SyncStatus 8, Pong 10), the second field of every frame. */
export { MessageType };

/** The sub-type of a Hocuspocus Auth message: Token 0 (client), PermissionDenied 1 and Authenticated 2 (server). */
export { AuthMessageType };

/** The sub-type of a Sync or SyncReply message (y-protocols/sync), the same in both protocols. */
export const SyncStep = {
  /** Payload: the sender's state vector. */
  Step1: messageYjsSyncStep1,
  /** Payload: the update the other side is missing. */
  Step2: messageYjsSyncStep2,
  Update: messageYjsUpdate,
} as const;

/** y-websocket's message types: the four it has carry the same numbers in Hocuspocus. */
export const YMessageType = {
  Sync: MessageType.Sync,
  Awareness: MessageType.Awareness,
  Auth: MessageType.Auth,
  QueryAwareness: MessageType.QueryAwareness,
} as const;

/** y-protocols/auth's only message: permission denied. */
export const Y_AUTH_PERMISSION_DENIED = messagePermissionDenied;
