// Hocuspocus extension: a client may only set its own presence, and its name there comes from its token.
import type { Extension, beforeHandleAwarenessPayload } from '@hocuspocus/server';
import type { Logger } from '../log.ts';
import type { AwarenessGuard, AwarenessGuardPayload } from '../ws/fast-path.ts';
import type { AccessContext } from './access-control.ts';

/** A provider has one Yjs clientID; a few more allow for a document re-created on the same socket. */
const MAX_CLIENT_IDS_PER_CONNECTION = 4;

export class PresenceGuard implements Extension, AwarenessGuard<AccessContext> {
  readonly extensionName = 'tandem-presence-guard';
  readonly priority = 2000;

  #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  async beforeHandleAwareness(payload: beforeHandleAwarenessPayload<AccessContext>): Promise<void> {
    this.guardAwareness(payload);
  }

  /** The hook's work, synchronous: the endpoint's fast path calls it without Hocuspocus' hook chain. */
  guardAwareness({ states, connection, document, documentName, context }: AwarenessGuardPayload<AccessContext>): void {
    // Server-side writes (direct connections) are trusted.
    if (!connection) return;
    const own = document.getClients(connection);
    let introduced = 0;
    for (const [clientId, state] of states) {
      if (!own.has(clientId)) {
        // A clientID is claimed by the first connection that sends it; another connection's (or one still
        // live in the document) cannot be overwritten.
        const claimed = document.awareness.getStates().has(clientId) || ownedByAnother(document, connection, clientId);
        if (claimed || own.size + introduced >= MAX_CLIENT_IDS_PER_CONNECTION) {
          states.delete(clientId);
          // Debug: a client repeating the attempt must not flood the log.
          this.#log.debug({ doc: documentName, clientId }, 'dropped an awareness update for a client this connection does not own');
          continue;
        }
        introduced += 1;
      }
      const identity = context?.access?.identity;
      if (!identity) continue;
      if (typeof state !== 'object' || state === null || Array.isArray(state)) {
        states.delete(clientId);
        continue;
      }
      const user: unknown = state.user;
      state.user = { ...(typeof user === 'object' && user !== null ? user : {}), id: identity.userId, name: identity.name };
    }
  }
}

function ownedByAnother(document: beforeHandleAwarenessPayload['document'], connection: object, clientId: number): boolean {
  for (const [other, entry] of document.connections) {
    if (other !== connection && entry.clients.has(clientId)) return true;
  }
  return false;
}
