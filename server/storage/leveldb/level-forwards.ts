// ForwardStore on LevelDB: a JSON record per old name, written through the group commit.
import type { DocumentForward, ForwardStore } from '../forward-store.ts';
import { CorruptRecordError } from '../records.ts';
import type { BatchWriter } from './batch-writer.ts';
import { allForwardsRange, forwardKey } from './keys.ts';
import type { BatchOp, LevelDatabase } from './leveldb.ts';

export class LevelForwardStore implements ForwardStore {
  #db: LevelDatabase;
  #writer: BatchWriter;

  constructor(db: LevelDatabase, writer: BatchWriter) {
    this.#db = db;
    this.#writer = writer;
  }

  async get(name: string): Promise<DocumentForward | null> {
    const value = await this.#db.get(forwardKey(name));
    return value ? decodeForward(value, name) : null;
  }

  async list(): Promise<DocumentForward[]> {
    const forwards: DocumentForward[] = [];
    for await (const [key, value] of this.#db.entries(allForwardsRange())) forwards.push(decodeForward(value, key.toString('utf8', 1)));
    return forwards.sort((a, b) => a.at - b.at);
  }

  put(forward: DocumentForward): Promise<void> {
    return this.#writer.write([this.putOp(forward)]);
  }

  delete(name: string): Promise<void> {
    return this.#writer.write([this.deleteOp(name)]);
  }

  putOp(forward: DocumentForward): BatchOp {
    return { type: 'put', key: forwardKey(forward.name), value: Buffer.from(JSON.stringify(forward), 'utf8') };
  }

  deleteOp(name: string): BatchOp {
    return { type: 'del', key: forwardKey(name) };
  }
}

function decodeForward(value: Buffer, name: string): DocumentForward {
  try {
    return JSON.parse(value.toString('utf8')) as DocumentForward;
  } catch (error) {
    throw new CorruptRecordError(`forward of "${name}": not valid JSON (${(error as Error).message})`);
  }
}
