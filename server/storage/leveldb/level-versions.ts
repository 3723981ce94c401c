// VersionStore on LevelDB: a chain of deltas (each against the previous version) with a full state every N.
import * as Y from 'yjs';
import { AppError } from '../../errors.ts';
import type { BatchWriter } from './batch-writer.ts';
import { seqFromVersionKey, versionDataKey, versionDataRange, versionMetaKey, versionMetaRange } from './keys.ts';
import type { BatchOp, LevelDatabase } from './leveldb.ts';
import { CorruptRecordError } from '../records.ts';
import {
  decodeVersionData,
  decodeVersionMeta,
  encodeVersionData,
  encodeVersionMeta,
  publicVersionMeta,
  type StoredVersionMeta,
} from '../version-records.ts';
import type { CopiedVersion, NewVersion, VersionMeta, VersionStore } from '../version-store.ts';

/** A full state at least every this many versions bounds the deltas applied to read one. */
export const DEFAULT_FULL_EVERY = 10;

export class LevelVersionStore implements VersionStore {
  #db: LevelDatabase;
  #writer: BatchWriter;
  #fullEvery: number;
  // Changes to one document's chain are serialized: each delta depends on its predecessor.
  #locks = new Map<string, Promise<unknown>>();
  // Each document's version metadata, read once: automatic versions of a busy document come often.
  #cache = new Map<string, Chain>();

  constructor(db: LevelDatabase, writer: BatchWriter, options: { fullEvery?: number } = {}) {
    this.#db = db;
    this.#writer = writer;
    this.#fullEvery = options.fullEvery ?? DEFAULT_FULL_EVERY;
  }

