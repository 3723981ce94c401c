// Copies the forwarding addresses of renamed and deleted names into a store, so editors that come back to an
// old name after a migration are still told where its document went. A forward the target has is left alone.
import type { ForwardStore } from '../storage/forward-store.ts';

export async function copyForwards(source: ForwardStore, target: ForwardStore): Promise<number> {
  let forwards;
  try {
    forwards = await source.list();
  } catch (error) {
    // A PostgreSQL source from before forwards (schema 6) has no table for them: nothing to copy.
    if ((error as { code?: unknown }).code === '42P01') return 0;
    throw error;
  }
  let copied = 0;
  for (const forward of forwards) {
    if (await target.get(forward.name)) continue;
    await target.put(forward);
    copied += 1;
  }
  return copied;
}
