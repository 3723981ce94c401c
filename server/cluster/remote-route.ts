// A session's document served by its owner on another instance: one WebSocket to the owner's relay endpoint
// carrying the client's frames there and the owner's replies and broadcasts back, unchanged.
import { WebSocket } from 'ws';
import { toUint8Array } from '../ws/socket-data.ts';
import { EDITOR_SCHEMA_HEADER } from '../auth/editor-schema-gate.ts';
import { RELAY_PROOF_HEADER, relayProof, relayUrl } from './relay-auth.ts';
import type { ClusterStats } from './cluster-metrics.ts';
import type { Route, RouteEvents } from './route.ts';

export interface RemoteRouteOptions {
  ownerUrl: string;
  documentName: string;
  secret: string;
  /** The client's address, for the owner's logs. */
  clientAddress: string;
  /** What the client said of its editor's schema (editor-schema-gate.ts), for the owner to check. */
  editorSchema: string;
  /**
   * An owner that answers no ping for this long is taken for gone: a paused (SIGSTOP) or cut-off owner closes
   * nothing, and its lease runs out about as fast, so the session looks for the new owner.
   */
  silenceMs: number;
  stats: Pick<ClusterStats, 'framesToOwner' | 'framesFromOwner'>;
}

// Closes after which the document is looked for again: the owner moved, went away, or could not store.
const MOVED_CODES = new Set([1001, 1005, 1006, 1011, 1012, 1013, 4300, 4408, 4503]);

export class RemoteRoute implements Route {
  readonly local = false;
  #socket: WebSocket;
  #events: RouteEvents;
  #stats: RemoteRouteOptions['stats'];
  #queue: Uint8Array[] | null = [];
  #ended = false;
  #heartbeat: NodeJS.Timeout;

  constructor(options: RemoteRouteOptions, events: RouteEvents) {
    this.#events = events;
    this.#stats = options.stats;
    this.#socket = new WebSocket(relayUrl(options.ownerUrl, options.documentName), {
      perMessageDeflate: false,
      handshakeTimeout: options.silenceMs,
      headers: { [RELAY_PROOF_HEADER]: relayProof(options.secret, options.documentName), 'x-tandem-client': options.clientAddress, [EDITOR_SCHEMA_HEADER]: options.editorSchema },
    });
    this.#socket.binaryType = 'nodebuffer';
    this.#socket.on('open', () => {
      const queued = this.#queue ?? [];
      this.#queue = null;
      for (const frame of queued) this.#socket.send(frame);
    });
    let answeredAt = performance.now();
    this.#socket.on('message', (data) => {
      // Any frame shows the owner alive: a busy owner answers pings late but still sends.
      answeredAt = performance.now();
      if (this.#ended) return;
      options.stats.framesFromOwner += 1;
      this.#events.frame(toUint8Array(data));
    });
    // 409: not the owner (any more); 503: draining or not ready. Anything else is a failure to say.
    this.#socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      this.#socket.terminate();
      this.#end(status === 409 || status === 503 ? { kind: 'moved' } : { kind: 'failed', error: new Error(`the owner refused the relay with HTTP ${status}`) });
    });
    this.#socket.on('close', (code, reason) => {
      if (MOVED_CODES.has(code)) this.#end({ kind: 'moved' });
      else if (!this.#ended) {
        this.#ended = true;
        this.#events.closeClient(code, reason.toString());
      }
    });
    // A refused or broken connection also closes (1006), which the close handler answers.
    this.#socket.on('error', () => undefined);
    this.#socket.on('pong', () => {
      answeredAt = performance.now();
    });
    this.#heartbeat = setInterval(() => {
      if (this.#socket.readyState !== WebSocket.OPEN) return;
      if (performance.now() - answeredAt > options.silenceMs) {
        this.#socket.terminate();
        return;
      }
      this.#socket.ping();
    }, Math.max(50, Math.floor(options.silenceMs / 4)));
    this.#heartbeat.unref();
    this.#socket.once('close', () => clearInterval(this.#heartbeat));
  }

  send(frame: Uint8Array): void {
    if (this.#ended) return;
    this.#stats.framesToOwner += 1;
    if (this.#queue) this.#queue.push(frame);
    else this.#socket.send(frame);
  }

  detach(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.close(1000, 'session moved');
    else this.#socket.terminate();
  }

  #end(end: Parameters<RouteEvents['gone']>[0]): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#events.gone(end);
  }
}
