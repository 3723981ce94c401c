// Picks the storage backend from the configuration: PostgreSQL with --database-url, LevelDB in --data-dir otherwise.
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { DocumentStore } from './document-store.ts';
import type { EventLogStore } from './event-log-store.ts';
import type { DocumentForward, ForwardStore } from './forward-store.ts';
import { LevelDocumentStore } from './leveldb/level-store.ts';
import type { OutboxStore } from './outbox-store.ts';
import type { OwnershipStore } from './ownership-store.ts';
import type { ShareLinkStore } from './share-link-store.ts';
import { redactUrl } from './postgres/database.ts';
import { PgDocumentStore } from './postgres/pg-store.ts';
import type { DurabilitySource } from './store-events.ts';
import type { VersionStore } from './version-store.ts';

/** Everything Tandem stores, behind one backend: documents, their versions, the webhook outbox and the change feed's events. */
export interface Store extends DocumentStore, DurabilitySource {
  readonly versions: VersionStore;
  readonly outbox: OutboxStore;
  /** The retained change-feed events, for Last-Event-ID resumes after a restart. */
  readonly events: EventLogStore;
  /** Share links and their revocations, seen by every instance. */
  readonly links: ShareLinkStore;
  /** Owner epochs for a cluster; null on LevelDB, which serves a single node only. */
  readonly ownership: OwnershipStore | null;
  /** Where renamed and deleted names went. */
  readonly forwards: ForwardStore;
  /** Deletes a document with its versions, retained events and share links, in one write; the document must be unloaded first. */
  deleteDocument(documentName: string): Promise<void>;
  /**
   * Moves a document with its versions and share links to the name `to`, in one write, leaves `forward` at
   * the old name (when given) and clears any forward at the new one. Both names must be unloaded. Throws
   * `not-found` when `from` is not stored and `already-exists` when `to` is. Its retained change-feed events
   * stay with the old name (their numbers are that name's).
   */
  moveDocument(from: string, to: string, forward: DocumentForward | null): Promise<void>;
}

export interface StoreDescription {
  kind: 'leveldb' | 'postgres';
  /** The data directory, or the database URL without its password. */
  location: string;
}

export function describeStore(config: Config): StoreDescription {
  return config.databaseUrl
    ? { kind: 'postgres', location: redactUrl(config.databaseUrl) }
    : { kind: 'leveldb', location: config.dataDir };
}

export async function openStore(config: Config, log: Logger): Promise<Store> {
  if (!config.databaseUrl) return LevelDocumentStore.open({ dataDir: config.dataDir, fsync: config.fsync });
  const where = redactUrl(config.databaseUrl);
  // Warn on the first failed attempt and then every ~30 s: a restarting database is news, not a flood.
  let warnedAt = 0;
  return PgDocumentStore.connect({
    url: config.databaseUrl,
    poolSize: config.databasePoolSize,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    // An owner whose transaction sat open for a whole lease has lost the lease too: its lock must not outlive it.
    idleInTransactionTimeoutMs: config.redisUrl ? config.leaseMs : undefined,
    migrate: config.databaseMigrate,
    onIdleError: (error) => log.warn({ err: error, database: where }, 'an idle PostgreSQL connection failed; the pool replaces it'),
    writerEvents: {
      retrying(error, attempt, delayMs) {
        if (attempt === 1 || Date.now() - warnedAt > 30_000) {
          warnedAt = Date.now();
          log.warn({ err: error, attempt, delayMs, database: where }, 'PostgreSQL is not taking writes; edits wait unacknowledged and are retried');
        }
      },
      recovered(attempts) {
        log.info({ attempts, database: where }, 'PostgreSQL is taking writes again');
      },
    },
  });
}
