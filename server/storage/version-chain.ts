// VersionStore over any backend: a chain of deltas (each against the previous version) with a full state every N.
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { CorruptRecordError } from './records.ts';
import { decodeVersionData, encodeVersionData, publicVersionMeta, type StoredVersionMeta } from './version-records.ts';
import type { CopiedVersion, NewVersion, VersionMeta, VersionStore } from './version-store.ts';

/** A full state at least every this many versions bounds the deltas applied to read one. */
export const DEFAULT_FULL_EVERY = 10;

/** One atomic change to a document's versions: removals are applied before puts. */
export interface VersionChange {
  /** Versions to store, new or rewritten under their id, with their content (encodeVersionData). */
  put: Array<{ meta: StoredVersionMeta; data: Buffer }>;
  /** Ids of versions to delete, metadata and content. */
  remove: number[];
  /** The id the document's next version gets, when it changed. */
  nextId?: number;
}

/** What a backend stores for the chain: records by document and id, and a counter that ids never go below. */
export interface VersionRecords {
  /** Every stored version's metadata of a document, oldest first, and the stored next id (1 if none). */
  readChain(documentName: string): Promise<{ metas: StoredVersionMeta[]; nextId: number }>;
  /** The content record (encodeVersionData) of one version, or undefined. */
  readData(documentName: string, id: number): Promise<Buffer | undefined>;
  /** Applies the whole change or none of it; resolves once it is durable, rejects if it failed. */
  write(documentName: string, change: VersionChange): Promise<void>;
}

/** A document's versions, oldest first, and the id the next one gets. */
interface Chain {
  metas: StoredVersionMeta[];
  nextId: number;
}

export class ChainedVersionStore implements VersionStore {
  #records: VersionRecords;
  #fullEvery: number;
  // Changes to one document's chain are serialized (each delta depends on its predecessor), and content reads
  // with them (a delete removes one record and rewrites the next while a read may be walking the chain).
  #locks = new Map<string, Promise<unknown>>();
  // Each document's version metadata, read once: automatic versions of a busy document come often.
  #cache = new Map<string, Chain>();
  // Counts cache invalidations, so a chain read while one happened is not cached.
  #invalidations = 0;

  constructor(records: VersionRecords, options: { fullEvery?: number } = {}) {
    this.#records = records;
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
      await this.#write(documentName, { put: [{ meta, data }], remove: [], nextId: id + 1 });
      metas.push(meta);
      chain.nextId = id + 1;
      this.#cache.set(documentName, chain);
      return publicVersionMeta(meta);
    });
  }

  async state(documentName: string, id: number): Promise<Uint8Array> {
    try {
      return await this.#serialized(documentName, async () => this.#stateOf((await this.#chain(documentName)).metas, documentName, id));
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
      const next = metas[index + 1];
      if (next && next.encoding === 'delta') {
        // The next version is stored on top of this one: re-encode it against what remains below it.
        const state = await this.#stateOf(metas, documentName, next.id);
        const previous = metas[index - 1];
        const full = !previous || target.encoding === 'full';
        const update = full ? state : Y.diffUpdate(state, fromBase64(previous.stateVector));
        const data = encodeVersionData({ encoding: full ? 'full' : 'delta', update });
        const rewritten: StoredVersionMeta = { ...next, encoding: full ? 'full' : 'delta', size: data.length };
        await this.#write(documentName, { put: [{ meta: rewritten, data }], remove: [id] });
        metas.splice(index, 2, rewritten);
      } else {
        await this.#write(documentName, { put: [], remove: [id] });
        metas.splice(index, 1);
      }
      this.#cache.set(documentName, chain);
    });
  }

  /**
   * Drops what is cached of a document's versions, after the changes under way: the next use reads them
   * again. For when another instance may have changed them (it owned the document meanwhile).
   */
  forget(documentName: string): Promise<void> {
    return this.#serialized(documentName, async () => this.#forget(documentName));
  }

  /**
   * Runs `deletion`, the backend's write deleting the document with all its versions (and their counter),
   * while no other change to the document's versions runs; the cached chain goes with it.
   */
  deleteDocument<T>(documentName: string, deletion: () => Promise<T>): Promise<T> {
    return this.#serialized(documentName, async () => {
      this.#forget(documentName);
      try {
        return await deletion();
      } finally {
        this.#forget(documentName);
      }
    });
  }

  async #write(documentName: string, change: VersionChange): Promise<void> {
    try {
      await this.#records.write(documentName, change);
    } catch (error) {
      // A failed write may still have landed (a commit whose answer was lost): read storage afresh next time.
      this.#forget(documentName);
      throw error;
    }
  }

  #forget(documentName: string): void {
    this.#cache.delete(documentName);
    this.#invalidations += 1;
  }

  async #chain(documentName: string): Promise<Chain> {
    const cached = this.#cache.get(documentName);
    if (cached) return cached;
    const invalidations = this.#invalidations;
    const stored = await this.#records.readChain(documentName);
    const chain: Chain = { metas: stored.metas, nextId: Math.max(stored.nextId, (stored.metas.at(-1)?.id ?? 0) + 1) };
    // A read that overlapped a failed write or a document deletion may be stale: used once, never kept.
    if (invalidations !== this.#invalidations) return chain;
    const raced = this.#cache.get(documentName);
    if (raced) return raced;
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
        const value = await this.#records.readData(documentName, meta.id);
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
