// One client socket's session of one document in a cluster: finds where the document is served (here or at its
// owner), keeps what it must replay if that changes, and moves without the client's socket closing.
//
// The replay buffer is what makes a move lose nothing: the client's auth frame, its latest sync step 1, every
// change frame not yet acknowledged ("saved"), and its latest awareness. The new owner applies what it lacks
// (Yjs updates are idempotent) and acknowledges each change frame once stored, in order, so the provider's
// count of unsaved changes stays exact; the replayed step 1 makes it send what the client lacks and ask for
// what it lacks. The client answers that second handshake with one more step 2, which it does not count
// (`expectUnpromptedStep2`). See docs/scale-out.md.
import type { LeaseHolder } from './lease-table.ts';
import type { Placement } from './ownership.ts';
import type { Route, RouteEnd, RouteEvents } from './route.ts';
import { authMessageType, peekMessageType } from '../ws/frames.ts';
import type { ClientFrame } from '../ws/client-frames.ts';
import { AuthMessageType, MessageType, SyncStep } from '../ws/message-types.ts';
import type { Logger } from '../log.ts';

// Below this a replay goes out at once, well within what Hocuspocus queues before a connection is set up (1,000).
const REPLAY_BEFORE_SETUP = 200;

export interface SessionContext {
  place(documentName: string): Promise<Placement>;
  /** Gives back the reference a local placement took. */
  unref(documentName: string): void;
  openLocal(documentName: string, events: RouteEvents): Promise<Route>;
  openRemote(owner: LeaseHolder, documentName: string, events: RouteEvents): Route;
  /** Frames for the client (its socket's ack filter and backpressure apply). */
  toClient(frame: Uint8Array): void;
  closeClient(code: number, reason: string): void;
  /** The client will answer a replayed handshake with a step 2 it does not count (ack-ledger.ts). */
  expectUnpromptedStep2(address: string): void;
  /** A session found no owner, or its route ended: how long to wait before looking again (grows per attempt). */
  retryDelayMs(attempt: number): number;
  /** Told each time the session starts being served somewhere, and of moves. */
  onRouted?(session: DocumentSession, route: Route, moved: boolean): void;
  log: Logger;
}

export class DocumentSession {
  readonly address: string;
  readonly documentName: string;
  #context: SessionContext;
  #auth: Uint8Array | null = null;
  #step1: Uint8Array | null = null;
  #awareness: Uint8Array | null = null;
  /** Change frames (sync step 2, updates) sent but not yet acknowledged, in order. */
  #unacknowledged: Uint8Array[] = [];
  /** Frames of other kinds that arrived while no route served the session. */
  #others: Uint8Array[] = [];
  #route: Route | null = null;
  #placing = false;
  #routedBefore = false;
  /** After a replay, the owner's "authenticated" answers an auth the client already had answered. */
  #swallowAuthenticated = false;
  /** A long replay's frames, sent once the route's document connection is set up. */
  #afterSetup: Uint8Array[] | null = null;
  #closed = false;

  constructor(address: string, documentName: string, context: SessionContext) {
    this.address = address;
    this.documentName = documentName;
    this.#context = context;
  }

  get route(): Route | null {
    return this.#route;
  }

  /** Change frames still waiting for their acknowledgement. */
  get unacknowledged(): number {
    return this.#unacknowledged.length;
  }

