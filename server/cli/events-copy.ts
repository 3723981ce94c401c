// Copies a document's retained change-feed events into a store under their numbers, so SSE ids go on from there.
import { AppError } from '../errors.ts';
import type { EventLogStore } from '../storage/event-log-store.ts';

// A document retains a few events (--sse-retained-events and a quarter more): they are read in one call.
const ALL = Number.MAX_SAFE_INTEGER;

export type EventsCopy = { status: 'copied'; events: number } | { status: 'kept' };

/**
 * Copies the events the target lacks, then checks they read back. Without them a server on the target would
 * number the document's events from 1 again, and a client resuming with an id it saw on the source would skip
 * the new events that reuse it. A target holding events of its own for the document (a server ran on it) keeps
 * them and gets none: its numbers go on from its own highest.
 */
export async function copyEvents(source: EventLogStore, target: EventLogStore, name: string): Promise<EventsCopy> {
  const events = await source.read(name, 0, ALL);
  const bodies = new Map(events.map((event) => [event.seq, event.body]));
  const there = await target.read(name, 0, ALL);
  if (there.some((event) => bodies.get(event.seq) !== event.body)) return { status: 'kept' };
  const present = new Set(there.map((event) => event.seq));
  const missing = events.filter((event) => !present.has(event.seq));
  if (missing.length > 0) await target.append(name, missing);
  const after = await target.read(name, 0, ALL);
  if (after.length !== events.length || after.some((event) => bodies.get(event.seq) !== event.body)) {
    throw new AppError('storage-failed', `the change-feed events of ${JSON.stringify(name)} do not read back as copied from the target`);
  }
  return { status: 'copied', events: missing.length };
}
