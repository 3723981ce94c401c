// The WebSocket endpoint: takes HTTP upgrades on the Hocuspocus paths and hands sockets to Hocuspocus.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hocuspocus } from '@hocuspocus/server';
import { WebSocketServer, type WebSocket } from 'ws';
import { refuseRequest, type RequestPolicy } from '../auth/request-guard.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { RELAY_PATH, RELAY_PROOF_HEADER } from '../cluster/relay-auth.ts';
import { documentNameProblem } from '../../common/names.ts';
import { socketAddress, type ClientAddress } from '../http/client-address.ts';
import { AppError, toAppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Metrics, Tally } from '../metrics/registry.ts';
import { checkClientFrame, type ClientFrame } from './client-frames.ts';
import { DurableAckSocket, type DurabilityGate, type SendPolicy } from './durable-ack-socket.ts';
import type { MessageFastPath } from './fast-path.ts';
import { Inbox } from './inbox.ts';
import { ProviderSession } from './provider-session.ts';
import { SlidingWindow } from './rate-limits.ts';
import { closeReason, toUint8Array } from './socket-data.ts';
import { bridgeYWebsocket } from './ywebsocket-bridge.ts';
import { updateAsSyncStep2 } from './updates-as-step2.ts';
import { tokenFromRequest, yWebsocketCloseCode } from './ywebsocket-codec.ts';

/** Paths on which providers connect: `/` as in Hocuspocus' docs, `/collab` for the editor behind proxies. */
export const HOCUSPOCUS_PATHS = new Set(['/', '/collab']);

/** y-websocket clients connect to `/y/<document name>` (URL-encoded). */
export const Y_WEBSOCKET_PREFIX = '/y/';


export interface WebSocketEndpointOptions {
  hocuspocus: Hocuspocus;
  gate: DurabilityGate;
  log: Logger;
  maxMessageBytes: number;
  /** While true, upgrades are refused with 503 (graceful shutdown). */
  isDraining: () => boolean;
  /** Ping interval for y-websocket clients, whose protocol has no keep-alive of its own. */
  keepAliveMs?: number;
  /** A client whose unsent data passes this is closed with 4408 (default: no limit). */
  maxSendBufferBytes?: number;
  metrics?: Metrics;
  /** The Host and Origin checks (server/auth/request-guard.ts); 403 with the reason when refused. */
  requestPolicy?: RequestPolicy;
  /** Upgrades per client IP per minute (429 with Retry-After beyond). */
  maxConnectionsPerMinute?: number;
  /** The client IP for that limit and the logs; behind a trusted proxy, the one it forwarded (default: the socket's peer). */
  clientAddress?: ClientAddress;
  /** Messages per second per socket, with a burst of as many; a faster client is read more slowly. */
  maxMessagesPerSecond?: number;
  /** A socket throttled without a break for longer than this is closed with 4429 (default: never). */
  maxThrottledMs?: number;
  /** Hocuspocus' `maxUnauthenticatedQueueSize`: reading pauses before a socket's pre-auth frames reach it. */
  preAuthBytes?: number;
  /** How long a socket whose provider may wait for an ack it will never get stays idle before a resync. */
  resyncIdleMs?: number;
  /** Largest awareness update (close 1009 beyond). */
  maxAwarenessBytes?: number;
  /** Largest stored size a document may grow to (close 4413 beyond). */
  maxDocumentBytes?: number;
  /** Stored bytes of a loaded document; undefined when it is not loaded. */
  documentBytes?: (documentName: string) => number | undefined;
  /** Cluster only: client sockets are routed per document to its owner, and relays from other instances taken. */
  cluster?: Cluster;
  /** Handles updates and awareness of established connections without Hocuspocus' per-message pipeline (absent: every frame takes it). */
  fastPath?: MessageFastPath;
}

const UNLIMITED = Number.MAX_SAFE_INTEGER;

const NO_GATE: DurabilityGate = () => null;

// A provider owed a fresh handshake (see ack-ledger.ts) is asked to reconnect after this long without traffic.
const RESYNC_IDLE_MS = 2_000;

