// The JSON-lines backup: one line per document with its metadata, full state and every version (states base64);
// then one line per share link, one per forwarding address of a renamed or deleted name, and one with the links'
// generated signing secret, so links and old names keep working after a restore. Files from before links and
// forwards hold document lines only, and restore as they did.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { DocumentMeta } from '../storage/document-store.ts';
import type { DocumentForward } from '../storage/forward-store.ts';
import type { Store } from '../storage/open-store.ts';
import { LINK_ROLES, type ShareLink } from '../storage/share-link-store.ts';
import { VERSION_KINDS, type VersionKind, type VersionMeta } from '../storage/version-store.ts';
import { readDocumentState } from './document-state.ts';
import type { SourceDocument } from './document-copy.ts';
import { readForwards } from './forwards-copy.ts';
import { readLinks, readSecret } from './links-copy.ts';
import type { Progress } from './progress.ts';

export interface BackupLine {
  name: string;
  meta: DocumentMeta;
  state: string;
  versions: Array<VersionMeta & { state: string }>;
}

/** What a backup file holds, line by line: documents first. */
export type BackupEntry =
  | { kind: 'document'; document: SourceDocument }
  | { kind: 'link'; link: ShareLink }
  | { kind: 'forward'; forward: DocumentForward }
  | { kind: 'link-secret'; secret: string };

// The lines that are not documents start with their one key, as JSON.stringify writes them.
const NOT_DOCUMENT_PREFIXES = ['{"link":', '{"forward":', '{"linkSecret":'];

/**
 * Writes every document of `store` to `out`, through a `.partial` file renamed at the end: a backup that was
 * stopped halfway never looks complete.
 */
export async function writeBackup(store: Store, out: string, progress: (total: number) => Progress): Promise<number> {
  const names = (await store.listDocuments()).map((meta) => meta.name).sort();
  const partial = `${out}.partial`;
  const stream = createWriteStream(partial);
  const write = async (line: unknown): Promise<void> => {
    if (!stream.write(`${JSON.stringify(line)}\n`)) await once(stream, 'drain');
  };
  const bar = progress(names.length);
  let written = 0;
  try {
    for (const name of names) {
      const line = await backupLine(store, name);
      if (line) {
        await write(line);
        written += 1;
      }
      bar.tick(name);
    }
    for (const link of await readLinks(store.links)) await write({ link });
    for (const forward of await readForwards(store.forwards)) await write({ forward });
    const secret = await readSecret(store.links);
    if (secret !== null) await write({ linkSecret: secret });
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

async function backupLine(store: Store, name: string): Promise<BackupLine | null> {
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

const millis = z.number().int().nonnegative();

const documentLine = z.object({
  name: z.string().min(1),
  state: z.base64(),
  versions: z.array(versionLine),
});

const linkLine = z.object({
  link: z.object({
    id: z.string().min(1),
    document: z.string().min(1),
    role: z.enum(LINK_ROLES),
    createdBy: z.string(),
    createdAt: millis,
    expiresAt: millis.nullable(),
    revokedAt: millis.nullable(),
  }),
});

const forwardLine = z.object({
  forward: z.object({ name: z.string().min(1), kind: z.enum(['renamed', 'deleted']), to: z.string().min(1), at: millis, by: z.string() }),
});

const secretLine = z.object({ linkSecret: z.string().min(1) });

/** The entries of a backup file, one line at a time; a malformed line stops the reading, naming its number. */
export async function* readBackup(file: string): AsyncGenerator<BackupEntry> {
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
  for await (const text of await lines(file)) if (text.trim() !== '' && !NOT_DOCUMENT_PREFIXES.some((prefix) => text.startsWith(prefix))) count += 1;
  return count;
}

async function lines(file: string): Promise<AsyncIterable<string>> {
  const input = createReadStream(file);
  await once(input, 'open').catch((error: unknown) => {
    throw new AppError('not-found', `cannot read the backup ${file}: ${(error as Error).message}`, { cause: error });
  });
  return createInterface({ input, crlfDelay: Infinity });
}

function parseLine(text: string, where: string): BackupEntry {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError('bad-request', `${where}: not JSON (${(error as Error).message}); is this a \`tandem backup --format jsonl\` file?`, { cause: error });
  }
  if (typeof json === 'object' && json !== null) {
    if ('link' in json) return { kind: 'link', link: checked(linkLine, json, where).link };
    if ('forward' in json) return { kind: 'forward', forward: checked(forwardLine, json, where).forward };
    if ('linkSecret' in json) return { kind: 'link-secret', secret: checked(secretLine, json, where).linkSecret };
  }
  const line = checked(documentLine, json, where);
  const ids = line.versions.map((version) => version.id);
  if (ids.some((id, i) => i > 0 && id <= ids[i - 1]!)) throw new AppError('bad-request', `${where}: version ids must increase (got ${ids.join(', ')})`);
  return {
    kind: 'document',
    document: {
      name: line.name,
      state: fromBase64(line.state),
      versions: line.versions.map(({ state, ...meta }) => ({ meta, state: () => Promise.resolve(fromBase64(state)) })),
    },
  };
}

function checked<T>(schema: z.ZodType<T>, json: unknown, where: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('bad-request', `${where}: ${issue.path.join('.') || 'line'} ${issue.message}`);
  }
  return parsed.data;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
