// Comment threads: their shape, where they live in a document, and the messages that change them. Shared by the
// server (which alone writes them) and the browser (which reads them and sends the messages).
//
// Threads live in the document's Y.Doc under the root map `comments` (thread id → thread, as JSON), beside the
// content, so they sync, persist, move with a rename and are in every version like the text. No client writes
// that map: a client sends a `tandem:comment` stateless message, the server checks who may do what (the
// `comment` role may comment but never change the content), applies it in one transaction, and answers once it
// is stored. The server being the only writer is also why whole threads can be plain JSON values.

/** The Y.Doc root map holding the threads. Restores and diffs leave it alone: versions are of the content. */
export const COMMENTS_ROOT = 'comments';

/** A Yjs relative position, as `Y.relativePositionToJSON` writes it. */
export type RelativePositionJSON = Record<string, unknown>;

/** Where a thread is attached: a range of the content, kept by relative positions as others edit around it. */
export interface Anchor {
  start: RelativePositionJSON;
  end: RelativePositionJSON;
}

export interface CommentAuthor {
  /** The token's `sub`; in --auth none, the name the person gave (nobody is identified). */
  id: string;
  name: string;
}

export interface Comment {
  id: string;
  author: CommentAuthor;
  body: string;
  /** ms since the epoch. */
  createdAt: number;
  editedAt: number | null;
  /** A deleted comment keeps its place in the thread and loses its text. */
  deleted: boolean;
}

export interface Thread {
  id: string;
  /** Null for a comment on the whole document. */
  anchor: Anchor | null;
  /** The text the thread was attached to when it was made: shown when that text is gone. */
  quote: string;
  createdAt: number;
  resolved: boolean;
  resolvedBy: CommentAuthor | null;
  resolvedAt: number | null;
  /** The first one opened the thread; replies follow in order. */
  comments: Comment[];
}

/** What a client asks of the server (stateless message `tandem:comment`). `id`s are made by the client, so a
 *  message sent again (after a reconnect) does nothing twice. */
export type CommentAction =
  | { action: 'create'; threadId: string; commentId: string; anchor: Anchor | null; quote: string; body: string }
  | { action: 'reply'; threadId: string; commentId: string; body: string }
  | { action: 'edit'; threadId: string; commentId: string; body: string }
  | { action: 'delete'; threadId: string; commentId: string }
  | { action: 'resolve'; threadId: string; resolved: boolean };

/** Thread, comment, request and author ids: what the server accepts. */
export const COMMENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A fresh id within COMMENT_ID: 20 hex characters of a random UUID (browsers and Node alike). */
export function newCommentId(): string {
  return globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 20);
}

export const COMMENT_MESSAGE = 'tandem:comment';
export const COMMENT_RESULT = 'tandem:comment-result';

/**
 * `as`: who the sender says it is, used only where the server identifies nobody (--auth none), as presence
 * names are; with tokens the server takes the author from the token.
 */
export type CommentMessage = { type: typeof COMMENT_MESSAGE; requestId: string; as?: CommentAuthor } & CommentAction;

/** The server's answer to one message, sent once the change is stored (or refused, with why). */
export interface CommentResult {
  type: typeof COMMENT_RESULT;
  requestId: string;
  ok: boolean;
  /** `code: message`, as the REST API's errors, when refused. */
  error: string | null;
}

/** Longest comment body accepted, in characters. */
export const MAX_COMMENT_LENGTH = 10_000;
/** Longest quote kept with a thread, in characters. */
export const MAX_QUOTE_LENGTH = 1_000;

/**
 * Sent by the server to each editor once it is connected: what its access allows, so the page can offer
 * commenting to a `comment` token whose content is read-only, and who it is (null in --auth none).
 */
export const ACCESS_NOTICE = 'tandem:access';

export interface AccessNotice {
  type: typeof ACCESS_NOTICE;
  permission: 'read' | 'comment' | 'write' | 'admin';
  user: CommentAuthor | null;
}