  /** One checked frame from the client, in order. */
  fromClient(message: Uint8Array, frame: ClientFrame): void {
    if (this.#closed) return;
    let buffered = true;
    if (frame.type === MessageType.Auth) this.#auth = message;
    else if (frame.type === MessageType.Awareness) this.#awareness = message;
    else if (frame.sync?.step === SyncStep.Step1) this.#step1 = message;
    else if (frame.sync) this.#unacknowledged.push(message);
    else buffered = false;
    if (this.#afterSetup) this.#afterSetup.push(message);
    else if (this.#route) this.#route.send(message);
    else {
      if (!buffered) this.#others.push(message);
      void this.#place();
    }
  }

  /** The document's owner changed or this instance lost it: serve the session elsewhere. */
  move(): void {
    if (this.#closed || !this.#route) return;
    this.#leave({ kind: 'moved' });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const route = this.#route;
    this.#route = null;
    if (route) {
      route.detach();
      if (route.local) this.#context.unref(this.documentName);
    }
  }

  async #place(): Promise<void> {
    if (this.#placing || this.#closed) return;
    this.#placing = true;
    try {
      for (let attempt = 0; !this.#closed; attempt++) {
        const route = await this.#tryRoute();
        if (route) return this.#attach(route);
        await new Promise((resolve) => setTimeout(resolve, this.#context.retryDelayMs(attempt)));
      }
    } finally {
      this.#placing = false;
    }
  }

  async #tryRoute(): Promise<Route | null> {
    let placement: Placement;
    try {
      placement = await this.#context.place(this.documentName);
    } catch (error) {
      this.#context.log.debug({ doc: this.documentName, err: error }, 'no owner yet for a session; retrying');
      return null;
    }
    // What a route says counts only while it is the session's route; one that ended before it was attached
    // (its owner refused or was gone) is not attached at all.
    const state: { route: Route | null; ended: boolean } = { route: null, ended: false };
    const live = () => state.route !== null && state.route === this.#route;
    const events: RouteEvents = {
      frame: (frame) => live() && this.#fromServer(frame),
      gone: (end) => {
        state.ended = true;
        if (live()) this.#leave(end);
      },
      closeClient: (code, reason) => live() && this.#context.closeClient(code, reason),
    };
    try {
      state.route = placement.local
        ? await this.#context.openLocal(this.documentName, events)
        : this.#context.openRemote(placement.owner, this.documentName, events);
    } catch (error) {
      if (placement.local) this.#context.unref(this.documentName);
      this.#context.log.debug({ doc: this.documentName, err: error }, 'could not serve a session here; retrying');
      return null;
    }
    if (!state.ended) return state.route;
    state.route.detach();
    if (placement.local) this.#context.unref(this.documentName);
    return null;
  }

  #attach(route: Route): void {
    if (this.#closed) {
      route.detach();
      if (route.local) this.#context.unref(this.documentName);
      return;
    }
    const moved = this.#routedBefore;
    this.#route = route;
    this.#routedBefore = true;
    this.#context.onRouted?.(this, route, moved);
    const replay: Uint8Array[] = [...this.#unacknowledged];
    if (this.#awareness) replay.push(this.#awareness);
    replay.push(...this.#others);
    this.#others = [];
    if (this.#auth) route.send(this.#auth);
    if (this.#step1) {
      route.send(this.#step1);
      if (moved) this.#context.expectUnpromptedStep2(this.address);
    }
    // Hocuspocus queues the frames of a document connection still being set up (auth, load) and resets it past
    // 1,000: a long replay waits for the first answer that is not about auth, which comes once it is set up
    // (frames the client sends meanwhile queue behind it).
    if (this.#step1 && replay.length > REPLAY_BEFORE_SETUP) this.#afterSetup = replay;
    else for (const frame of replay) route.send(frame);
    this.#swallowAuthenticated = moved && this.#auth !== null;
  }

  #fromServer(frame: Uint8Array): void {
    const type = peekMessageType(frame);
    if (type === MessageType.SyncStatus) this.#unacknowledged.shift();
    else if (type === MessageType.Auth) {
      const authType = authMessageType(frame);
      const authenticated = authType === AuthMessageType.Authenticated;
      // Refused: the client is told, and nothing more goes to a connection that will not be set up.
      if (authType === AuthMessageType.PermissionDenied) this.#afterSetup = null;
      if (this.#swallowAuthenticated) {
        this.#swallowAuthenticated = false;
        if (authenticated) return;
      }
    }
    if (type !== MessageType.Auth && this.#afterSetup) {
      const waiting = this.#afterSetup;
      this.#afterSetup = null;
      for (const queued of waiting) this.#route?.send(queued);
    }
    this.#context.toClient(frame);
  }

  #leave(end: RouteEnd): void {
    const route = this.#route;
    if (!route) return;
    this.#route = null;
    // Frames waiting for the old route's set-up are in the replay buffer, or were received meanwhile.
    for (const frame of this.#afterSetup ?? []) if (!kept(frame)) this.#others.push(frame);
    this.#afterSetup = null;
    route.detach();
    if (route.local) this.#context.unref(this.documentName);
    const level = end.kind === 'failed' ? 'warn' : 'debug';
    this.#context.log[level](
      { doc: this.documentName, from: route.local ? 'local' : 'remote', why: end.kind, unacknowledged: this.#unacknowledged.length, err: end.kind === 'failed' ? end.error : undefined },
      'a session moves to the document\'s owner',
    );
    void this.#place();
  }
}

/** Whether the replay buffer keeps frames of this kind (auth, sync, awareness); others are queued as they come. */
function kept(frame: Uint8Array): boolean {
  const type = peekMessageType(frame);
  return type === MessageType.Auth || type === MessageType.Awareness || type === MessageType.Sync || type === MessageType.SyncReply;
}
