// The storage interface for named versions: full document states, stored compactly beside the document.
import type * as Y from 'yjs';
import type { VersionKind, VersionMeta } from '../../common/api-types.ts';

export type { VersionKind, VersionMeta };

export const VERSION_KINDS: readonly VersionKind[] = ['manual', 'auto', 'before-restore', 'imported'];

export interface NewVersion {
  label: string;
  author: string | null;
  kind: VersionKind;
}

/** A version copied from another store, with what identifies it there (`tandem migrate-store`, `tandem restore`). */
export interface CopiedVersion extends NewVersion {
  id: number;
  createdAt: string;
}

export interface VersionStore {
  /** Every version of a document, oldest first. */
  list(documentName: string): Promise<VersionMeta[]>;
  get(documentName: string, id: number): Promise<VersionMeta | undefined>;
  /**
   * Stores the document's newest version: a live doc's state when the store gets to it (after the versions
   * before it), or `state`, a full Yjs update (as from Y.encodeStateAsUpdate) captured by the caller.
   */
  add(documentName: string, source: Y.Doc | Uint8Array, info: NewVersion): Promise<VersionMeta>;
  /**
   * Stores a version copied from another store under its own id and creation time; `state` is its full Yjs
   * state. Ids only grow: rejects with bad-request unless `version.id` is above every id the document has had.
   */
  addCopied(documentName: string, version: CopiedVersion, state: Uint8Array): Promise<VersionMeta>;
  /** The full Yjs state of a version; rejects with not-found when there is no such version. */
  state(documentName: string, id: number): Promise<Uint8Array>;
  /** Deletes one version; the versions stored as deltas on top of it are rewritten first. */
  delete(documentName: string, id: number): Promise<void>;
}
