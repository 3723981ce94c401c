// A session's document served on this instance: its own Hocuspocus connection, over a socket that holds each
// "saved" acknowledgement until the update is stored, and that can be detached without the client noticing.
//
// Each (client socket, document) gets a connection of its own, so one document can move to another instance
// while the client's socket and its other documents stay: detaching closes this connection only, and the
// close message Hocuspocus would send the provider (which would stop it syncing that document) is dropped.
import type { Hocuspocus } from '@hocuspocus/server';
import { PerBatch, type DurabilityGate } from '../documents/durability.ts';
import { peekMessageType } from '../ws/frames.ts';
import { MessageType } from '../ws/message-types.ts';
import { updateAsSyncStep2 } from '../ws/updates-as-step2.ts';
import type { Route, RouteEvents } from './route.ts';

const OPEN = 1;
const CLOSED = 3;

export interface LocalRouteOptions {
  hocuspocus: Hocuspocus;
  documentName: string;
  /** The client's upgrade request, as Hocuspocus hooks see it. */
  request: Request;
  gate: DurabilityGate;
}

export class LocalRoute implements Route {
  readonly local = true;
  #connection: ReturnType<Hocuspocus['handleConnection']>;
  #events: RouteEvents;
  #detached = false;
  #held: PerBatch<Uint8Array>;

  constructor(options: LocalRouteOptions, events: RouteEvents) {
    this.#events = events;
    const { gate, documentName } = options;
    this.#held = new PerBatch<Uint8Array>(
      (acks) => {
        for (const ack of acks) this.#deliver(ack);
      },
      (error) => this.#fail(error),
    );
    const socket = {
      readyState: OPEN,
      send: (data: Uint8Array) => {
        if (this.#detached) return;
        if (peekMessageType(data) === MessageType.SyncStatus) {
          const pending = gate(documentName);
          if (pending) return this.#held.add(pending, data);
        }
        this.#deliver(data);
      },
      // Hocuspocus closes the socket when it refuses the client (a timeout, a failed hook): the client's own.
      close: (code?: number, reason?: string) => {
        if (this.#detached) return;
        socket.readyState = CLOSED;
        this.#events.closeClient(code ?? 1000, reason ?? '');
      },
    };
    this.#connection = options.hocuspocus.handleConnection(socket, options.request);
  }

  send(frame: Uint8Array): void {
    if (!this.#detached) this.#connection.handleMessage(updateAsSyncStep2(frame));
  }

  /** Ends this connection without a word to the client; acks still held are dropped (the session replays their frames). */
  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#connection.handleClose({ code: 1000, reason: 'moved' });
  }

  #deliver(frame: Uint8Array): void {
    if (!this.#detached) this.#events.frame(frame);
  }

  #fail(error: unknown): void {
    if (this.#detached) return;
    this.#events.gone({ kind: 'failed', error });
  }
}
