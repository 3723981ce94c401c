// The storage interface for owning documents in a cluster: an epoch per document that fences out stale owners.

/**
 * Who may write a document, in a cluster on PostgreSQL (LevelDB is single-node: Store.ownership is null).
 * The owner claims the document, opens it with the epoch it got (`DocumentStore.open(name, { epoch })`), and
 * from the moment another instance claims it, every write made under the older epoch is refused (FencedOut).
 */
export interface OwnershipStore {
  /** Makes the caller the document's owner: bumps and returns its epoch. Writes made under an older epoch are refused from now on. */
  claim(documentName: string): Promise<number>;
  /**
   * Calls `listener` after each claim this instance made, before `claim` resolves, so that whatever numbers
   * a document's records from memory (the change feed's event numbers) reads them again. Returns the
   * function that removes it.
   */
  onClaimed(listener: (documentName: string) => void): () => void;
}
