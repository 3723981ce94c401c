// The storage interface for share links: who made which link to which document with which role, and whether
// it was revoked. The link itself (a signed token) is not stored: it is signed again from this record.

/** What a link lets its holder do: read (view), comment, or write (edit). Never admin. */
export const LINK_ROLES = ['read', 'comment', 'write'] as const;
export type LinkRole = (typeof LINK_ROLES)[number];

export interface ShareLink {
  /** Random, URL-safe; named in the signed token, so a link can be revoked. */
  id: string;
  document: string;
  role: LinkRole;
  /** Who made it: the token's `sub`, or `admin-token`. */
  createdBy: string;
  /** ms since the epoch. */
  createdAt: number;
  /** ms since the epoch; null: valid until revoked. */
  expiresAt: number | null;
  /** ms since the epoch; null while the link works. */
  revokedAt: number | null;
}

/** Every write goes through the store's group commit: it resolves once durable. */
export interface ShareLinkStore {
  /**
   * The secret links are signed with when --link-secret is not set: made once, on first need, and shared by
   * every instance of a cluster (the first to store it wins; the others read that one).
   */
  signingSecret(make: () => string): Promise<string>;
  /** The stored signing secret, or null when none was made yet (for copying a store; never makes one). */
  storedSecret(): Promise<string | null>;
  /** Stores a link as given, revoked or not; a link already stored under its id is left as it is. */
  create(link: ShareLink): Promise<void>;
  get(id: string): Promise<ShareLink | null>;
  /** Every link of every document (for copying a store). */
  listAll(): Promise<ShareLink[]>;
  /** A document's links, oldest first, revoked ones included. */
  list(document: string): Promise<ShareLink[]>;
  /** Marks a link revoked (once: a second revoke keeps the first time); null when there is no such link. */
  revoke(id: string, at: number): Promise<ShareLink | null>;
  /** The ids among `ids` of links that are revoked or gone. */
  revokedAmong(ids: readonly string[]): Promise<string[]>;
  /** Deletes every link of a document (the document itself was deleted). */
  deleteDocument(document: string): Promise<void>;
}
