// The documents hub: owns the Hocuspocus instance, its settings and its extensions; features reach documents through it.
import type { Document, Extension } from '@hocuspocus/server';
import { Hocuspocus } from '@hocuspocus/server';

/** A server-side connection to one document (Hocuspocus exports only its interface, without `document`). */
export type DirectConnection = Awaited<ReturnType<Hocuspocus['openDirectConnection']>>;

export interface HubSettings {
  /** Documents a connection may still be authenticating for (AccessControl counts the established ones). */
  maxPendingDocuments: number;
  /** Bytes a socket may queue before authentication; the endpoint pauses reading at half of it. */
  preAuthBytes: number;
}

/**
 * Built before the features that need it (versions, deletion), which get the hub itself; `start` then hands
 * Hocuspocus the extensions, those features among them, exactly once.
 */
export class Hub {
  readonly hocuspocus: Hocuspocus;
  #settings: HubSettings;
  #extensions: readonly Extension[] | null = null;

  constructor(settings: HubSettings) {
    this.#settings = settings;
    // Without a configuration Hocuspocus configures nothing yet: `start` configures it once, with everything.
    this.hocuspocus = new Hocuspocus();
  }

  /** The extensions Hocuspocus runs, highest priority first (empty before `start`). */
  get extensions(): readonly Extension[] {
    return this.#extensions ?? [];
  }

  /** Configures Hocuspocus with Tandem's settings and `extensions` (ordered by their `priority`). */
  start(extensions: Extension[]): void {
    if (this.#extensions) throw new Error('the documents hub was already started');
    const { maxPendingDocuments, preAuthBytes } = this.#settings;
    // Hocuspocus sorts this array in place and appends a hook entry of its own: it gets a copy.
    const installed = [...extensions];
    this.hocuspocus.configure({
      name: 'tandem',
      quiet: true,
      // Broadcast each update as it comes: batching merges updates with Y.mergeUpdates, which costs more
      // CPU than it saves on loopback-fast networks, and acks already wait for the disk.
      flushDelay: false,
      maxPendingDocuments,
      // Hocuspocus closes a socket whose frames queued before authentication pass these; the endpoint stops
      // reading well before (provider-session.ts), so a provider resending a burst on reconnect is not closed.
      maxUnauthenticatedQueueMessages: 1_000,
      maxUnauthenticatedQueueSize: preAuthBytes,
      extensions: installed,
    });
    this.#extensions = installed.filter((extension) => extensions.includes(extension));
  }

  /** A server-side connection: edits made through its `transact()` reach persistence, clients and webhooks. */
  openDirectConnection(documentName: string, context?: Record<string, unknown>): Promise<DirectConnection> {
    return this.hocuspocus.openDirectConnection(documentName, context);
  }

  /** The loaded document of that name, if any. */
  document(documentName: string): Document | undefined {
    return this.hocuspocus.documents.get(documentName);
  }

  /** Whether the document is loaded or still unloading: its storage is in use. */
  isResident(documentName: string): boolean {
    return this.hocuspocus.documents.has(documentName) || this.hocuspocus.unloadingDocuments.has(documentName);
  }

  /** Closes every connection to the document (every connection when no name is given). */
  closeConnections(documentName?: string): void {
    this.hocuspocus.closeConnections(documentName);
  }

  get documentsCount(): number {
    return this.hocuspocus.getDocumentsCount();
  }
}

export function createHub(settings: HubSettings): Hub {
  return new Hub(settings);
}
