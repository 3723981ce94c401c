// One client socket in a cluster: hands each document's frames to that document's session (document-session.ts),
// in place of the single Hocuspocus connection a socket gets on a single node.
import { AppError } from '../errors.ts';
import type { ClientFrame } from '../ws/client-frames.ts';
import { DocumentSession, type SessionContext } from './document-session.ts';

export interface ClientRouterOptions {
  /** Builds the context of one session; the router adds nothing of its own. */
  context: SessionContext;
  /** Documents one socket may have open at once (AccessControl counts them on a single node). */
  maxDocuments: number;
  /** Told of each session as it starts and ends, so the cluster can move them. */
  track(session: DocumentSession): () => void;
}

export class ClientRouter {
  #options: ClientRouterOptions;
  #sessions = new Map<string, { session: DocumentSession; untrack: () => void }>();

  constructor(options: ClientRouterOptions) {
    this.#options = options;
  }

  /** One checked frame from the client. Throws `too-many-documents` past the limit (the socket is closed). */
  handleFrame(message: Uint8Array, frame: ClientFrame): void {
    if (frame.documentName === null) return;
    let entry = this.#sessions.get(frame.address);
    if (!entry) {
      if (this.#sessions.size >= this.#options.maxDocuments) {
        throw new AppError('too-many-documents', `at most ${this.#options.maxDocuments} documents per connection`);
      }
      const session = new DocumentSession(frame.address, frame.documentName, this.#options.context);
      entry = { session, untrack: this.#options.track(session) };
      this.#sessions.set(frame.address, entry);
    }
    entry.session.fromClient(message, frame);
  }

  /** The client's socket closed: every session ends. */
  close(): void {
    for (const { session, untrack } of this.#sessions.values()) {
      session.close();
      untrack();
    }
    this.#sessions.clear();
  }
}
