// The cluster layer (docs/scale-out.md): Redis leases for ownership, client sessions routed to each document's
// owner, relays accepted from other instances, documents given up when their lease or epoch is lost. A single
// node never loads this module.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { WebSocket } from 'ws';
import type { Config } from '../config.ts';
import type { Durability } from '../documents/durability.ts';
import type { Hub } from '../documents/hub.ts';
import { editorSchemaHeader } from '../auth/editor-schema-gate.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { FencedOut } from '../storage/fenced-out.ts';
import type { OwnershipStore } from '../storage/ownership-store.ts';
import { redactUrl } from '../storage/postgres/database.ts';
import { ClientRouter } from './client-router.ts';
import type { DocumentSession, SessionContext } from './document-session.ts';
import { LeaseTable, type LeaseHolder } from './lease-table.ts';
import { LocalRoute } from './local-route.ts';
import { Ownership } from './ownership.ts';
import { relayProofValid } from './relay-auth.ts';
import { RemoteRoute } from './remote-route.ts';
import type { Route } from './route.ts';
import { newClusterStats, registerClusterMetrics } from './cluster-metrics.ts';

export interface ClusterOptions {
  config: Config;
  hub: Hub;
  durability: Durability;
  log: Logger;
  /** Where the cluster's metrics are registered (cluster-metrics.ts). */
  registry?: Registry;
  /** The epochs that fence each document's writes (PostgreSQL). */
  epochs: OwnershipStore;
}

/** What a client socket gives its router: where frames for the client go, and its ack ledger. */
export interface ClientSide {
  toClient(frame: Uint8Array): void;
  closeClient(code: number, reason: string): void;
  expectUnpromptedStep2(address: string): void;
  /** The client's upgrade request, as Hocuspocus hooks see it. */
  request: Request;
  clientAddress: string;
}

const RETRY_DELAYS_MS = [50, 100, 200, 300, 500];

export class Cluster {
  readonly ownership: Ownership;
  readonly self: LeaseHolder;
  readonly stats = newClusterStats();
  #options: ClusterOptions;
  #redis: Redis;
  #secret: string;
  #sessions = new Map<string, Set<DocumentSession>>();
  #relays = new Map<string, Set<WebSocket>>();
  /** Documents being unloaded after a write of theirs failed: sessions wait before serving them here again. */
  #evicting = new Map<string, Promise<void>>();

