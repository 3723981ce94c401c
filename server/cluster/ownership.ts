// Which documents this instance owns: claims leases for the documents its clients open, renews them, gives them
// back once the document unloads, and tells whoever listens when one was lost to another instance.
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ClusterStats } from './cluster-metrics.ts';
import type { LeaseHolder, LeaseTable } from './lease-table.ts';

/** Where a document is served: here, or by the instance that holds its lease. */
export type Placement = { local: true } | { local: false; owner: LeaseHolder };

export interface OwnershipOptions {
  leases: LeaseTable;
  /** This instance, as leases name it. */
  self: LeaseHolder;
  log: Logger;
  /** Counts claims and losses (cluster-metrics.ts). */
  stats: Pick<ClusterStats, 'leaseClaims' | 'leaseLosses'>;
  /** Whether the document is loaded here (or still unloading): its lease is kept until it is not. */
  isResident: (documentName: string) => boolean;
}

export type LostListener = (documentName: string) => void;

// When a lease is free for a moment (its owner just let it go) a claim and the read after it can both miss.
const PLACE_ATTEMPTS = 5;

export class Ownership {
  #options: OwnershipOptions;
  /** Leases held, with how many sessions, relays and direct connections use each. */
  #held = new Map<string, { refs: number }>();
  #lost = new Set<LostListener>();
  #timer: NodeJS.Timeout | null = null;
  #renewing = false;
  /** The error of the last failed Redis call, while Redis does not answer. */
  #unreachable: Error | null = null;
  #closed = false;

  constructor(options: OwnershipOptions) {
    this.#options = options;
  }

  /** While Redis does not answer: why. Owned documents keep being served (PostgreSQL fences them); new ones wait. */
  get unreachable(): Error | null {
    return this.#unreachable;
  }

  get ownedCount(): number {
    return this.#held.size;
  }

  owns(documentName: string): boolean {
    return this.#held.has(documentName);
  }

  /** The document's owned documents, for draining. */
  owned(): string[] {
    return [...this.#held.keys()];
  }

  onLost(listener: LostListener): () => void {
    this.#lost.add(listener);
    return () => this.#lost.delete(listener);
  }

  /**
   * Decides where a client's session of the document is served, claiming the lease when nobody holds it. A
   * local placement is a reference: `unref` it when the session ends. Throws `cluster-unavailable` while Redis
   * does not answer.
   */
  async place(documentName: string): Promise<Placement> {
    for (let attempt = 0; attempt < PLACE_ATTEMPTS; attempt++) {
      if (this.#ref(documentName)) return { local: true };
      const result = await this.#redis(() => this.#options.leases.claim(documentName));
      if (result.claimed) this.#options.stats.leaseClaims += 1;
      if (result.claimed || result.owner?.instance === this.#options.self.instance) {
        this.#held.set(documentName, { refs: (this.#held.get(documentName)?.refs ?? 0) + 1 });
        return { local: true };
      }
      if (result.owner) return { local: false, owner: result.owner };
    }
    throw new AppError('cluster-unavailable', `no owner could be established for document "${documentName}"; retrying`);
  }

  /** Like `place`, for a relay from another instance: true (a reference) when this instance owns the document. */
  async hold(documentName: string): Promise<boolean> {
    const placement = await this.place(documentName);
    return placement.local;
  }

  /** A session, relay or direct connection no longer uses the document here. */
  unref(documentName: string): void {
    const held = this.#held.get(documentName);
    if (!held) return;
    held.refs = Math.max(0, held.refs - 1);
    if (held.refs === 0 && !this.#options.isResident(documentName)) void this.#release(documentName);
  }

  /** The document unloaded: its lease goes back unless something here still uses it. */
  unloaded(documentName: string): void {
    const held = this.#held.get(documentName);
    if (held && held.refs === 0) void this.#release(documentName);
  }

  /** Throws unless this instance holds the document's lease (checked before a document loads). */
  assertOwner(documentName: string): void {
    if (!this.#held.has(documentName)) throw new AppError('owner-moved', `document "${documentName}" is owned by another instance`);
  }

  start(): void {
    const every = Math.max(100, Math.floor(this.#options.leases.leaseMs / 3));
    this.#timer = setInterval(() => void this.#renew(), every);
    this.#timer.unref();
  }

  /** Stops renewing and gives back every lease still held (after the documents unloaded). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    const names = [...this.#held.keys()];
    this.#held.clear();
    await Promise.allSettled(names.map((name) => this.#options.leases.release(name)));
  }

  #ref(documentName: string): boolean {
    const held = this.#held.get(documentName);
    if (!held) return false;
    held.refs += 1;
    return true;
  }

  async #renew(): Promise<void> {
    if (this.#renewing || this.#closed) return;
    this.#renewing = true;
    try {
      const names = [...this.#held.keys()];
      const lost = await this.#redis(() => this.#options.leases.renew(names));
      for (const name of lost) this.#loseLease(name);
    } catch {
      // #redis logged it and /readyz says it; the next tick tries again.
    } finally {
      this.#renewing = false;
    }
  }

  #loseLease(documentName: string): void {
    if (!this.#held.delete(documentName)) return;
    this.#options.stats.leaseLosses += 1;
    this.#options.log.warn({ doc: documentName }, 'lost the lease of a document to another instance; its sessions move there');
    for (const listener of this.#lost) listener(documentName);
  }

  /** Another write refused this instance's epoch: it no longer owns the document, whatever Redis says. */
  fencedOut(documentName: string): void {
    if (!this.#held.has(documentName)) return;
    this.#loseLease(documentName);
    // Whoever claimed the epoch should hold the lease; if it is still ours in Redis, it is stale.
    void this.#release(documentName);
  }

  async #release(documentName: string): Promise<void> {
    this.#held.delete(documentName);
    try {
      await this.#options.leases.release(documentName);
    } catch (error) {
      // It expires by itself within the lease.
      this.#options.log.debug({ doc: documentName, err: error }, 'releasing a lease failed; it expires by itself');
    }
  }

  async #redis<T>(call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      if (this.#unreachable) this.#options.log.info('Redis answers again; documents can be placed');
      this.#unreachable = null;
      return result;
    } catch (error) {
      if (!this.#unreachable) this.#options.log.warn({ err: error }, 'Redis does not answer; owned documents keep being served, new ones wait');
      this.#unreachable = error instanceof Error ? error : new Error(String(error));
      throw new AppError('cluster-unavailable', 'the cluster coordinator (Redis) does not answer; retrying', { cause: error });
    }
  }
}
