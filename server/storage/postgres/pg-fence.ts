// Fencing on PostgreSQL: the check a batch of fenced writes opens with, and turning its refusal into FencedOut.
import { FencedOut } from '../fenced-out.ts';
import type { Statement } from './database.ts';

/** The SQLSTATE Tandem's own refusals raise (migration 5): a stale epoch, or a number another instance stored. */
export const FENCED_OUT_SQLSTATE = 'TD409';

/** The statement that refuses the transaction unless each document still has its epoch (tandem_fence, migration 5). */
export function fenceStatement(epochs: ReadonlyMap<string, number>): Statement {
  return {
    name: 'tandem-fence',
    text: 'SELECT tandem_fence($1::text[], $2::bigint[])',
    values: [[...epochs.keys()], [...epochs.values()]],
  };
}

/** The FencedOut a PostgreSQL error stands for, or null when it is another error. */
export function fencedOutOf(error: unknown): FencedOut | null {
  const { code, detail } = (error ?? {}) as { code?: unknown; detail?: unknown };
  if (code !== FENCED_OUT_SQLSTATE) return null;
  let documents: string[] = [];
  try {
    const parsed: unknown = JSON.parse(String(detail));
    if (Array.isArray(parsed)) documents = parsed.map(String);
  } catch {
    // The refusal stands without names: every write of the batch is refused all the same.
  }
  return new FencedOut(documents, { cause: error });
}