/** Checks one Hocuspocus frame from a client: the checked frame, or null to drop it (or once the socket was refused). */
type Admission = (frame: Uint8Array) => ClientFrame | null;

// Hocuspocus' own default for the bytes a socket may queue before authentication.
const HOCUSPOCUS_PRE_AUTH_BYTES = 5 * 1024 * 1024;

type Protocol = 'hocuspocus' | 'y-websocket';

/** What the inbox hands each checked frame to: Hocuspocus' connection, or a cluster router. */
interface RoutedConnection {
  handleMessage(message: Uint8Array, frame?: ClientFrame): void;
  handleClose(event: { code: number; reason: string }): void;
}

/** Per-protocol counters: the per-message ones are tallies, which skip prom-client's work per message. */
interface Traffic {
  messagesIn: Tally;
  bytesIn: Tally;
  messagesOut: Tally;
  bytesOut: Tally;
  slowClientsClosed: Tally;
  throttled: Tally;
}

export class WebSocketEndpoint {
  #options: WebSocketEndpointOptions;
  #server: WebSocketServer;
  #traffic = new Map<Protocol, Traffic>();
  #policies = new Map<Protocol, SendPolicy>();
  #open: Record<Protocol, number> = { hocuspocus: 0, 'y-websocket': 0 };
  #attempts: SlidingWindow;
  #clientAddress: ClientAddress;

