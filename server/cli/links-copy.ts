// Copies share links, with the secret they are signed with, into a store: links made on the source keep working
// on the target (a server there signs and verifies with the same secret, unless --link-secret says otherwise).
import type { ShareLinkStore } from '../storage/share-link-store.ts';

export interface LinksCopy {
  /** Links written to the target (those it already had, by id, are left as they are). */
  copied: number;
  /**
   * The generated signing secret: copied, already the same, none on the source, or the target has another one
   * (then the source's links verify on a target server only with --link-secret set to the source's secret).
   */
  secret: 'copied' | 'same' | 'none' | 'differs';
}

export async function copyLinks(source: ShareLinkStore, target: ShareLinkStore): Promise<LinksCopy> {
  const links = await readOrNone(() => source.listAll(), []);
  const secret = await readOrNone(() => source.storedSecret(), null);
  let secretState: LinksCopy['secret'] = 'none';
  if (secret !== null) {
    const there = await target.storedSecret();
    secretState = there === null ? 'copied' : there === secret ? 'same' : 'differs';
    if (there === null) await target.signingSecret(() => secret);
  }
  let copied = 0;
  for (const link of links) {
    if (await target.get(link.id)) continue;
    await target.create(link);
    copied += 1;
  }
  return { copied, secret: secretState };
}

// A PostgreSQL source is not migrated: one from before share links (schema 5) has no table for them.
async function readOrNone<T>(read: () => Promise<T>, none: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if ((error as { code?: unknown }).code === '42P01') return none;
    throw error;
  }
}
