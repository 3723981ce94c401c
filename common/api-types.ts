// The shapes of the REST API's JSON bodies, shared by the server that sends them and the client that reads them.

/** One entry of `GET /api/documents`, and the body of `GET /api/documents/:name`. */
export interface DocumentSummary {
  name: string;
  createdAt: string;
  updatedAt: string;
  bytes: number;
  logLength: number;
}

export type VersionKind = 'manual' | 'auto' | 'before-restore' | 'imported';

/** What is known about a version without reading its content. */
export interface VersionMeta {
  /** Per-document number, increasing with time. */
  id: number;
  createdAt: string;
  label: string;
  author: string | null;
  kind: VersionKind;
  /** Bytes stored for this version: its whole state, or its delta against the previous version (deflated). */
  size: number;
  encoding: 'full' | 'delta';
}

/** The body of `POST …/versions/:id/restore`. */
export interface RestoreResult {
  restored: VersionMeta;
  /** The version holding the content as it was just before; restoring it undoes the restore. */
  beforeRestore: VersionMeta;
}

/** The stateless message every editor of a document gets when a version of it is restored. */
export const RESTORE_NOTICE = 'tandem:restored';

export interface RestoreNotice {
  type: typeof RESTORE_NOTICE;
  /** The version whose content is back. */
  version: VersionMeta;
  /** Who restored it, as the restoring client named them (null when unnamed). */
  author: string | null;
}

/**
 * The stateless message every editor of a document gets just before it is renamed or deleted (its connections
 * are then closed). An editor that was away learns the same on reconnecting: the server refuses the old name
 * with close code 4410 and a reason saying where the document went (`document-gone: …`).
 */
export const DOCUMENT_MOVED = 'tandem:moved';

export interface DocumentMovedNotice {
  type: typeof DOCUMENT_MOVED;
  kind: 'renamed' | 'deleted';
  /** The new name (renamed); null when deleted. */
  to: string | null;
  /** Who did it: a token's `sub`, `admin-token`, or `anonymous`. */
  by: string;
  /** Deleted: until when it can be restored (ISO 8601); null when renamed. */
  restorableUntil: string | null;
}

/** A document in the trash (GET /api/trash): restorable until `purgeAt`. */
export interface TrashedDocument {
  /** The name it had, and gets back when restored. */
  name: string;
  deletedAt: string;
  purgeAt: string;
  deletedBy: string | null;
  bytes: number;
}

export type DiffOp = 'equal' | 'insert' | 'delete';

export interface DiffPart {
  op: DiffOp;
  text: string;
}

/** One block added, removed, or changed word by word, between two document states. */
export type Change =
  | { kind: 'added'; root: string; block: string; text: string }
  | { kind: 'removed'; root: string; block: string; text: string }
  | { kind: 'changed'; root: string; block: string; before: string; after: string; parts: DiffPart[] };

export interface DocumentDiff {
  changes: Change[];
  summary: { added: number; removed: number; changed: number };
}

/** The body of `GET …/versions/:id/diff?to=…`. */
export type VersionDiff = DocumentDiff & { from: number; to: number | 'now' };

/** A share link as /api/documents/:name/links shows it; `token`, `path` and `url` only while it works. */
export interface ShareLinkInfo {
  id: string;
  document: string;
  /** read: view; write: edit. */
  role: 'read' | 'comment' | 'write';
  createdBy: string;
  /** ms since the epoch. */
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  token: string | null;
  /** `/d/<name>#share=<token>`: the editor's page, the token in the fragment. */
  path: string | null;
  url: string | null;
}
