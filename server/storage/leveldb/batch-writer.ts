// Group commit on LevelDB: one atomic write batch per group, fsynced when asked, so an fsync per batch (not per
// update) keeps throughput while every write is still acknowledged.
import { GroupCommit } from '../group-commit.ts';
import type { BatchOp, LevelDatabase } from './leveldb.ts';

export class BatchWriter extends GroupCommit<BatchOp[], BatchOp> {
  #db: LevelDatabase;
  #sync: boolean;

  constructor(db: LevelDatabase, options: { sync: boolean }) {
    super();
    this.#db = db;
    this.#sync = options.sync;
  }

  protected newBatch(): BatchOp[] {
    return [];
  }

  protected add(ops: BatchOp[], op: BatchOp): void {
    ops.push(op);
  }

  protected store(ops: BatchOp[]): Promise<void> {
    return this.#db.batch(ops, this.#sync);
  }
}
