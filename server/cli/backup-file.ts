// The JSON-lines backup: one line per document with its metadata, full state and every version (states base64).
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { DocumentMeta, DocumentStore } from '../storage/document-store.ts';
import { VERSION_KINDS, type VersionKind, type VersionMeta, type VersionStore } from '../storage/version-store.ts';
import { readDocumentState } from './document-state.ts';
import type { SourceDocument } from './document-copy.ts';
import type { Progress } from './progress.ts';

export interface BackupLine {
  name: string;
  meta: DocumentMeta;
  state: string;
  versions: Array<VersionMeta & { state: string }>;
}

/**
 * Writes every document of `store` to `out`, through a `.partial` file renamed at the end: a backup that was
 * stopped halfway never looks complete.
 */
export async function writeBackup(
  store: DocumentStore & { versions: VersionStore },
  out: string,
  progress: (total: number) => Progress,
): Promise<number> {
  const names = (await store.listDocuments()).map((meta) => meta.name).sort();
  const partial = `${out}.partial`;
  const stream = createWriteStream(partial);
  const bar = progress(names.length);
  let written = 0;
  try {
    for (const name of names) {
      const line = await backupLine(store, name);
      if (line) {
        if (!stream.write(`${JSON.stringify(line)}\n`)) await once(stream, 'drain');
        written += 1;
      }
      bar.tick(name);
    }
    stream.end();
    await once(stream, 'finish');
  } catch (error) {
    stream.destroy();
    await rm(partial, { force: true });
    throw error;
  } finally {
    bar.stop();
  }
  await rename(partial, out);
  return written;
}

async function backupLine(store: DocumentStore & { versions: VersionStore }, name: string): Promise<BackupLine | null> {
  const meta = await store.getMeta(name);
  const state = await readDocumentState(store, name);
  // Deleted since it was listed (a PostgreSQL store whose server runs): not in this backup.
  if (!meta || !state) return null;
  const versions = [];
  for (const version of await store.versions.list(name)) {
    versions.push({ ...version, state: base64(await store.versions.state(name, version.id)) });
  }
  return { name, meta, state: base64(state), versions };
}

const versionLine = z.object({
  id: z.number().int().positive(),
  createdAt: z.iso.datetime({ offset: true }),
  label: z.string(),
  author: z.string().nullable(),
  kind: z.custom<VersionKind>((kind) => VERSION_KINDS.includes(kind as VersionKind), { message: `must be one of ${VERSION_KINDS.join(', ')}` }),
  state: z.base64(),
});

const documentLine = z.object({
  name: z.string().min(1),
  state: z.base64(),
  versions: z.array(versionLine),
});

/** The documents of a backup file, one line at a time; a malformed line stops the reading, naming its number. */
export async function* readBackup(file: string): AsyncGenerator<SourceDocument> {
  let number = 0;
  for await (const text of await lines(file)) {
    number += 1;
    if (text.trim() === '') continue;
    yield parseLine(text, `${file}:${number}`);
  }
}

/** How many documents a backup file holds, for the progress bar: one pass counting lines. */
export async function countBackup(file: string): Promise<number> {
  let count = 0;
  for await (const text of await lines(file)) if (text.trim() !== '') count += 1;
  return count;
}

async function lines(file: string): Promise<AsyncIterable<string>> {
  const input = createReadStream(file);
  await once(input, 'open').catch((error: unknown) => {
    throw new AppError('not-found', `cannot read the backup ${file}: ${(error as Error).message}`, { cause: error });
  });
  return createInterface({ input, crlfDelay: Infinity });
}

function parseLine(text: string, where: string): SourceDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError('bad-request', `${where}: not JSON (${(error as Error).message}); is this a \`tandem backup --format jsonl\` file?`, { cause: error });
  }
  const parsed = documentLine.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('bad-request', `${where}: ${issue.path.join('.') || 'line'} ${issue.message}`);
  }
  const line = parsed.data;
  const ids = line.versions.map((version) => version.id);
  if (ids.some((id, i) => i > 0 && id <= ids[i - 1]!)) throw new AppError('bad-request', `${where}: version ids must increase (got ${ids.join(', ')})`);
  return {
    name: line.name,
    state: fromBase64(line.state),
    versions: line.versions.map(({ state, ...meta }) => ({ meta, state: () => Promise.resolve(fromBase64(state)) })),
  };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
