// The version chain's records on LevelDB: metadata and content under version keys, a counter at id 0.
import type { BatchWriter } from './batch-writer.ts';
import { seqFromVersionKey, versionDataKey, versionDataRange, versionMetaKey, versionMetaRange } from './keys.ts';
import type { BatchOp, LevelDatabase } from './leveldb.ts';
import { CorruptRecordError } from '../records.ts';
import { decodeVersionMeta, encodeVersionMeta, type StoredVersionMeta } from '../version-records.ts';
import type { VersionChange, VersionRecords } from '../version-chain.ts';

// Version ids start at 1; the metadata key with id 0 holds the document's next version id, so the counter
// lies in the document's metadata range and goes with it.
const COUNTER_ID = 0;

export class LevelVersionRecords implements VersionRecords {
  #db: LevelDatabase;
  #writer: BatchWriter;

  constructor(db: LevelDatabase, writer: BatchWriter) {
    this.#db = db;
    this.#writer = writer;
  }

  async readChain(documentName: string): Promise<{ metas: StoredVersionMeta[]; nextId: number }> {
    const metas: StoredVersionMeta[] = [];
    let nextId = 1;
    for await (const [key, value] of this.#db.entries(versionMetaRange(documentName))) {
      const id = seqFromVersionKey(key);
      if (id === COUNTER_ID) nextId = decodeCounter(value, where(documentName, id));
      else metas.push(decodeVersionMeta(value, where(documentName, id)));
    }
    return { metas, nextId };
  }

  readData(documentName: string, id: number): Promise<Buffer | undefined> {
    return this.#db.get(versionDataKey(documentName, id));
  }

  write(documentName: string, change: VersionChange): Promise<void> {
    const ops: BatchOp[] = [];
    for (const id of change.remove) {
      ops.push({ type: 'del', key: versionMetaKey(documentName, id) }, { type: 'del', key: versionDataKey(documentName, id) });
    }
    for (const { meta, data } of change.put) {
      ops.push(
        { type: 'put', key: versionDataKey(documentName, meta.id), value: data },
        { type: 'put', key: versionMetaKey(documentName, meta.id), value: encodeVersionMeta(meta) },
      );
    }
    if (change.nextId !== undefined) {
      ops.push({ type: 'put', key: versionMetaKey(documentName, COUNTER_ID), value: encodeCounter(change.nextId) });
    }
    return this.#writer.write(ops);
  }

  /** Delete operations for every version of a document and its counter, for deleting the document in one batch. */
  async deleteAllOps(documentName: string): Promise<BatchOp[]> {
    const ops: BatchOp[] = [];
    for (const range of [versionMetaRange(documentName), versionDataRange(documentName)]) {
      for await (const [key] of this.#db.entries(range)) ops.push({ type: 'del', key });
    }
    return ops;
  }
}

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

function where(documentName: string, id: number): string {
  return `version ${id} of "${documentName}"`;
}
