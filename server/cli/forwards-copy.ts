// Copies the forwarding addresses of renamed and deleted names into a store, so editors that come back to an
// old name after a migration or a restore are still told where its document went. A forward the target has is
// left alone.
import type { DocumentForward, ForwardStore } from '../storage/forward-store.ts';

export async function copyForwards(source: ForwardStore, target: ForwardStore): Promise<number> {
  let copied = 0;
  for (const forward of await readForwards(source)) if (await writeForward(target, forward)) copied += 1;
  return copied;
}

/** Every forward of a store; none from a PostgreSQL store from before forwards (schema 6, no table for them). */
export async function readForwards(source: ForwardStore): Promise<DocumentForward[]> {
  try {
    return await source.list();
  } catch (error) {
    if ((error as { code?: unknown }).code === '42P01') return [];
    throw error;
  }
}

/** Stores `forward` unless the target has one for its name; true when it was written. */
export async function writeForward(target: ForwardStore, forward: DocumentForward): Promise<boolean> {
  if (await target.get(forward.name)) return false;
  await target.put(forward);
  return true;
}