  constructor(options: WebSocketEndpointOptions) {
    this.#options = options;
    this.#clientAddress = options.clientAddress ?? socketAddress;
    this.#attempts = new SlidingWindow(options.maxConnectionsPerMinute ?? UNLIMITED, 60_000);
    // ws closes a socket whose message exceeds maxPayload with 1009 (message too big).
    this.#server = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes,
      perMessageDeflate: false,
      // A token offered as `token.<jwt>` is not a protocol to agree on: pick any other one offered.
      handleProtocols: (protocols) => [...protocols].find((p) => !p.startsWith('token.')) ?? [...protocols][0] ?? false,
    });
  }

  get connectionCount(): number {
    return this.#server.clients.size;
  }

  /** Open sockets by protocol, for the tandem_connections gauge. */
  connectionsByProtocol(): Record<Protocol, number> {
    return { ...this.#open };
  }

  /** The `upgrade` listener of the HTTP server. */
  handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (this.#options.isDraining()) return refuseUpgrade(socket, new AppError('shutting-down', 'server is shutting down; retry shortly', { bare: true }));
    // Relays come from other instances of the cluster: their clients passed the checks below there.
    if (path === RELAY_PATH && this.#options.cluster) return void this.#upgradeRelay(request, socket, head, this.#options.cluster);
    // Every attempt counts, refused ones too, so the warnings below are bounded per client.
    const ip = this.#clientAddress(request);
    const retryAfter = this.#attempts.attempt(ip);
    if (retryAfter > 0) {
      this.#options.log.debug({ ip, retryAfter }, 'WebSocket upgrade refused: too many attempts');
      return refuseUpgrade(socket, new AppError('rate-limited', 'too many connection attempts; retry later'), { 'Retry-After': String(retryAfter) });
    }
    const refusal = this.#options.requestPolicy ? refuseRequest(this.#options.requestPolicy, request.headers) : null;
    if (refusal) {
      this.#options.log.warn({ origin: request.headers.origin, host: request.headers.host, code: refusal.code }, 'WebSocket upgrade refused');
      return refuseUpgrade(socket, refusal);
    }
    if (path.startsWith(Y_WEBSOCKET_PREFIX)) return this.#upgradeYWebsocket(request, socket, head, path, ip);
    if (!HOCUSPOCUS_PATHS.has(path)) return refuseUpgrade(socket, new AppError('not-found', `no WebSocket endpoint at ${path}; use / or /y/<document>`, { bare: true }));
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request, ip));
  };

  #upgradeYWebsocket(request: IncomingMessage, socket: Duplex, head: Buffer, path: string, ip: string): void {
    let documentName: string;
    try {
      documentName = decodeURIComponent(path.slice(Y_WEBSOCKET_PREFIX.length));
    } catch {
      return refuseUpgrade(socket, new AppError('invalid-document-name', 'the document name is not valid URL encoding'));
    }
    const problem = documentNameProblem(documentName);
    if (problem) return refuseUpgrade(socket, new AppError('invalid-document-name', problem));
    const url = new URL(request.url ?? '/', 'http://localhost');
    const token = tokenFromRequest(url, request.headers['sec-websocket-protocol']);
    const cluster = this.#options.cluster;
    this.#server.handleUpgrade(request, socket, head, (ws) => {
      this.#track(ws, 'y-websocket');
      // y-websocket has no acknowledgements: the session only keeps pre-auth room.
      let inbox: Inbox | undefined;
      const session = this.#session(ws, false, () => inbox?.release());
      const admit = this.#admission(ws, ip, 'y-websocket');
      bridgeYWebsocket(ws, toFetchRequest(request), documentName, token, {
        hocuspocus: this.#options.hocuspocus,
        log: this.#options.log,
        keepAliveMs: this.#options.keepAliveMs ?? 30_000,
        // Same backpressure rule as the main endpoint; y-websocket gets no acknowledgements to gate.
        wrap: (raw) => new DurableAckSocket(raw, () => null, () => undefined, this.#sendPolicy('y-websocket')),
        countIn: (bytes) => this.#countIn('y-websocket', bytes),
        // The translated frames pass the same rate, checks and limits as the main endpoint's.
        inbox: (handle) => (inbox = this.#inbox(ws, ip, 'y-websocket', session, handle)),
        admit: (frame) => {
          const checked = admit(frame);
          if (!checked) return null;
          session.inbound(checked, frame.length);
          return frame;
        },
        sent: session.sent,
        ...(cluster ? { connect: (sender) => this.#routed(ws, sender, request, session, cluster) } : {}),
      });
    });
  }

  /** Closes every socket with the error's close code and reason; providers reconnect (1001, 1011). */
  closeAll(error: AppError): void {
    for (const ws of this.#server.clients) {
      ws.close(error.closeCode, closeReason(error.reason));
      // A socket paused by its inbox must read the peer's close frame; frames after the close are dropped.
      ws.resume();
    }
  }

  /** Drops sockets that did not finish their close handshake in time. */
  terminateAll(): void {
    for (const ws of this.#server.clients) ws.terminate();
    this.#server.close();
  }

  // The upgrade request is not kept past setting the socket up: closures here hold the client's address only.
  #accept(ws: WebSocket, request: IncomingMessage, ip: string): void {
    const { hocuspocus, gate, log } = this.#options;
    this.#track(ws, 'hocuspocus');
    // The session releases the inbox, which is made below: the closure runs only after both exist.
    const session = this.#session(ws, true, () => inbox.release());
    const socket = new DurableAckSocket(
      ws,
      // In a cluster each document's route holds its acks until stored (cluster/local-route.ts, or the owner).
      this.#options.cluster ? NO_GATE : gate,
      (error) => {
        log.error({ err: error }, 'an update could not be stored; closing the socket so the client resends it');
        const failed = new AppError('storage-failed', 'the update was not saved; reconnect to resend it', { cause: error });
        ws.close(failed.closeCode, closeReason(failed.reason));
        inbox.close();
      },
      this.#sendPolicy('hocuspocus'),
      session,
    );
    const connection = this.#options.cluster
      ? this.#routed(ws, socket, request, session, this.#options.cluster)
      : this.#served(hocuspocus.handleConnection(socket, toFetchRequest(request)));
    const admit = this.#admission(ws, ip, 'hocuspocus');
    const inbox = this.#inbox(ws, ip, 'hocuspocus', session, (message) => {
      const frame = admit(message);
      if (!frame) return;
      session.inbound(frame, message.length);
      connection.handleMessage(message, frame);
    });
    let textRefused = false;
    ws.on('message', (data, isBinary) => {
      if (textRefused) return;
      if (!isBinary) {
        textRefused = true;
        inbox.close();
        const unsupported = new AppError('unsupported-data', 'text frames are not supported; send binary Yjs messages', { bare: true });
        ws.close(unsupported.closeCode, closeReason(unsupported.reason));
        return;
      }
      const message = toUint8Array(data);
      this.#countIn('hocuspocus', message.length);
      inbox.push(message);
    });
    ws.on('close', (code, reason) => {
      inbox.close();
      session.close();
      connection.handleClose({ code, reason: reason.toString() });
    });
    ws.on('error', (error) => log.warn({ err: error }, 'WebSocket error'));
  }

  /**
   * A client socket in a cluster: each document's frames go to its session (cluster/document-session.ts), served
   * here or relayed to the owner. Acks are gated by the route that serves them, not by this socket.
   */
  #routed(ws: WebSocket, socket: { send(frame: Uint8Array): void }, request: IncomingMessage, session: ProviderSession, cluster: Cluster): RoutedConnection {
    const closeClient = (code: number, reason: string) => {
      ws.close(code, closeReason(reason));
      ws.resume();
    };
    const router = cluster.router({
      toClient: (frame) => socket.send(frame),
      closeClient,
      expectUnpromptedStep2: (address) => session.ledger.expectUnpromptedStep2(address),
      request: toFetchRequest(request),
      clientAddress: this.#clientAddress(request),
    });
    const limits = { maxAwarenessBytes: this.#options.maxAwarenessBytes ?? UNLIMITED };
    return {
      handleMessage: (message, frame) => {
        try {
          // y-websocket's bridge hands translated frames, already admitted but not kept: decoded again here.
          router.handleFrame(message, frame ?? checkClientFrame(message, limits));
        } catch (error) {
          const refused = toAppError(error);
          closeClient(refused.closeCode, refused.reason);
        }
      },
      handleClose: () => router.close(),
    };
  }

  /**
   * A socket served by this instance's Hocuspocus: updates and awareness take the fast path where they may;
   * updates that reach Hocuspocus go as sync step 2 (updates-as-step2.ts).
   */
  #served(client: RoutedConnection): RoutedConnection {
    const fastPath = this.#options.fastPath;
    return {
      handleMessage: (message, frame) => {
        if (!frame || !fastPath?.handle(client, frame)) client.handleMessage(updateAsSyncStep2(message));
      },
      handleClose: (event) => client.handleClose(event),
    };
  }

  /** A relay from another instance of the cluster: served like a client, with every ack passed on (its instance filters them). */
  async #upgradeRelay(request: IncomingMessage, socket: Duplex, head: Buffer, cluster: Cluster): Promise<void> {
    const documentName = new URL(request.url ?? '/', 'http://localhost').searchParams.get('document') ?? '';
    const proof = request.headers[RELAY_PROOF_HEADER];
    if (!cluster.relayAuthorized(documentName, typeof proof === 'string' ? proof : undefined)) {
      this.#options.log.warn({ ip: this.#clientAddress(request) }, 'relay refused: no valid proof of the cluster secret');
      return refuseUpgrade(socket, new AppError('unauthorized', 'relay connections need the cluster secret'));
    }
    let held: boolean;
    try {
      held = await cluster.holdForRelay(documentName);
    } catch (error) {
      return refuseUpgrade(socket, toAppError(error));
    }
    if (!held) return refuseUpgrade(socket, new AppError('owner-moved', `document "${documentName}" is owned by another instance`));
    if (socket.destroyed || this.#options.isDraining()) {
      cluster.ownership.unref(documentName);
      return refuseUpgrade(socket, new AppError('shutting-down', 'server is shutting down; retry shortly', { bare: true }));
    }
    this.#server.handleUpgrade(request, socket, head, (ws) => {
      cluster.relayOpened(documentName, ws);
      const { hocuspocus, gate, log } = this.#options;
      const relaySocket = new DurableAckSocket(
        ws,
        gate,
        (error) => {
          log.error({ err: error, doc: documentName }, 'a relayed update could not be stored; the relaying instance replays it');
          ws.close(1011, 'storage-failed');
        },
        this.#sendPolicy('hocuspocus'),
      );
      const connection = this.#served(hocuspocus.handleConnection(relaySocket, toFetchRequest(request)));
      const limits = { maxAwarenessBytes: this.#options.maxAwarenessBytes ?? UNLIMITED };
      // No rate (the relaying instance's inbox applied the client's), but the turn budget: a relayed flood must
      // not hold this owner's event loop, where its leases are renewed, any more than a direct one.
      const inbox = new Inbox(ws, {
        perSecond: UNLIMITED,
        maxThrottledMs: Infinity,
        hasRoom: () => true,
        onThrottledTooLong: () => undefined,
        handle: (message) => {
          let frame: ClientFrame;
          try {
            frame = checkClientFrame(message, limits);
            if (frame.documentName !== documentName) throw new AppError('invalid-message', 'a relay carries one document');
          } catch (error) {
            const refused = toAppError(error);
            inbox.close();
            ws.close(refused.closeCode, closeReason(refused.reason));
            return;
          }
          connection.handleMessage(message, frame);
        },
      });
      ws.on('message', (data) => inbox.push(toUint8Array(data)));
      ws.on('close', (code, reason) => {
        inbox.close();
        connection.handleClose({ code, reason: reason.toString() });
      });
      ws.on('error', (error) => log.warn({ err: error }, 'relay WebSocket error'));
    });
  }

  /** `release` lets the socket's inbox go on once a document's connection is set up. */
  #session(ws: WebSocket, trackAcks: boolean, release: () => void): ProviderSession {
    return new ProviderSession({
      trackAcks,
      preAuthBytes: this.#options.preAuthBytes ?? HOCUSPOCUS_PRE_AUTH_BYTES,
      release,
      resyncIdleMs: this.#options.resyncIdleMs ?? RESYNC_IDLE_MS,
      onResyncDue: () => {
        const error = new AppError('resync', 'reconnect to confirm what is saved');
        this.#options.log.debug({ reason: error.reason }, 'asking a provider to resync its saved count');
        ws.close(error.closeCode, closeReason(error.reason));
        ws.resume();
      },
    });
  }

  /** Reads a socket's frames at the configured rate, pausing the socket instead of dropping anything. */
  #inbox(ws: WebSocket, ip: string, protocol: Protocol, session: ProviderSession, handle: (frame: Uint8Array) => void): Inbox {
    const { maxMessagesPerSecond, maxThrottledMs, log, metrics } = this.#options;
    const traffic = this.#trafficFor(protocol);
    const inbox = new Inbox(ws, {
      perSecond: maxMessagesPerSecond ?? UNLIMITED,
      maxThrottledMs: maxThrottledMs ?? Infinity,
      hasRoom: session.hasRoom,
      handle,
      onThrottled: () => traffic?.throttled.inc(),
      onThrottledTooLong: (throttledMs) => {
        metrics?.limitRejections.inc({ limit: 'throttled-too-long' });
        const error = new AppError('rate-limited', `more than ${maxMessagesPerSecond} messages per second for ${Math.round(throttledMs / 1000)} s`);
        log.warn({ ip, protocol, throttledMs: Math.round(throttledMs) }, 'closing a socket that stayed over the message rate');
        ws.close(protocol === 'y-websocket' ? yWebsocketCloseCode(error.closeCode) : error.closeCode, closeReason(error.reason));
      },
    });
    return inbox;
  }

  /**
   * Frame validation and the document-size limit for one socket, as the inbox hands frames on (the rate is the
   * inbox's). Validating here, before Hocuspocus decodes anything, gives every malformed frame a close code and
   * a reason.
   */
  #admission(ws: WebSocket, ip: string, protocol: Protocol): Admission {
    let refused = false;
    const refuse = (error: AppError): null => {
      refused = true;
      // Debug, not info: a flood of bad frames must not become a flood of log lines.
      this.#options.log.debug({ code: error.code, reason: error.message, ip }, 'closing a socket that sent a refused message');
      ws.close(protocol === 'y-websocket' ? yWebsocketCloseCode(error.closeCode) : error.closeCode, closeReason(error.reason));
      return null;
    };
    return (bytes) => {
      // Frames that were already in flight when the socket was refused are dropped unread.
      if (refused) return null;
      let frame: ClientFrame;
      try {
        frame = checkClientFrame(bytes, { maxAwarenessBytes: this.#options.maxAwarenessBytes ?? UNLIMITED });
      } catch (error) {
        return refuse(toAppError(error));
      }
      if (frame.documentName === null) return null;
      const tooLarge = this.#growsTooLarge(frame);
      if (tooLarge) return refuse(tooLarge);
      return frame;
    };
  }

  /** The document-size limit: an update that would grow the stored document past it is refused unapplied. */
  #growsTooLarge(frame: ClientFrame): AppError | null {
    const { maxDocumentBytes, documentBytes } = this.#options;
    if (frame.updateBytes === 0 || maxDocumentBytes === undefined || frame.documentName === null) return null;
    const stored = documentBytes?.(frame.documentName) ?? 0;
    if (stored + frame.updateBytes <= maxDocumentBytes) return null;
    return new AppError('document-too-large', `the document would exceed ${maxDocumentBytes} bytes`);
  }

  #track(ws: WebSocket, protocol: Protocol): void {
    this.#open[protocol] += 1;
    ws.once('close', () => {
      this.#open[protocol] -= 1;
    });
  }

  #trafficFor(protocol: Protocol): Traffic | undefined {
    const metrics = this.#options.metrics;
    if (!metrics) return undefined;
    let traffic = this.#traffic.get(protocol);
    if (!traffic) {
      const labels = { protocol };
      traffic = {
        messagesIn: metrics.tally(metrics.messagesIn, labels),
        bytesIn: metrics.tally(metrics.bytesIn, labels),
        messagesOut: metrics.tally(metrics.messagesOut, labels),
        bytesOut: metrics.tally(metrics.bytesOut, labels),
        slowClientsClosed: metrics.slowClientsClosed.labels(labels),
        throttled: metrics.throttled.labels(labels),
      };
      this.#traffic.set(protocol, traffic);
    }
    return traffic;
  }

  #countIn(protocol: Protocol, bytes: number): void {
    const traffic = this.#trafficFor(protocol);
    traffic?.messagesIn.inc();
    traffic?.bytesIn.inc(bytes);
  }

  /** Backpressure and traffic counting, shared by every socket of a protocol (nothing in it is per socket). */
  #sendPolicy(protocol: Protocol): SendPolicy {
    let policy = this.#policies.get(protocol);
    if (!policy) {
      policy = this.#newSendPolicy(protocol);
      this.#policies.set(protocol, policy);
    }
    return policy;
  }

  #newSendPolicy(protocol: Protocol): SendPolicy {
    const { maxSendBufferBytes, log } = this.#options;
    const traffic = this.#trafficFor(protocol);
    return {
      maxBufferedBytes: maxSendBufferBytes ?? Infinity,
      closeCode: protocol === 'y-websocket' ? yWebsocketCloseCode : undefined,
      onSent: (bytes) => {
        traffic?.messagesOut.inc();
        traffic?.bytesOut.inc(bytes);
      },
      onTooSlow: (buffered) => {
        traffic?.slowClientsClosed.inc();
        log.warn({ buffered, limit: maxSendBufferBytes, protocol }, 'closed a client that stopped reading (4408 client too slow)');
      },
    };
  }
}

/** Answers an upgrade with the error's HTTP status and its text, before any WebSocket exists. */
function refuseUpgrade(socket: Duplex, error: AppError, headers: Record<string, string> = {}): void {
  const { status, text } = error;
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

// Tokens may travel in the query string (y-websocket's `params`); Hocuspocus hooks never see them there.
function toFetchRequest(request: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  url.searchParams.delete('token');
  headers.delete('sec-websocket-protocol');
  return new Request(url, { headers });
}
