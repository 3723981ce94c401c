// The WebSocket endpoint: takes HTTP upgrades on the Hocuspocus paths and hands sockets to Hocuspocus.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hocuspocus } from '@hocuspocus/server';
import { WebSocketServer, type WebSocket } from 'ws';
import { originAllowed } from '../auth/origins.ts';
import { AppError, toAppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { checkClientFrame, type ClientFrame } from './client-frames.ts';
import { DurableAckSocket, type DurabilityGate } from './durable-ack-socket.ts';
import { SlidingWindow, TokenBucket } from './rate-limits.ts';

/** Paths on which providers connect: `/` as in Hocuspocus' docs, `/collab` for the editor behind proxies. */
export const HOCUSPOCUS_PATHS = new Set(['/', '/collab']);

export const CLOSE_GOING_AWAY = 1001;

export interface WebSocketEndpointOptions {
  hocuspocus: Hocuspocus;
  gate: DurabilityGate;
  log: Logger;
  maxMessageBytes: number;
  /** While true, upgrades are refused with 503 (graceful shutdown). */
  isDraining: () => boolean;
  /** Browser origins allowed to open a socket; empty allows any (403 otherwise). */
  allowedOrigins?: readonly string[];
  /** Upgrades per client IP per minute (429 with Retry-After beyond). */
  maxConnectionsPerMinute?: number;
  /** Messages per second per socket, with a burst of as many (close 4429 beyond). */
  maxMessagesPerSecond?: number;
  /** Largest awareness update (close 1009 beyond). */
  maxAwarenessBytes?: number;
  /** Largest stored size a document may grow to (close 4413 beyond). */
  maxDocumentBytes?: number;
  /** Stored bytes of a loaded document; undefined when it is not loaded. */
  documentBytes?: (documentName: string) => number | undefined;
}

const UNLIMITED = Number.MAX_SAFE_INTEGER;

export class WebSocketEndpoint {
  #options: WebSocketEndpointOptions;
  #server: WebSocketServer;
  #attempts: SlidingWindow;

  constructor(options: WebSocketEndpointOptions) {
    this.#options = options;
    this.#attempts = new SlidingWindow(options.maxConnectionsPerMinute ?? UNLIMITED, 60_000);
    // ws closes a socket whose message exceeds maxPayload with 1009 (message too big).
    this.#server = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false });
  }

  get connectionCount(): number {
    return this.#server.clients.size;
  }

  /** The `upgrade` listener of the HTTP server. */
  handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (this.#options.isDraining()) return refuseUpgrade(socket, 503, 'server is shutting down; retry shortly');
    if (!HOCUSPOCUS_PATHS.has(path)) return refuseUpgrade(socket, 404, `no WebSocket endpoint at ${path}; use /`);
    // Every attempt counts, refused ones too, so the warnings below are bounded per client.
    const retryAfter = this.#attempts.attempt(request.socket.remoteAddress ?? 'unknown');
    if (retryAfter > 0) {
      this.#options.log.debug({ ip: request.socket.remoteAddress, retryAfter }, 'WebSocket upgrade refused: too many attempts');
      return refuseUpgrade(socket, 429, 'rate-limited: too many connection attempts; retry later', { 'Retry-After': String(retryAfter) });
    }
    const origin = request.headers.origin;
    if (!originAllowed(this.#options.allowedOrigins ?? [], origin)) {
      this.#options.log.warn({ origin }, 'WebSocket upgrade refused: origin not allowed');
      return refuseUpgrade(socket, 403, `origin-not-allowed: ${origin} may not connect; see --allowed-origins`);
    }
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request));
  };

  /** Closes every socket with `code`; providers reconnect on 1001 (going away). */
  closeAll(code: number, reason: string): void {
    for (const ws of this.#server.clients) ws.close(code, reason);
  }

  /** Drops sockets that did not finish their close handshake in time. */
  terminateAll(): void {
    for (const ws of this.#server.clients) ws.terminate();
    this.#server.close();
  }

  /** The document-size limit: an update that would grow the stored document past it is refused unapplied. */
  #growsTooLarge(frame: ClientFrame): AppError | null {
    const { maxDocumentBytes, documentBytes } = this.#options;
    if (frame.updateBytes === 0 || maxDocumentBytes === undefined || frame.documentName === null) return null;
    const stored = documentBytes?.(frame.documentName) ?? 0;
    if (stored + frame.updateBytes <= maxDocumentBytes) return null;
    return new AppError('document-too-large', `the document would exceed ${maxDocumentBytes} bytes`);
  }

  #accept(ws: WebSocket, request: IncomingMessage): void {
    const { hocuspocus, gate, log } = this.#options;
    const socket = new DurableAckSocket(ws, gate, (error) => {
      log.error({ err: error }, 'an update could not be stored; closing the socket so the client resends it');
      ws.close(1011, 'storage-failed: the update was not saved; reconnect to resend it');
    });
    const connection = hocuspocus.handleConnection(socket, toFetchRequest(request));
    const bucket = new TokenBucket(this.#options.maxMessagesPerSecond ?? UNLIMITED);
    let refused = false;
    const refuse = (error: AppError, closeCode = error.closeCode) => {
      refused = true;
      // Debug, not info: a flood of bad frames must not become a flood of log lines.
      log.debug({ code: error.code, reason: error.message, ip: request.socket.remoteAddress }, 'closing a socket that sent a refused message');
      ws.close(closeCode, closeReason(error.reason));
    };
    ws.on('message', (data, isBinary) => {
      // Frames that were already in flight when the socket was refused are dropped unread.
      if (refused) return;
      if (!isBinary) return refuse(new AppError('invalid-message', 'text frames are not supported; send binary Yjs messages'), 1003);
      if (!bucket.take()) {
        return refuse(new AppError('rate-limited', `more than ${this.#options.maxMessagesPerSecond} messages per second`));
      }
      const bytes = toUint8Array(data);
      let frame: ClientFrame;
      try {
        frame = checkClientFrame(bytes, { maxAwarenessBytes: this.#options.maxAwarenessBytes ?? UNLIMITED });
      } catch (error) {
        return refuse(toAppError(error));
      }
      if (frame.documentName === null) return;
      const tooLarge = this.#growsTooLarge(frame);
      if (tooLarge) return refuse(tooLarge);
      connection.handleMessage(bytes);
    });
    ws.on('close', (code, reason) => connection.handleClose({ code, reason: reason.toString() }));
    ws.on('error', (error) => log.warn({ err: error }, 'WebSocket error'));
  }
}

function refuseUpgrade(socket: Duplex, status: number, reason: string, headers: Record<string, string> = {}): void {
  const statusText = STATUS_TEXT[status] ?? 'Bad Request';
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

const STATUS_TEXT: Record<number, string> = {
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** A close frame's reason is at most 123 bytes of UTF-8; `ws` throws on longer ones. */
function closeReason(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text) > 123) text = text.slice(0, -1);
  return text;
}

function toFetchRequest(request: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return new Request(new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`), { headers });
}

function toUint8Array(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
