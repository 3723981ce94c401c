// The storage interface for forwarding addresses: what became of a document name that was renamed or deleted,
// so an editor that reconnects to the old name (a stale tab, an offline copy, another instance) is told where
// the document went instead of bringing an empty document of that name into being.

export interface DocumentForward {
  /** The name the document had. */
  name: string;
  kind: 'renamed' | 'deleted';
  /** The new name (renamed), or the name it is kept under in the trash (deleted). */
  to: string;
  /** ms since the epoch. */
  at: number;
  /** Who did it: the caller's `sub`, `admin-token`, or `anonymous`. */
  by: string;
}

export interface ForwardStore {
  get(name: string): Promise<DocumentForward | null>;
  /** Every forward, oldest first (for the trash sweep and for copying a store). */
  list(): Promise<DocumentForward[]>;
  /** Stores a forward as given, replacing any of that name (for copying a store). */
  put(forward: DocumentForward): Promise<void>;
  /** Removes the forward of a name, when a document of that name is made again or the forward expired. */
  delete(name: string): Promise<void>;
}
