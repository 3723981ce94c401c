// A raw `ws` client speaking the Hocuspocus wire format by hand: for hostile and malformed input tests.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { waitFor } from './providers.ts';

export const MESSAGE = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3, syncReply: 4, stateless: 5, close: 7, syncStatus: 8 } as const;
export const SYNC = { step1: 0, step2: 1, update: 2 } as const;

/** Builds one frame: the document address, the message type, then `write` adds the body. */
export function frame(documentName: string, type: number, write: (encoder: encoding.Encoder) => void = () => {}): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, documentName);
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export function authFrame(documentName: string, token: string): Uint8Array {
  return frame(documentName, MESSAGE.auth, (e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarString(e, token);
  });
}

export function syncFrame(documentName: string, syncType: number, payload: Uint8Array): Uint8Array {
  return frame(documentName, MESSAGE.sync, (e) => {
    encoding.writeVarUint(e, syncType);
    encoding.writeVarUint8Array(e, payload);
  });
}

export function awarenessFrame(documentName: string, states: Array<{ clientId: number; clock: number; state: unknown }>): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, states.length);
  for (const { clientId, clock, state } of states) {
    encoding.writeVarUint(inner, clientId);
    encoding.writeVarUint(inner, clock);
    encoding.writeVarString(inner, JSON.stringify(state));
  }
  return frame(documentName, MESSAGE.awareness, (e) => encoding.writeVarUint8Array(e, encoding.toUint8Array(inner)));
}

/** A message the server sent, decoded as far as the tests need. */
export interface ServerMessage {
  documentName: string;
  type: number;
  /** Auth replies: 1 permission denied, 2 authenticated. */
  authType?: number;
  /** Permission-denied reason or authenticated scope. */
  text?: string;
  /** SyncStatus: whether the update was applied. */
  applied?: boolean;
  syncType?: number;
  raw: Uint8Array;
}

export function decodeServerMessage(raw: Uint8Array): ServerMessage {
  const decoder = decoding.createDecoder(raw);
  const documentName = decoding.readVarString(decoder);
  const type = decoding.readVarUint(decoder);
  const message: ServerMessage = { documentName, type, raw };
  if (type === MESSAGE.auth) {
    message.authType = decoding.readVarUint(decoder);
    message.text = decoding.readVarString(decoder);
  } else if (type === MESSAGE.syncStatus) {
    message.applied = decoding.readVarInt(decoder) === 1;
  } else if (type === MESSAGE.sync) {
    message.syncType = decoding.readVarUint(decoder);
  }
  return message;
}

export interface RawClient {
  ws: WebSocket;
  messages: ServerMessage[];
  /** Set once the socket closed. */
  closed: { code: number; reason: string } | null;
  send(data: Uint8Array | string): void;
  /** Resolves with the close code and reason; rejects after `timeoutMs`. */
  waitForClose(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  waitForMessage(match: (message: ServerMessage) => boolean, what: string, timeoutMs?: number): Promise<ServerMessage>;
  /** Authenticates `documentName` and resolves with the server's auth reply. */
  authenticate(documentName: string, token: string): Promise<ServerMessage>;
  close(): void;
}

export async function connectRaw(wsUrl: string, options: { origin?: string } = {}): Promise<RawClient> {
  const ws = new WebSocket(wsUrl, { headers: options.origin ? { origin: options.origin } : {} });
  const client: RawClient = {
    ws,
    messages: [],
    closed: null,
    send(data) {
      if (ws.readyState === WebSocket.OPEN) ws.send(data);
    },
    async waitForClose(timeoutMs = 10_000) {
      await waitFor(() => client.closed !== null, timeoutMs, 'the socket to close');
      return client.closed!;
    },
    async waitForMessage(match, what, timeoutMs = 10_000) {
      let found: ServerMessage | undefined;
      await waitFor(() => (found = client.messages.find(match)) !== undefined, timeoutMs, what);
      return found!;
    },
    async authenticate(documentName, token) {
      client.send(authFrame(documentName, token));
      return client.waitForMessage((m) => m.type === MESSAGE.auth && m.documentName === documentName, `auth reply for ${documentName}`);
    },
    close() {
      ws.terminate();
    },
  };
  ws.on('message', (data: Buffer) => {
    try {
      client.messages.push(decodeServerMessage(new Uint8Array(data)));
    } catch {
      // Server pings have no document address; nothing to record.
    }
  });
  ws.on('close', (code, reason) => {
    client.closed = { code, reason: reason.toString() };
  });
  ws.on('error', () => {
    // A refused upgrade or reset surfaces as `close`; the tests look there.
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { response })));
    ws.once('error', reject);
  });
  return client;
}
