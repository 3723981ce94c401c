// The storage interface for named versions: full document states, stored compactly beside the document.

export type VersionKind = 'manual' | 'auto' | 'before-restore' | 'imported';

export const VERSION_KINDS: readonly VersionKind[] = ['manual', 'auto', 'before-restore', 'imported'];

/** What is known about a version without reading its content. */
export interface VersionMeta {
  /** Per-document number, increasing with time. */
  id: number;
  createdAt: string;
  label: string;
  author: string | null;
  kind: VersionKind;
  /** Bytes of the full Yjs state this version stands for. */
  stateBytes: number;
  /** Bytes actually stored: the whole state, or the delta against the previous version. */
  storedBytes: number;
  encoding: 'full' | 'delta';
}

export interface NewVersion {
  label: string;
  author: string | null;
  kind: VersionKind;
}

export interface VersionStore {
  /** Every version of a document, oldest first. */
  list(documentName: string): Promise<VersionMeta[]>;
  get(documentName: string, id: number): Promise<VersionMeta | undefined>;
  /** Stores `state` (a full Yjs update, as from Y.encodeStateAsUpdate) as the document's newest version. */
  add(documentName: string, state: Uint8Array, info: NewVersion): Promise<VersionMeta>;
  /** The full Yjs state of a version; rejects with not-found when there is no such version. */
  state(documentName: string, id: number): Promise<Uint8Array>;
  /** Deletes one version; the versions stored as deltas on top of it are rewritten first. */
  delete(documentName: string, id: number): Promise<void>;
}
