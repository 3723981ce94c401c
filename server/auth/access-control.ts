// Hocuspocus extension: document-name rules, token checks, read-only mode, documents per socket, expiry.
import type {
  Extension,
  connectedPayload,
  onAuthenticatePayload,
  onConnectPayload,
  onDisconnectPayload,
} from '@hocuspocus/server';
import { documentNameProblem } from '../../common/names.ts';
import { AppError, toAppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { ShareLinks, type LinkIdentity } from '../sharing/share-links.ts';
import { allows, permissionFor, type Permission } from './permissions.ts';
import type { Identity, TokenVerifier } from './tokens.ts';

/** What a document connection's Hocuspocus context holds after authentication. */
export interface AccessContext {
  access?: DocumentAccess;
}

export interface DocumentAccess {
  /** Null in `none` mode: nobody is identified, and presence is not rewritten. */
  identity: Identity | null;
  permission: Permission;
  /** The socket's open documents, shared by every document connection of that socket. */
  socket: SocketDocuments;
  expiryTimer?: NodeJS.Timeout;
  /** Forgets this connection in the share links' revocation watch (joined with a link only). */
  leaveLink?: () => void;
}

interface SocketDocuments {
  names: Set<string>;
}

export interface AccessControlOptions {
  /** Null in `none` mode: every client may read and write every document. */
  verifier: TokenVerifier | null;
  /** Share links, accepted in place of a user's token (jwt mode only). */
  links: ShareLinks | null;
  maxDocumentsPerConnection: number;
  log: Logger;
}

// setTimeout keeps at most 2^31-1 ms (about 24.8 days); a later expiry is checked again when that fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class AccessControl implements Extension {
  readonly extensionName = 'tandem-access-control';
  // Before every other extension: nothing loads or runs for a connection that is refused.
  readonly priority = 2000;

  #options: AccessControlOptions;
  // Keyed by the per-socket Request object, so a socket's entry goes away with the socket.
  #sockets = new WeakMap<Request, SocketDocuments>();

  constructor(options: AccessControlOptions) {
    this.#options = options;
  }

  async onConnect({ documentName }: onConnectPayload): Promise<void> {
    const problem = documentNameProblem(documentName);
    if (problem) throw new AppError('invalid-document-name', problem).toHookRejection();
  }

  async onAuthenticate({ token, documentName, connectionConfig, request }: onAuthenticatePayload): Promise<AccessContext> {
    const { verifier, links, maxDocumentsPerConnection, log } = this.#options;
    let identity: Identity | null = null;
    let permission: Permission = 'admin';
    try {
      if (verifier) {
        identity = links && ShareLinks.isLinkToken(token) ? await links.verify(token) : await verifier.verify(token);
        const granted = permissionFor(identity.grants, documentName);
        if (!granted) throw new AppError('forbidden', `the token grants no access to "${documentName}"`);
        permission = granted;
      }
    } catch (error) {
      const appError = toAppError(error);
      log.info({ doc: documentName, code: appError.code, reason: appError.message }, 'connection refused');
      throw appError.toHookRejection();
    }

    let socket = this.#sockets.get(request);
    if (!socket) {
      socket = { names: new Set() };
      this.#sockets.set(request, socket);
    }
    if (!socket.names.has(documentName) && socket.names.size >= maxDocumentsPerConnection) {
      const error = new AppError('too-many-documents', `at most ${maxDocumentsPerConnection} documents per connection`);
      log.info({ doc: documentName, code: error.code }, 'connection refused');
      throw error.toHookRejection();
    }
    socket.names.add(documentName);
    // Below write (read, comment) nothing of the content may change; comments go by their own messages.
    connectionConfig.readOnly = !allows(permission, 'write');
    return { access: { identity, permission, socket } };
  }

  async connected({ connection, context, documentName }: connectedPayload<AccessContext>): Promise<void> {
    const access = context.access;
    if (!access?.identity) return;
    const closeWith = (error: AppError) => {
      // Closing the socket (not only this document) is what makes the provider authenticate again on reconnect.
      connection.close(error.toHookRejection());
      connection.webSocket.close(error.closeCode, error.reason);
    };
    const linkId = (access.identity as Partial<LinkIdentity>).linkId;
    if (linkId !== undefined && this.#options.links) {
      access.leaveLink = this.#options.links.joined(linkId, (revoked) => {
        this.#options.log.info({ doc: documentName, linkId }, 'share link revoked; closing the connection');
        closeWith(revoked);
      });
    }
    const expiresAt = access.identity.expiresAt;
    if (!Number.isFinite(expiresAt)) return;
    const schedule = () => {
      const remaining = expiresAt - Date.now();
      access.expiryTimer = setTimeout(() => {
        if (expiresAt > Date.now()) return schedule();
        this.#options.log.info({ doc: documentName, userId: access.identity?.userId }, 'token expired; closing the connection');
        closeWith(new AppError('unauthorized', linkId === undefined ? 'token expired' : 'share link expired'));
      }, Math.min(Math.max(remaining, 0), MAX_TIMER_MS));
      // An open session must not keep the process alive on its own.
      access.expiryTimer.unref();
    };
    schedule();
  }

  async onDisconnect({ context, documentName }: onDisconnectPayload<AccessContext>): Promise<void> {
    const access = context.access;
    if (!access) return;
    clearTimeout(access.expiryTimer);
    access.leaveLink?.();
    access.socket.names.delete(documentName);
  }
}
