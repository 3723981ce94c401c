// Copies the webhook outbox (pending deliveries and dead letters, under their sequence numbers) into a store.
import { AppError } from '../errors.ts';
import type { DeadLetter, Delivery, OutboxStore } from '../storage/outbox-store.ts';

export interface OutboxCopy {
  pending: number;
  deadLetters: number;
  /** Records written by this run (the rest were there from an earlier one). */
  copied: number;
}

// Dead letters are read in one call: the interface pages by count only, and the outbox is small.
const ALL = Number.MAX_SAFE_INTEGER;

/**
 * Copies every pending delivery and dead letter the target lacks, keeping sequence numbers, then checks the
 * target's outbox equals the source's. Refuses, writing nothing, when the target holds other records.
 */
export async function copyOutbox(source: OutboxStore, target: OutboxStore): Promise<OutboxCopy> {
  const { pending, dead, records: from } = await readOutbox(source);
  const { records: before } = await readOutbox(target);
  const foreign = [...before.entries()].filter(([seq, record]) => from.get(seq) !== record).map(([seq]) => seq);
  if (foreign.length > 0) {
    throw new AppError(
      'bad-request',
      `the target's webhook outbox holds ${foreign.length} record(s) the source does not (sequence ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}); ` +
        'was a server run on the target? Copy into an empty store',
    );
  }
  const missingPending = pending.filter((delivery) => !before.has(delivery.seq));
  const missingDead = dead.filter((letter) => !before.has(letter.seq));
  if (missingPending.length > 0) await target.put(missingPending);
  // A dead letter is stored by burying its delivery; there is none pending on the target, so only the letter is written.
  for (const letter of missingDead) await target.bury(letter);

  const { records: after } = await readOutbox(target);
  const differing = [...from.keys()].filter((seq) => after.get(seq) !== from.get(seq));
  if (differing.length > 0 || after.size !== from.size) {
    throw new AppError('storage-failed', `the target's webhook outbox does not read back as copied (sequence ${differing.slice(0, 5).join(', ') || 'count'})`);
  }
  return { pending: pending.length, deadLetters: dead.length, copied: missingPending.length + missingDead.length };
}

/** The outbox's records, and each by sequence number as canonical JSON marking pending or dead, for comparing. */
async function readOutbox(outbox: OutboxStore): Promise<{ pending: Delivery[]; dead: DeadLetter[]; records: Map<number, string> }> {
  const { pending } = await outbox.load();
  const dead = await outbox.deadLetters(ALL);
  const records = new Map<number, string>();
  for (const delivery of pending) records.set(delivery.seq, canonical('pending', delivery));
  for (const letter of dead) records.set(letter.seq, canonical('dead', letter));
  return { pending, dead, records };
}

function canonical(state: 'pending' | 'dead', record: Delivery | DeadLetter): string {
  const entries = Object.entries(record)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]): [string, unknown] => [key, key === 'createdAt' || key === 'deadAt' ? Date.parse(value as string) : value])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([state, entries]);
}
