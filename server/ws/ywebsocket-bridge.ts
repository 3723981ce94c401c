// Connects a stock y-websocket client to the same live Hocuspocus document, as a Hocuspocus connection.
//
// The client's frames are re-addressed and handed to a real Hocuspocus ClientConnection, so auth,
// read-only rules, limits, persistence and every extension apply exactly as for @hocuspocus/provider.
import type { Hocuspocus } from '@hocuspocus/server';
import type { WebSocket } from 'ws';
import { AppError, CLOSE_NORMAL } from '../errors.ts';
import type { Logger } from '../log.ts';
import { peekMessageType } from './frames.ts';
import { closeReason, toUint8Array } from './socket-data.ts';
import { encodeAuthFrame, fromClientFrame, toClientFrame } from './ywebsocket-codec.ts';

const OPEN = 1;

export interface YWebsocketBridgeOptions {
  hocuspocus: Hocuspocus;
  log: Logger;
  /** How often a ping checks that the peer is still there; a missed pong terminates the socket. */
  keepAliveMs: number;
  /** Wraps the raw socket for sending (backpressure, accounting); defaults to the raw socket. */
  wrap?: (ws: WebSocket) => Sender;
  /** Told of every message received. */
  countIn?: (bytes: number) => void;
  /** Checks a translated frame (limits, validation); null means the socket was refused and closed. */
  admit?: (frame: Uint8Array) => Uint8Array | null;
  /** Paces the client's frames (inbox.ts): `handle` is called for each, in order, when its turn comes. */
  inbox?: (handle: (bytes: Uint8Array) => void) => Inbox;
  /** Told of each Hocuspocus frame on its way to the client, with its message type, before translation. */
  sent?: (type: number, frame: Uint8Array) => void;
  /** Serves the translated frames instead of a Hocuspocus connection of this instance (a cluster's router). */
  connect?: (socket: Sender, request: Request) => BridgedConnection;
}

/** Where the translated frames go: a Hocuspocus connection, or a cluster's router. */
export interface BridgedConnection {
  handleMessage(frame: Uint8Array): void;
  handleClose(event: { code: number; reason: string }): void;
}

/** What paces a client's frames; see inbox.ts. */
interface Inbox {
  push(bytes: Uint8Array): void;
  close(): void;
}

/** What the bridge sends translated frames through. */
export interface Sender {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(frame: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** The socket Hocuspocus writes to: translates its frames into y-websocket's. */
class YWebsocketSocket {
  #ws: Sender;
  #sent: ((type: number, frame: Uint8Array) => void) | undefined;

  constructor(ws: Sender, sent?: (type: number, frame: Uint8Array) => void) {
    this.#ws = ws;
    this.#sent = sent;
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  send(frame: Uint8Array): void {
    if (this.#ws.readyState !== OPEN) return;
    this.#sent?.(peekMessageType(frame), frame);
    const out = toClientFrame(frame);
    if (out.kind === 'send') this.#ws.send(out.frame);
    else if (out.kind === 'deny') {
      this.#ws.send(out.frame);
      const denied = new AppError('forbidden', out.reason, { bare: true });
      this.#ws.close(denied.closeCode, closeReason(denied.reason));
    } else if (out.kind === 'close') this.#ws.close(CLOSE_NORMAL, closeReason(out.reason));
  }

  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}

export function bridgeYWebsocket(
  ws: WebSocket,
  request: Request,
  documentName: string,
  token: string | undefined,
  options: YWebsocketBridgeOptions,
): void {
  const socket = new YWebsocketSocket(options.wrap?.(ws) ?? ws, options.sent);
  const connection: BridgedConnection = options.connect?.(socket, request) ?? options.hocuspocus.handleConnection(socket, request);
  // y-websocket has no auth message: the token from the URL or subprotocol stands in for one.
  connection.handleMessage(encodeAuthFrame(documentName, token ?? ''));
  let refused = false;
  const refuse = (error: AppError): void => {
    refused = true;
    ws.close(error.closeCode, closeReason(error.reason));
  };

  const handle = (bytes: Uint8Array): void => {
    if (refused) return;
    let frame: Uint8Array | null;
    try {
      frame = fromClientFrame(documentName, bytes);
    } catch (error) {
      // lib0 throws on a truncated varint: the frame is malformed, not a server fault.
      return refuse(new AppError('invalid-message', 'malformed y-websocket message', { cause: error, bare: true }));
    }
    if (!frame) return refuse(new AppError('unsupported-message', 'unsupported y-websocket message type', { bare: true }));
    const admitted = options.admit ? options.admit(frame) : frame;
    // null: refused (the admission closed the socket and drops what follows) or a frame to ignore.
    if (admitted) connection.handleMessage(admitted);
  };
  const inbox = options.inbox?.(handle) ?? { push: handle, close: () => undefined };

  ws.on('message', (data, isBinary) => {
    if (refused) return;
    if (!isBinary) {
      refused = true;
      inbox.close();
      return refuse(new AppError('unsupported-data', 'text frames are not supported; send binary y-websocket messages', { bare: true }));
    }
    const bytes = toUint8Array(data);
    options.countIn?.(bytes.length);
    inbox.push(bytes);
  });

  let alive = true;
  ws.on('pong', () => {
    alive = true;
  });
  const keepAlive = setInterval(() => {
    if (!alive) {
      options.log.info({ doc: documentName }, 'y-websocket client stopped answering pings; dropping it');
      ws.terminate();
      return;
    }
    alive = false;
    ws.ping();
  }, options.keepAliveMs);

  ws.on('close', (code, reason) => {
    clearInterval(keepAlive);
    inbox.close();
    connection.handleClose({ code, reason: reason.toString() });
  });
  ws.on('error', (error) => options.log.warn({ doc: documentName, err: error }, 'y-websocket socket error'));
}
