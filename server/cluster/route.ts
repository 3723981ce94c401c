// What a client session's document is served through: this instance's Hocuspocus (local-route.ts) or the
// owner's, over a relay connection (remote-route.ts). Both speak the client's frames both ways.

/** Why a route stopped serving: the session finds the document's owner again and replays. */
export type RouteEnd =
  /** The owner moved (drained, lost its lease) or went away (died, restarted). */
  | { kind: 'moved' }
  /** Storing failed or was refused (fenced out): what was not acknowledged is replayed elsewhere. */
  | { kind: 'failed'; error: unknown };

export interface RouteEvents {
  /** A frame for the client, in order; "saved" acks only once stored. */
  frame(frame: Uint8Array): void;
  gone(end: RouteEnd): void;
  /** The serving side refused the client itself (a limit, bad input): its socket closes with this. */
  closeClient(code: number, reason: string): void;
}

export interface Route {
  readonly local: boolean;
  send(frame: Uint8Array): void;
  /** Stops serving without a word to the client. */
  detach(): void;
}