  constructor(options: ClusterOptions) {
    const { config, hub, log } = options;
    if (!config.redisUrl || !config.clusterSecret) throw new AppError('config-invalid', 'a cluster needs --redis-url and --cluster-secret');
    this.#options = options;
    this.#secret = config.clusterSecret;
    this.self = { instance: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`, url: config.advertiseUrl ?? '' };
    // Commands fail fast while Redis is away (no offline queue): callers retry, and /readyz says why.
    this.#redis = new Redis(config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
      lazyConnect: true,
    });
    this.#redis.on('error', (error) => log.debug({ err: error, redis: redactUrl(config.redisUrl ?? '') }, 'Redis connection error'));
    this.ownership = new Ownership({
      leases: new LeaseTable(this.#redis, this.self, config.leaseMs),
      self: this.self,
      log,
      stats: this.stats,
      isResident: (documentName) => hub.isResident(documentName),
    });
    this.ownership.onLost((documentName) => this.#giveUp(documentName));
    options.durability.onFailure((failure) => {
      // The document's memory holds updates its store did not take: it is reloaded before serving again.
      // First the lease, so sessions leaving the document below look for the new owner, not this instance.
      // A bystander that only shared the refused batch stays this instance's; it reloads after compacting.
      if (failure.cause instanceof FencedOut && failure.cause.names(failure.documentName)) {
        this.stats.fencedWrites += 1;
        this.ownership.fencedOut(failure.documentName);
      }
      this.#evict(failure.documentName);
    });
    if (options.registry) {
      registerClusterMetrics(options.registry, this.stats, {
        documentsOwned: () => this.ownership.ownedCount,
        sessions: () => {
          const counts = { local: 0, remote: 0 };
          for (const sessions of this.#sessions.values()) for (const session of sessions) if (session.route) counts[session.route.local ? 'local' : 'remote'] += 1;
          return counts;
        },
        unacknowledgedFrames: () => {
          let frames = 0;
          for (const sessions of this.#sessions.values()) for (const session of sessions) frames += session.unacknowledged;
          return frames;
        },
        relaysIn: () => [...this.#relays.values()].reduce((sum, set) => sum + set.size, 0),
        coordinatorUp: () => this.readiness() === null,
      });
    }
  }

  /** Connects to Redis (waiting for it, as a restarting Redis is no reason not to start) and starts renewing. */
  async start(): Promise<void> {
    await this.#redis.connect().catch((error: unknown) => {
      this.#options.log.warn({ err: error }, 'Redis does not answer yet; documents will be placed once it does');
    });
    this.ownership.start();
  }

  /** The URL other instances relay to, once the server listens (unless --advertise-url gave it). */
  listening(websocketUrl: string): void {
    if (!this.self.url) this.self.url = websocketUrl;
  }

  /**
   * Holds a document name on this instance (its lease) until the returned release is called, so no other
   * instance loads it meanwhile (a rename's or a restore's target); refused while another instance has it.
   */
  async reserve(documentName: string): Promise<() => void> {
    const placement = await this.ownership.place(documentName);
    if (!placement.local) {
      throw new AppError('document-unavailable', `document "${documentName}" is open on another instance; try again once it is closed`);
    }
    return () => this.ownership.unref(documentName);
  }

  readiness(): { ready: boolean; reason: string } | null {
    const unreachable = this.ownership.unreachable ?? (this.#redis.status === 'ready' ? null : new Error(this.#redis.status));
    if (unreachable) return { ready: false, reason: 'cluster coordinator (Redis) unreachable; owned documents are served, others wait' };
    return null;
  }

  /** A client socket's router: its documents are served here or relayed to their owners. */
  router(client: ClientSide): ClientRouter {
    const { config, hub, durability, log } = this.#options;
    const editorSchema = editorSchemaHeader(client.request);
    const context: SessionContext = {
      place: (documentName) => this.ownership.place(documentName),
      unref: (documentName) => this.ownership.unref(documentName),
      openLocal: async (documentName, events): Promise<Route> => {
        await this.#evicting.get(documentName);
        // The lease may have gone while the document unloaded: the session then looks for the owner again.
        this.ownership.assertOwner(documentName);
        return new LocalRoute({ hocuspocus: hub.hocuspocus, documentName, request: client.request, gate: durability.whenDurable }, events);
      },
      openRemote: (owner, documentName, events) =>
        new RemoteRoute(
          { ownerUrl: owner.url, documentName, secret: this.#secret, clientAddress: client.clientAddress, editorSchema, silenceMs: config.leaseMs, stats: this.stats },
          events,
        ),
      toClient: client.toClient,
      closeClient: client.closeClient,
      expectUnpromptedStep2: client.expectUnpromptedStep2,
      retryDelayMs: (attempt) => RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] as number,
      onRouted: (_session, _route, moved) => {
        if (moved) this.stats.sessionMoves += 1;
      },
      log,
    };
    return new ClientRouter({
      context,
      maxDocuments: config.maxDocumentsPerConnection,
      track: (session) => this.#track(this.#sessions, session.documentName, session),
    });
  }

  /** Whether a relay upgrade carries this cluster's proof for the document. */
  relayAuthorized(documentName: string, proof: string | undefined): boolean {
    return relayProofValid(this.#secret, documentName, proof);
  }

  /** Takes a reference for a relay from another instance: false when this instance does not own the document. */
  holdForRelay(documentName: string): Promise<boolean> {
    return this.ownership.hold(documentName);
  }

  /** An accepted relay socket: closed with "owner moved" if the document leaves this instance. */
  relayOpened(documentName: string, socket: WebSocket): void {
    const untrack = this.#track(this.#relays, documentName, socket);
    socket.once('close', () => {
      untrack();
      this.ownership.unref(documentName);
    });
  }

  /**
   * Called before a document loads here: refuses unless this instance holds its lease, then claims a new epoch
   * in PostgreSQL, which from now on refuses the writes of any earlier owner (a paused one that resumes).
   */
  async claim(documentName: string): Promise<number> {
    this.ownership.assertOwner(documentName);
    return this.#options.epochs.claim(documentName);
  }

  /** The document unloaded here: its lease goes back unless a session is about to use it again. */
  unloaded(documentName: string): void {
    this.ownership.unloaded(documentName);
  }

  async close(): Promise<void> {
    await this.ownership.close();
    this.#redis.disconnect();
  }

  /** Another instance owns the document now: sessions and relays here go there. */
  #giveUp(documentName: string): void {
    for (const socket of this.#relays.get(documentName) ?? []) socket.close(4300, 'owner moved');
    for (const session of this.#sessions.get(documentName) ?? []) if (session.route?.local) session.move();
  }

  #evict(documentName: string): void {
    if (this.#evicting.has(documentName) || !this.#options.hub.isResident(documentName)) return;
    const { hub } = this.#options;
    const unloaded = (async () => {
      // Its connections are the sessions and relays here (direct connections end by themselves): once they
      // are gone Hocuspocus unloads it, and the next load reads only what the store took.
      this.#giveUp(documentName);
      const deadline = Date.now() + 10_000;
      while (hub.isResident(documentName) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    })().finally(() => this.#evicting.delete(documentName));
    this.#evicting.set(documentName, unloaded);
  }

  #track<T>(map: Map<string, Set<T>>, documentName: string, item: T): () => void {
    let set = map.get(documentName);
    if (!set) map.set(documentName, (set = new Set()));
    set.add(item);
    return () => {
      set.delete(item);
      if (set.size === 0 && map.get(documentName) === set) map.delete(documentName);
    };
  }
}
