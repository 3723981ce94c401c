// A promise-based wrapper around leveldown: the only module that talks to the native binding.
import { createRequire } from 'node:module';
import type { LevelDown } from 'leveldown';
import type { KeyRange } from './keys.ts';

// leveldown is CommonJS whose types declare an ES default export; require() gives the real constructor.
const leveldown = createRequire(import.meta.url)('leveldown') as (location: string) => LevelDown;

export type BatchOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

export class LevelDatabase {
  readonly location: string;
  #db: LevelDown;
  #open = false;
  /** compactRange calls still running: close waits for them (the native handle must outlive them). */
  #compactions = new Set<Promise<void>>();

  private constructor(location: string) {
    this.location = location;
    this.#db = leveldown(location);
  }

  static async open(location: string): Promise<LevelDatabase> {
    const database = new LevelDatabase(location);
    await new Promise<void>((resolve, reject) =>
      database.#db.open({ createIfMissing: true, errorIfExists: false }, (error) => (error ? reject(error) : resolve())),
    );
    database.#open = true;
    return database;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    if (!this.#open) return Promise.reject(closedError(this.location));
    return new Promise((resolve, reject) =>
      this.#db.get(key, { asBuffer: true }, (error, value) => {
        if (error) {
          if (/NotFound/i.test(error.message)) resolve(undefined);
          else reject(error);
        } else resolve(value as Buffer);
      }),
    );
  }

  /** Applies all operations atomically; `sync` waits for the OS to flush them to the disk. */
  batch(ops: BatchOp[], sync: boolean): Promise<void> {
    if (!this.#open) return Promise.reject(closedError(this.location));
    return new Promise((resolve, reject) =>
      this.#db.batch(ops, { sync }, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Yields [key, value] pairs of a range in key order. */
  async *entries(range: KeyRange): AsyncGenerator<[Buffer, Buffer]> {
    if (!this.#open) throw closedError(this.location);
    const iterator = this.#db.iterator({ gte: range.gte, lt: range.lt, keyAsBuffer: true, valueAsBuffer: true });
    try {
      while (true) {
        const entry = await new Promise<[Buffer, Buffer] | undefined>((resolve, reject) =>
          iterator.next((error, key, value) => {
            if (error) reject(error);
            else resolve(key === undefined ? undefined : [key as Buffer, value as Buffer]);
          }),
        );
        if (!entry) return;
        yield entry;
      }
    } finally {
      await new Promise<void>((resolve, reject) => iterator.end((error) => (error ? reject(error) : resolve())));
    }
  }

  /** Yields the keys of a range (without reading values), newest first when `reverse`, at most `limit` of them. */
  async *keys(range: KeyRange, options: { reverse?: boolean; limit?: number } = {}): AsyncGenerator<Buffer> {
    if (!this.#open) throw closedError(this.location);
    const iterator = this.#db.iterator({
      gte: range.gte,
      lt: range.lt,
      reverse: options.reverse ?? false,
      limit: options.limit ?? -1,
      keyAsBuffer: true,
      values: false,
    });
    try {
      while (true) {
        const key = await new Promise<Buffer | undefined>((resolve, reject) =>
          iterator.next((error, next) => (error ? reject(error) : resolve(next as Buffer | undefined))),
        );
        if (!key) return;
        yield key;
      }
    } finally {
      await new Promise<void>((resolve, reject) => iterator.end((error) => (error ? reject(error) : resolve())));
    }
  }

  /** The last key of a range, or undefined when the range is empty. */
  async lastKey(range: KeyRange): Promise<Buffer | undefined> {
    if (!this.#open) throw closedError(this.location);
    const iterator = this.#db.iterator({ gte: range.gte, lt: range.lt, reverse: true, limit: 1, keyAsBuffer: true, values: false });
    try {
      return await new Promise<Buffer | undefined>((resolve, reject) =>
        iterator.next((error, key) => (error ? reject(error) : resolve(key as Buffer | undefined))),
      );
    } finally {
      await new Promise<void>((resolve, reject) => iterator.end((error) => (error ? reject(error) : resolve())));
    }
  }

  /** Deletes a whole key range (not atomic with other writes: use for data no reader can see). */
  clear(range: KeyRange): Promise<void> {
    if (!this.#open) return Promise.reject(closedError(this.location));
    return new Promise((resolve, reject) =>
      this.#db.clear({ gte: range.gte, lt: range.lt }, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * Has LevelDB compact the files holding a key range now, dropping deleted entries and overwritten values
   * it would otherwise keep until its own compaction reaches them. Runs on a libuv worker thread.
   */
  compactRange(range: KeyRange): Promise<void> {
    if (!this.#open) return Promise.reject(closedError(this.location));
    const running = new Promise<void>((resolve, reject) =>
      this.#db.compactRange(range.gte, range.lt, (error) => (error ? reject(error) : resolve())),
    );
    this.#compactions.add(running);
    const forget = () => this.#compactions.delete(running);
    running.then(forget, forget);
    return running;
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await Promise.allSettled([...this.#compactions]);
    await new Promise<void>((resolve, reject) => this.#db.close((error) => (error ? reject(error) : resolve())));
  }
}

// leveldown's native code crashes the process (SIGSEGV) on a closed handle; refuse in JS first.
function closedError(location: string): Error {
  return new Error(`LevelDB at ${location} is closed`);
}
