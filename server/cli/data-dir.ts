// CLI work straight on a data directory while the server is stopped: export a document, back everything up.
import { cp, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { render, type ExportFormat, type Rendered } from '../versions/render.ts';
import { writeBackup } from './backup-file.ts';
import { readDocumentState } from './document-state.ts';
import { withOfflineStore } from './offline-store.ts';
import type { Progress } from './progress.ts';

/** A document (or one of its versions) rendered from a stopped server's data directory. */
export async function exportFromDataDir(dataDir: string, name: string, format: ExportFormat, version?: number): Promise<Rendered> {
  // Opening the store takes LevelDB's lock: a running server makes this fail with a clear message.
  return withOfflineStore({ kind: 'leveldb', dataDir }, 'source', async (store) => {
    const state = version === undefined ? await readDocumentState(store, name) : await store.versions.state(name, version);
    if (!state) throw new AppError('not-found', `no document named "${name}"`);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    try {
      return await render(doc, format);
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
export async function backupDataDir(
  dataDir: string,
  out: string,
  format: BackupFormat,
  progress: { line: (text: string) => void; documents: (total: number) => Progress },
): Promise<void> {
  await withOfflineStore({ kind: 'leveldb', dataDir }, 'source', async (store) => {
    if (format === 'jsonl') return void (await writeBackup(store, out, progress.documents));
    if (await stat(out).catch(() => null)) throw new AppError('bad-request', `${out} already exists; choose a new directory`);
    const files = (await readdir(dataDir)).filter((file) => file !== 'LOCK');
    let done = 0;
    for (const file of files) {
      await cp(join(dataDir, file), join(out, file), { recursive: true });
      done += 1;
      progress.line(`backup: ${done}/${files.length} files`);
    }
    await writeFile(join(out, 'LOCK'), '');
  });
}
