// OwnershipStore on PostgreSQL: one epoch row per document in tandem_owners, bumped by each claim.
import { AppError } from '../../errors.ts';
import type { OwnershipStore } from '../ownership-store.ts';
import { retryWhileUnreachable, type PgDatabase } from './database.ts';

export class PgOwnershipStore implements OwnershipStore {
  #database: PgDatabase;
  #waitMs: number;
  #listeners = new Set<(documentName: string) => void>();
  /** The epoch of each document this instance claimed last (a few bytes per document it ever owned). */
  #claimed = new Map<string, number>();

  /** `waitMs`: how long a claim waits for an unreachable PostgreSQL before it fails. */
  constructor(database: PgDatabase, waitMs: number) {
    this.#database = database;
    this.#waitMs = waitMs;
  }

  async claim(documentName: string): Promise<number> {
    let rows: Array<{ epoch: string }>;
    try {
      // A claim retried after its COMMIT's answer was lost bumps twice: harmless, epochs need only grow. The
      // UPDATE waits for any batch holding the row FOR SHARE (tandem_fence), so the caller loads after it.
      rows = await retryWhileUnreachable(
        () =>
          this.#database.query<{ epoch: string }>({
            name: 'tandem-owner-claim',
            text: `INSERT INTO tandem_owners (name, epoch) VALUES ($1, 1)
                   ON CONFLICT (name) DO UPDATE SET epoch = tandem_owners.epoch + 1 RETURNING epoch`,
            values: [documentName],
          }),
        this.#waitMs,
      );
    } catch (error) {
      throw new AppError('storage-failed', `document "${documentName}" cannot be claimed in PostgreSQL`, { cause: error });
    }
    const epoch = Number(rows[0]!.epoch);
    this.#claimed.set(documentName, epoch);
    for (const listener of this.#listeners) listener(documentName);
    return epoch;
  }

  /** The epoch this instance got when it last claimed the document, or undefined if it never did. */
  claimedEpoch(documentName: string): number | undefined {
    return this.#claimed.get(documentName);
  }

  onClaimed(listener: (documentName: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
