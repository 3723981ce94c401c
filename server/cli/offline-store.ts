// Opens a store for offline CLI work: a LevelDB data directory (its lock keeps a server out) or PostgreSQL.
import { readdir } from 'node:fs/promises';
import { AppError } from '../errors.ts';
import { LevelDocumentStore } from '../storage/leveldb/level-store.ts';
import type { Store } from '../storage/open-store.ts';
import { PgDocumentStore } from '../storage/postgres/pg-store.ts';
import type { StoreSpec } from './store-spec.ts';

/** Everything the store commands read and write: documents, their versions and the webhook outbox. */
export type OfflineStore = Store;

// Statements of a copy can be long (a large document's snapshot); a server's timeout is for interactive work.
const STATEMENT_TIMEOUT_MS = 10 * 60_000;

/**
 * `source`: must exist already, and is not changed (a PostgreSQL source's schema is not migrated). `target`: a
 * LevelDB directory is created, a PostgreSQL schema brought up to date. LevelDB takes its lock, so a running
 * server makes this fail with a message saying so; PostgreSQL has no such lock. A LevelDB target is written
 * with fsync on: a copy is only as good as its last write.
 */
export async function openOfflineStore(spec: StoreSpec, role: 'source' | 'target'): Promise<OfflineStore> {
  if (spec.kind === 'postgres') {
    return PgDocumentStore.connect({ url: spec.url, poolSize: 4, statementTimeoutMs: STATEMENT_TIMEOUT_MS, migrate: role === 'target' });
  }
  if (role === 'source') await assertDataDir(spec.dataDir);
  return LevelDocumentStore.open({ dataDir: spec.dataDir, fsync: role === 'target' });
}

/** Runs `work` on the opened store and closes it, also when `work` fails. */
export async function withOfflineStore<T>(spec: StoreSpec, role: 'source' | 'target', work: (store: OfflineStore) => Promise<T>): Promise<T> {
  const store = await openOfflineStore(spec, role);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function assertDataDir(dataDir: string): Promise<void> {
  const entries = await readdir(dataDir).catch((error: unknown) => {
    throw new AppError('not-found', `no data directory at ${dataDir}`, { cause: error });
  });
  if (!entries.includes('CURRENT')) throw new AppError('not-found', `${dataDir} is not a Tandem data directory`);
}
