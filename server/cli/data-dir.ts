// CLI work straight on a data directory while the server is stopped: export a document, back everything up.
import { cp, readdir, stat, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { LevelDocumentStore } from '../storage/leveldb/level-store.ts';
import { render, type ExportFormat, type Rendered } from '../versions/render.ts';

/** Opening the store takes LevelDB's lock: a running server makes this fail with a clear message. */
async function withStore<T>(dataDir: string, work: (store: LevelDocumentStore) => Promise<T>): Promise<T> {
  const entries = await readdir(dataDir).catch((error: unknown) => {
    throw new AppError('not-found', `no data directory at ${dataDir}`, { cause: error });
  });
  if (!entries.includes('CURRENT')) throw new AppError('not-found', `${dataDir} is not a Tandem data directory`);
  const store = await LevelDocumentStore.open({ dataDir, fsync: false });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function documentState(store: LevelDocumentStore, name: string): Promise<Uint8Array> {
  if (!(await store.getMeta(name))) throw new AppError('not-found', `no document named "${name}"`);
  const { log, snapshot, updates } = await store.open(name);
  try {
    const doc = new Y.Doc();
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const update of updates) Y.applyUpdate(doc, update);
    const state = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    return state;
  } finally {
    await log.close();
  }
}

/** A document (or one of its versions) rendered from a stopped server's data directory. */
export async function exportFromDataDir(dataDir: string, name: string, format: ExportFormat, version?: number): Promise<Rendered> {
  return withStore(dataDir, async (store) => {
    const state = version === undefined ? await documentState(store, name) : await store.versions.state(name, version);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    try {
      return render(doc, format);
    } finally {
      doc.destroy();
    }
  });
}

export type BackupFormat = 'copy' | 'jsonl';

/**
 * `copy`: the whole LevelDB directory, file by file, while holding its lock. `jsonl`: one JSON line per
 * document with its metadata, full state and every version (states base64), readable without Tandem.
 */
export async function backupDataDir(dataDir: string, out: string, format: BackupFormat, progress: (line: string) => void): Promise<void> {
  await withStore(dataDir, async (store) => {
    if (format === 'copy') {
      if (await stat(out).catch(() => null)) throw new AppError('bad-request', `${out} already exists; choose a new directory`);
      const files = (await readdir(dataDir)).filter((file) => file !== 'LOCK');
      let done = 0;
      for (const file of files) {
        await cp(join(dataDir, file), join(out, file), { recursive: true });
        done += 1;
        progress(`backup: ${done}/${files.length} files`);
      }
      await writeFile(join(out, 'LOCK'), '');
      return;
    }
    const documents = await store.listDocuments();
    const stream = createWriteStream(out);
    let done = 0;
    for (const meta of documents) {
      const versions = [];
      for (const version of await store.versions.list(meta.name)) {
        versions.push({ ...version, state: base64(await store.versions.state(meta.name, version.id)) });
      }
      const line = JSON.stringify({ name: meta.name, meta, state: base64(await documentState(store, meta.name)), versions });
      if (!stream.write(`${line}\n`)) await once(stream, 'drain');
      done += 1;
      progress(`backup: ${done}/${documents.length} documents`);
    }
    stream.end();
    await once(stream, 'finish');
  });
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
