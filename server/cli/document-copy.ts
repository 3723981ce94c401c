// Copies one document (its whole state and every version) into a store, and verifies what the store then holds.
import * as Y from 'yjs';
import type { CopiedVersion, VersionMeta } from '../storage/version-store.ts';
import { isAppError } from '../errors.ts';
import { containedIn, readDocumentState, sameContent, stateFrom } from './document-state.ts';
import type { OfflineStore } from './offline-store.ts';

/** One document as the copy commands see it: read from a store (migrate-store) or a backup line (restore). */
export interface SourceDocument {
  name: string;
  /** Its full Yjs state. */
  state: Uint8Array;
  /** Oldest first. */
  versions: SourceVersion[];
}

export interface SourceVersion {
  meta: CopiedVersion;
  /** The version's full Yjs state; read when needed, so a document's versions are not all held at once. */
  state(): Promise<Uint8Array>;
}

export type CopyOutcome =
  /** `copied`: the target had no such document; `completed`: it held an earlier state of it; `present`: the same. */
  | { status: 'copied' | 'completed' | 'present'; versionsCopied: number }
  /** The target holds something else under this name: not copied (checked before writing, but for a version counter). */
  | { status: 'conflict'; reason: string }
  /** Written, but the target does not read back what the source holds. */
  | { status: 'mismatch'; reason: string };

/**
 * Copies `source` into `target` unless the target's document has content or versions of its own, then
 * verifies the document's state and every version's. Running it again after an interruption finishes the
 * copy: a target state contained in the source's is completed, versions already there are kept.
 */
export async function copyDocument(target: OfflineStore, source: SourceDocument): Promise<CopyOutcome> {
  const { name } = source;
  const targetVersions = await target.versions.list(name);
  const versionConflict = versionsConflict(source.versions, targetVersions);
  const stored = (await target.getMeta(name)) !== undefined;
  const { log, snapshot, updates } = await target.open(name);
  let status: 'copied' | 'completed' | 'present';
  try {
    const current = stored ? stateFrom(snapshot, updates) : null;
    if (current && !containedIn(current, source.state)) return { status: 'conflict', reason: 'its content is not an earlier state of the source’s' };
    if (versionConflict) return { status: 'conflict', reason: versionConflict };
    if (current === null) {
      status = 'copied';
      await log.append(source.state);
    } else if (sameContent(current, source.state)) {
      status = 'present';
    } else {
      status = 'completed';
      await log.append(Y.diffUpdate(source.state, Y.encodeStateVectorFromUpdate(current)));
    }
    // One snapshot holding the whole state, whatever the source's log looked like.
    if (status !== 'present' || log.logLength > 0) await log.compact(source.state);
  } finally {
    await log.close();
  }

  let versionsCopied = 0;
  const present = new Set(targetVersions.map((version) => version.id));
  for (const version of source.versions) {
    const state = await version.state();
    if (!present.has(version.meta.id)) {
      try {
        await target.versions.addCopied(name, version.meta, state);
      } catch (error) {
        // The target's version counter is past this id (versions deleted there): it cannot take the source's.
        if (isAppError(error) && error.code === 'bad-request') return { status: 'conflict', reason: error.message };
        throw error;
      }
      versionsCopied += 1;
    }
    if (!sameContent(await target.versions.state(name, version.meta.id), state)) {
      return { status: 'mismatch', reason: `version ${version.meta.id} reads back different content` };
    }
  }
  const mismatch = await verify(target, source);
  return mismatch ? { status: 'mismatch', reason: mismatch } : { status, versionsCopied };
}

/** Why the target's versions of the document cannot be completed from the source's, or null. */
function versionsConflict(source: SourceVersion[], target: VersionMeta[]): string | null {
  const byId = new Map(source.map((version) => [version.meta.id, version.meta]));
  for (const version of target) {
    const from = byId.get(version.id);
    if (!from) return `it has a version ${version.id} the source does not`;
    if (!sameVersionMeta(from, version)) return `its version ${version.id} differs from the source’s (label, author, kind or time)`;
  }
  // Copied ids only grow: a source version below the target's newest cannot be added any more.
  const newest = Math.max(0, ...target.map((version) => version.id));
  const present = new Set(target.map((version) => version.id));
  const missing = source.find((version) => version.meta.id < newest && !present.has(version.meta.id));
  return missing ? `it lacks version ${missing.meta.id} but has later ones` : null;
}

/** What was copied, read back afresh: the document's state and the list of versions (their states were checked as copied). */
async function verify(target: OfflineStore, source: SourceDocument): Promise<string | null> {
  const state = await readDocumentState(target, source.name);
  if (!state) return 'the document is missing after copying';
  if (!sameContent(state, source.state)) return 'its state vector or deletions differ from the source’s';
  const versions = await target.versions.list(source.name);
  if (versions.length !== source.versions.length || versions.some((version, i) => !sameVersionMeta(source.versions[i]!.meta, version))) {
    return `its versions are ${ids(versions)}, the source’s ${ids(source.versions.map((version) => version.meta))}`;
  }
  return null;
}

function sameVersionMeta(a: CopiedVersion, b: CopiedVersion): boolean {
  return a.id === b.id && a.label === b.label && a.author === b.author && a.kind === b.kind && Date.parse(a.createdAt) === Date.parse(b.createdAt);
}

function ids(versions: Array<{ id: number }>): string {
  return versions.length === 0 ? 'none' : versions.map((version) => version.id).join(', ');
}