  async list(documentName: string): Promise<VersionMeta[]> {
    return (await this.#chain(documentName)).metas.map(publicVersionMeta);
  }

  async get(documentName: string, id: number): Promise<VersionMeta | undefined> {
    const meta = (await this.#chain(documentName)).metas.find((candidate) => candidate.id === id);
    return meta ? publicVersionMeta(meta) : undefined;
  }

  add(documentName: string, source: Y.Doc | Uint8Array, info: NewVersion): Promise<VersionMeta> {
    return this.#append(documentName, source, info, null);
  }

  addCopied(documentName: string, version: CopiedVersion, state: Uint8Array): Promise<VersionMeta> {
    return this.#append(documentName, state, version, version);
  }

  /** Appends a version: a new one (`kept` null), or a copied one keeping its id and creation time. */
  #append(documentName: string, source: Y.Doc | Uint8Array, info: NewVersion, kept: CopiedVersion | null): Promise<VersionMeta> {
    return this.#serialized(documentName, async () => {
      const chain = await this.#chain(documentName);
      const { metas } = chain;
      const previous = metas.at(-1);
      if (kept && kept.id < chain.nextId) {
        throw new AppError('bad-request', `${where(documentName, kept.id)} cannot be copied in: its versions already reach id ${chain.nextId - 1}`);
      }
      // Ids are never reused, also after the newest version was deleted: the counter is stored.
      const id = kept?.id ?? chain.nextId;
      const full = !previous || countSinceFull(metas) + 1 >= this.#fullEvery;
      // From a live doc, a delta is encoded directly (under a millisecond for a 300 KB document); only the
      // full states cost a whole encoding.
      const update =
        source instanceof Y.Doc
          ? full
            ? Y.encodeStateAsUpdate(source)
            : Y.encodeStateAsUpdate(source, fromBase64(previous.stateVector))
          : full
            ? source
            : Y.diffUpdate(source, fromBase64(previous.stateVector));
      const stateVector = source instanceof Y.Doc ? Y.encodeStateVector(source) : Y.encodeStateVectorFromUpdate(source);
      const data = encodeVersionData({ encoding: full ? 'full' : 'delta', update });
      const meta: StoredVersionMeta = {
        id,
        createdAt: kept?.createdAt ?? new Date().toISOString(),
        label: info.label,
        author: info.author,
        kind: info.kind,
        size: data.length,
        encoding: full ? 'full' : 'delta',
        stateVector: toBase64(stateVector),
      };
      await this.#writer.write([
        { type: 'put', key: versionDataKey(documentName, id), value: data },
        { type: 'put', key: versionMetaKey(documentName, id), value: encodeVersionMeta(meta) },
        { type: 'put', key: versionMetaKey(documentName, COUNTER_ID), value: encodeCounter(id + 1) },
      ]);
      metas.push(meta);
      chain.nextId = id + 1;
      return publicVersionMeta(meta);
    });
  }

  async state(documentName: string, id: number): Promise<Uint8Array> {
    try {
      return await this.#stateOf((await this.#chain(documentName)).metas, documentName, id);
    } catch (error) {
      if (error instanceof CorruptRecordError) {
        throw new AppError('document-unavailable', `${where(documentName, id)} cannot be read: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  delete(documentName: string, id: number): Promise<void> {
    return this.#serialized(documentName, async () => {
      const chain = await this.#chain(documentName);
      const { metas } = chain;
      const index = metas.findIndex((meta) => meta.id === id);
      const target = metas[index];
      if (!target) throw new AppError('not-found', `document "${documentName}" has no version ${id}`);
      const ops: BatchOp[] = [
        { type: 'del', key: versionMetaKey(documentName, id) },
        { type: 'del', key: versionDataKey(documentName, id) },
      ];
      const next = metas[index + 1];
      if (next && next.encoding === 'delta') {
        // The next version is stored on top of this one: re-encode it against what remains below it.
        const state = await this.#stateOf(metas, documentName, next.id);
        const previous = metas[index - 1];
        const full = !previous || target.encoding === 'full';
        const update = full ? state : Y.diffUpdate(state, fromBase64(previous.stateVector));
        const data = encodeVersionData({ encoding: full ? 'full' : 'delta', update });
        const rewritten: StoredVersionMeta = { ...next, encoding: full ? 'full' : 'delta', size: data.length };
        ops.push(
          { type: 'put', key: versionDataKey(documentName, next.id), value: data },
          { type: 'put', key: versionMetaKey(documentName, next.id), value: encodeVersionMeta(rewritten) },
        );
        this.#cache.delete(documentName);
        await this.#writer.write(ops);
        metas.splice(index, 2, rewritten);
      } else {
        this.#cache.delete(documentName);
        await this.#writer.write(ops);
        metas.splice(index, 1);
      }
      this.#cache.set(documentName, chain);
    });
  }

  /** Delete operations for every version of a document, for deleting the document in one batch. */
  async deleteAllOps(documentName: string): Promise<BatchOp[]> {
    this.#cache.delete(documentName);
    const ops: BatchOp[] = [];
    for (const range of [versionMetaRange(documentName), versionDataRange(documentName)]) {
      for await (const [key] of this.#db.entries(range)) ops.push({ type: 'del', key });
    }
    return ops;
  }

  async #chain(documentName: string): Promise<Chain> {
    const cached = this.#cache.get(documentName);
    if (cached) return cached;
    const chain: Chain = { metas: [], nextId: 1 };
    for await (const [key, value] of this.#db.entries(versionMetaRange(documentName))) {
      const id = seqFromVersionKey(key);
      if (id === COUNTER_ID) chain.nextId = Math.max(chain.nextId, decodeCounter(value, where(documentName, id)));
      else chain.metas.push(decodeVersionMeta(value, where(documentName, id)));
    }
    chain.nextId = Math.max(chain.nextId, (chain.metas.at(-1)?.id ?? 0) + 1);
    this.#cache.set(documentName, chain);
    return chain;
  }

  async #stateOf(metas: StoredVersionMeta[], documentName: string, id: number): Promise<Uint8Array> {
    const index = metas.findIndex((meta) => meta.id === id);
    if (index < 0) throw new AppError('not-found', `document "${documentName}" has no version ${id}`);
    let first = index;
    while (first > 0 && metas[first]!.encoding === 'delta') first -= 1;
    if (metas[first]!.encoding !== 'full') {
      throw new CorruptRecordError(`${where(documentName, id)}: the chain has no full state to start from`);
    }
    const doc = new Y.Doc({ gc: true });
    try {
      for (let i = first; i <= index; i += 1) {
        const meta = metas[i]!;
        const value = await this.#db.get(versionDataKey(documentName, meta.id));
        if (!value) throw new CorruptRecordError(`${where(documentName, meta.id)}: content is missing`);
        Y.applyUpdate(doc, decodeVersionData(value, where(documentName, meta.id)).update);
      }
      return Y.encodeStateAsUpdate(doc);
    } finally {
      doc.destroy();
    }
  }

  async #serialized<T>(documentName: string, work: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(documentName) ?? Promise.resolve();
    const result = before.then(work, work);
    const settled = result.catch(() => undefined);
    this.#locks.set(documentName, settled);
    try {
      return await result;
    } finally {
      if (this.#locks.get(documentName) === settled) this.#locks.delete(documentName);
    }
  }
}

/** A document's versions, oldest first, and the id the next one gets. */
interface Chain {
  metas: StoredVersionMeta[];
  nextId: number;
}

// Version ids start at 1; the metadata key with id 0 holds the document's next version id.
const COUNTER_ID = 0;

function encodeCounter(nextId: number): Buffer {
  return Buffer.from(JSON.stringify({ nextId }), 'utf8');
}

function decodeCounter(value: Buffer, where: string): number {
  try {
    const { nextId } = JSON.parse(value.toString('utf8')) as { nextId: unknown };
    if (typeof nextId === 'number' && Number.isSafeInteger(nextId) && nextId >= 1) return nextId;
  } catch (error) {
    throw new CorruptRecordError(`${where}: version counter is not valid JSON (${(error as Error).message})`);
  }
  throw new CorruptRecordError(`${where}: version counter holds no valid next id`);
}

function countSinceFull(metas: StoredVersionMeta[]): number {
  let count = 0;
  for (let i = metas.length - 1; i >= 0 && metas[i]!.encoding === 'delta'; i -= 1) count += 1;
  return count;
}

function where(documentName: string, id: number): string {
  return `version ${id} of "${documentName}"`;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
