// Opens a store for offline CLI work: a LevelDB data directory (its lock keeps a server out) or PostgreSQL.
import { readdir } from 'node:fs/promises';
import { AppError } from '../errors.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import { LevelDocumentStore } from '../storage/leveldb/level-store.ts';
import type { OutboxStore } from '../storage/outbox-store.ts';
import type { VersionStore } from '../storage/version-store.ts';
import { describeStore, type StoreSpec } from './store-spec.ts';

/** Everything the store commands read and write: documents, their versions and the webhook outbox. */
export interface OfflineStore extends DocumentStore {
  readonly versions: VersionStore;
  readonly outbox: OutboxStore;
}

/**
 * `source`: must exist already. `target`: a LevelDB directory is created, a PostgreSQL schema brought up to
 * date. LevelDB is opened with fsync on: a copy is only as good as its last write.
 */
export async function openOfflineStore(spec: StoreSpec, role: 'source' | 'target'): Promise<OfflineStore> {
  if (spec.kind === 'postgres') throw new AppError('bad-request', `${describeStore(spec)}: PostgreSQL stores are not supported by this command yet`);
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
