// Many benchmark clients inside one load-generator process: opened with bounded concurrency, drops counted.
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { connectClient } from '../lib/clients.ts';
import type { Protocol } from '../lib/servers.ts';
import { LeanClient } from './lean-client.ts';

/** The servers' protocols, plus `raw`: a bare WebSocket that counts as synced once the server echoes a message. */
export type LoadProtocol = Protocol | 'raw';

export interface LoadClient {
  documentName: string;
  doc: Y.Doc;
  /** A provider's awareness; null for raw sockets and lean clients. */
  awareness: Awareness | null;
  /** Set for lean clients (wire-level, see lean-client.ts). */
  lean: LeanClient | null;
}

/** `provider`: the real providers of lib/clients.ts; `lean`: wire-level clients for thousands of connections. */
export type ClientKind = 'provider' | 'lean';

interface Connection extends LoadClient {
  synced: Promise<void>;
  closed: Promise<never>;
  destroy(): void;
}

export class Fleet {
  readonly clients: LoadClient[] = [];
  /** Clients synced so far (counted as they sync, while `openAll` is still running). */
  synced = 0;
  /** Sockets the server closed (or that failed) before `destroyAll`. */
  dropped = 0;
  #connections: Connection[] = [];
  #closing = false;
  #protocol: LoadProtocol;
  #url: string;

  #kind: ClientKind;

  constructor(protocol: LoadProtocol, url: string, kind: ClientKind = 'provider') {
    this.#protocol = protocol;
    this.#url = url;
    this.#kind = kind;
  }

  /**
   * Opens one client per name, at most `concurrency` handshakes in flight (a burst of thousands would
   * overflow the listen backlog and time the kernel's SYN retries instead of the server); resolves once
   * every client has synced. Fails on the first socket closed or not synced within `timeoutMs`.
   */
  async openAll(documentNames: readonly string[], concurrency: number, timeoutMs = 60_000): Promise<LoadClient[]> {
    const opened: LoadClient[] = new Array(documentNames.length);
    let next = 0;
    const lane = async () => {
      while (next < documentNames.length) {
        const index = next++;
        const connection = this.#open(documentNames[index]!);
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`client ${index} (${connection.documentName}) not synced after ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          await Promise.race([connection.synced, connection.closed, timeout]);
        } finally {
          clearTimeout(timer);
        }
        opened[index] = connection;
        this.synced += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, documentNames.length) }, lane));
    this.clients.push(...opened);
    return opened;
  }

  /** Closes every client; closes from here on are not drops. */
  destroyAll(): void {
    this.#closing = true;
    for (const connection of this.#connections) connection.destroy();
    this.#connections = [];
    this.clients.length = 0;
    this.synced = 0;
  }

  #open(documentName: string): Connection {
    const connection =
      this.#protocol === 'raw'
        ? connectRaw(this.#url, documentName)
        : this.#kind === 'lean'
          ? connectLean(this.#protocol, this.#url, documentName)
          : { documentName, lean: null, ...connectClient(this.#protocol, this.#url, documentName) };
    connection.closed.catch(() => {
      if (!this.#closing) this.dropped += 1;
    });
    this.#connections.push(connection);
    return connection;
  }
}

function connectRaw(url: string, documentName: string): Connection {
  const socket = new WebSocket(`${url.replace(/\/$/, '')}/${encodeURIComponent(documentName)}`);
  const synced = new Promise<void>((resolve, reject) => {
    socket.once('open', () => socket.send(Buffer.from([0])));
    socket.once('message', () => resolve());
    socket.once('error', reject);
  });
  const closed = new Promise<never>((_resolve, reject) => {
    socket.on('close', (code, reason) => reject(new Error(`the server closed the socket: ${code} ${reason.toString()}`)));
  });
  closed.catch(() => undefined);
  synced.catch(() => undefined);
  return { documentName, doc: new Y.Doc(), awareness: null, lean: null, synced, closed, destroy: () => socket.terminate() };
}

function connectLean(protocol: Protocol, url: string, documentName: string): Connection {
  const lean = new LeanClient(protocol, url, documentName);
  return { documentName, doc: lean.doc, awareness: null, lean, synced: lean.synced, closed: lean.closed, destroy: () => lean.destroy() };
}
