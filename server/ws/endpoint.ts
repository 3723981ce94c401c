// The WebSocket endpoint: takes HTTP upgrades on the Hocuspocus paths and hands sockets to Hocuspocus.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hocuspocus } from '@hocuspocus/server';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/registry.ts';
import { DurableAckSocket, type DurabilityGate, type SendPolicy } from './durable-ack-socket.ts';

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
  /** A client whose unsent data passes this is closed with 4408 (default: no limit). */
  maxSendBufferBytes?: number;
  metrics?: Metrics;
}

const PROTOCOL = { protocol: 'hocuspocus' };

export class WebSocketEndpoint {
  #options: WebSocketEndpointOptions;
  #server: WebSocketServer;
  #traffic: Record<'messagesIn' | 'bytesIn' | 'messagesOut' | 'bytesOut' | 'slowClientsClosed', { inc(value?: number): void }> | undefined;

  constructor(options: WebSocketEndpointOptions) {
    this.#options = options;
    // Label children resolved once: inc() on a child skips hashing the labels on every message.
    const metrics = options.metrics;
    this.#traffic = metrics && {
      messagesIn: metrics.messagesIn.labels(PROTOCOL),
      bytesIn: metrics.bytesIn.labels(PROTOCOL),
      messagesOut: metrics.messagesOut.labels(PROTOCOL),
      bytesOut: metrics.bytesOut.labels(PROTOCOL),
      slowClientsClosed: metrics.slowClientsClosed.labels(PROTOCOL),
    };
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

  #accept(ws: WebSocket, request: IncomingMessage): void {
    const { hocuspocus, gate, log } = this.#options;
    const socket = new DurableAckSocket(ws, gate, (error) => {
      log.error({ err: error }, 'an update could not be stored; closing the socket so the client resends it');
      ws.close(1011, 'storage-failed: the update was not saved; reconnect to resend it');
    }, this.#sendPolicy());
    const connection = hocuspocus.handleConnection(socket, toFetchRequest(request));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        ws.close(1003, 'text frames are not supported; send binary Yjs messages');
        return;
      }
      const message = toUint8Array(data);
      this.#traffic?.messagesIn.inc();
      this.#traffic?.bytesIn.inc(message.length);
      connection.handleMessage(message);
    });
    ws.on('close', (code, reason) => connection.handleClose({ code, reason: reason.toString() }));
    ws.on('error', (error) => log.warn({ err: error }, 'WebSocket error'));
  }

  /** Backpressure and traffic counting for one socket. */
  #sendPolicy(): SendPolicy {
    const { maxSendBufferBytes, log } = this.#options;
    const traffic = this.#traffic;
    return {
      maxBufferedBytes: maxSendBufferBytes ?? Infinity,
      onSent: (bytes) => {
        traffic?.messagesOut.inc();
        traffic?.bytesOut.inc(bytes);
      },
      onTooSlow: (buffered) => {
        traffic?.slowClientsClosed.inc();
        log.warn({ buffered, limit: maxSendBufferBytes }, 'closed a client that stopped reading (4408 client too slow)');
      },
    };
  }
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const statusText = status === 404 ? 'Not Found' : status === 503 ? 'Service Unavailable' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
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
