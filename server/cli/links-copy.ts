// Copies share links, with the secret they are signed with, into a store: links made on the source keep working
// on the target (a server there signs and verifies with the same secret, unless --link-secret says otherwise).
// A store's links go straight across (migrate-store); a backup carries them in its file (backup-file.ts).
import type { ShareLink, ShareLinkStore } from '../storage/share-link-store.ts';

export type SecretCopy = 'copied' | 'same' | 'none' | 'differs';

export interface LinksCopy {
  /** Links written to the target (those it already had, by id, are left as they are). */
  copied: number;
  /**
   * The generated signing secret: copied, already the same, none on the source, or the target has another one
   * (then the source's links verify on a target server only with --link-secret set to the source's secret).
   */
  secret: SecretCopy;
}

/** `refused`: documents not copied (the target holds another of that name): their links would open that one. */
export async function copyLinks(source: ShareLinkStore, target: ShareLinkStore, refused: ReadonlySet<string> = new Set()): Promise<LinksCopy> {
  const links = await readLinks(source);
  const secret = await writeSecret(target, await readSecret(source));
  let copied = 0;
  for (const link of links) if (!refused.has(link.document) && (await writeLink(target, link))) copied += 1;
  return { copied, secret };
}

/** Stores the source's signing secret (null: it had none) unless the target has one; says which it was. */
export async function writeSecret(target: ShareLinkStore, secret: string | null): Promise<SecretCopy> {
  if (secret === null) return 'none';
  const there = await target.storedSecret();
  if (there === null) await target.signingSecret(() => secret);
  return there === null ? 'copied' : there === secret ? 'same' : 'differs';
}

/** Stores `link` unless the target has one of its id; true when it was written. */
export async function writeLink(target: ShareLinkStore, link: ShareLink): Promise<boolean> {
  if (await target.get(link.id)) return false;
  await target.create(link);
  return true;
}

/** Every link of a store; none from a PostgreSQL store from before share links (schema 5, no table for them). */
export function readLinks(source: ShareLinkStore): Promise<ShareLink[]> {
  return readOrNone(() => source.listAll(), []);
}

/** The store's generated signing secret, or null (none made, or a PostgreSQL store from before share links). */
export function readSecret(source: ShareLinkStore): Promise<string | null> {
  return readOrNone(() => source.storedSecret(), null);
}

async function readOrNone<T>(read: () => Promise<T>, none: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if ((error as { code?: unknown }).code === '42P01') return none;
    throw error;
  }
}
