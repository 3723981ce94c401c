// A document's whole Yjs state read through the store interface, and the comparisons copies are verified with.
import * as Y from 'yjs';
import type { DocumentStore } from '../storage/document-store.ts';

/** The document's full state (snapshot and log applied), or null when the store holds no such document. */
export async function readDocumentState(store: DocumentStore, name: string): Promise<Uint8Array | null> {
  if (!(await store.getMeta(name))) return null;
  const { log, snapshot, updates } = await store.open(name);
  try {
    return stateFrom(snapshot, updates);
  } finally {
    await log.close();
  }
}

/** One full state from a stored snapshot and the updates after it. */
export function stateFrom(snapshot: Uint8Array | null, updates: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  try {
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const update of updates) Y.applyUpdate(doc, update);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * Whether two states hold the same content: the same state vector and the same delete set. The state vector
 * alone misses a deletion (it adds no struct); the bytes differ between stores that merged structs differently.
 */
export function sameContent(a: Uint8Array, b: Uint8Array): boolean {
  return Y.equalSnapshots(snapshotOf(a), snapshotOf(b));
}

/**
 * Whether `part` holds nothing that `whole` lacks, as a copy of `whole` taken earlier (or interrupted) does.
 * A document edited on its own, or another document of the same name, has structs or deletions of its own.
 */
export function containedIn(part: Uint8Array, whole: Uint8Array): boolean {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, whole);
    const before = Y.snapshot(doc);
    Y.applyUpdate(doc, part);
    // Structs waiting for ones `whole` lacks do not show in the state vector, but they are not in `whole` either.
    if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return false;
    return Y.equalSnapshots(before, Y.snapshot(doc));
  } finally {
    doc.destroy();
  }
}

function snapshotOf(state: Uint8Array): Y.Snapshot {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    return Y.snapshot(doc);
  } finally {
    doc.destroy();
  }
}
