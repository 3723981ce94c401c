// Every document store backend, opened the same way, for the contract suites that run over all of them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import type { Store } from '../../server/storage/open-store.ts';
import { PgDocumentStore } from '../../server/storage/postgres/pg-store.ts';
import pg from 'pg';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';

/** The whole store, as the server gets it from openStore(). */
export type OpenedStore = Store;

export interface StoreOptions {
  versionsFullEvery?: number;
}

export interface Backend {
  name: string;
  /** Why this backend cannot run here (for `{ skip }`), or undefined. */
  skip?: string;
  /** A new, empty place (a data dir, a database) for one case. */
  place(): Promise<string>;
  /** Opens the store on `place`; the same place again after `close` reopens what was stored. */
  open(place: string, options?: StoreOptions): Promise<OpenedStore>;
  /**
   * Makes the storage at `place` refuse every later write for good, from outside the store (as a broken
   * disk or a dropped table would); absent where that cannot be done without killing the process.
   */
  breakStorage?(place: string): Promise<void>;
  /** Deletes every place and stops what the backend started; for `after`. */
  dispose(): Promise<void>;
}

function leveldb(): Backend {
  const dirs: string[] = [];
  return {
    name: 'leveldb',
    async place() {
      const dir = await mkdtemp(join(tmpdir(), 'tandem-contract-'));
      dirs.push(dir);
      return dir;
    },
    async open(dataDir, options = {}) {
      const store = await LevelDocumentStore.open({ dataDir, fsync: false, versionsFullEvery: options.versionsFullEvery });
      return store;
    },
    async dispose() {
      await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

function postgres(): Backend {
  // One server per test file, started by the first case that needs it; a database per case.
  let server: Promise<TestPostgres> | null = null;
  return {
    name: 'postgres',
    skip: postgresMissing() ?? undefined,
    async place() {
      server ??= startPostgres();
      return (await server).createDatabase('contract');
    },
    async open(url, options = {}) {
      const store = await PgDocumentStore.connect({ url, poolSize: 4, versionsFullEvery: options.versionsFullEvery });
      return store;
    },
    async breakStorage(url) {
      // A table gone is an error no retry can fix: the store must stop writing, not wait.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('ALTER TABLE tandem_log RENAME TO tandem_log_gone');
      } finally {
        await client.end();
      }
    },
    async dispose() {
      const started = server;
      server = null;
      if (started) await (await started).close();
    },
  };
}

/** One of each backend; call `dispose()` on each in `after`. */
export function backends(): Backend[] {
  return [leveldb(), postgres()];
}
