// The threads as the panel shows them: the document's threads with this person's unacknowledged actions laid
// over them (marked pending), filtered Open or Resolved. Pure, so it is tested without a page.
import type { AccessNotice, Comment, CommentAuthor, Thread } from '../../common/comments.ts';
import type { PendingComment } from './comment-outbox.ts';

export interface CommentView extends Comment {
  /** Sent and not yet stored by the server ("Sending…"). */
  pending: boolean;
}

export interface ThreadView extends Omit<Thread, 'comments'> {
  comments: CommentView[];
  /** The thread itself, or its resolving or reopening, is not acknowledged yet. */
  pending: boolean;
}

export type ThreadFilter = 'open' | 'resolved';

/** Whether an access lets its holder comment (read-only content included, for the `comment` role). */
export function mayComment(permission: AccessNotice['permission'] | null): boolean {
  return permission === 'comment' || permission === 'write' || permission === 'admin';
}

export function isOwnComment(comment: Pick<Comment, 'author'>, me: CommentAuthor): boolean {
  return comment.author.id === me.id;
}

/** `threads` (oldest first) with `pending` applied as the server will apply them, once it has. */
export function threadsWithPending(threads: readonly Thread[], pending: readonly PendingComment[], me: CommentAuthor): ThreadView[] {
  const views = new Map<string, ThreadView>();
  for (const thread of threads) views.set(thread.id, { ...thread, pending: false, comments: thread.comments.map((comment) => ({ ...comment, pending: false })) });
  for (const { action, at } of pending) {
    const thread = views.get(action.threadId);
    const mine = (id: string, body: string): CommentView => ({ id, author: me, body, createdAt: at, editedAt: null, deleted: false, pending: true });
    if (action.action === 'create') {
      // Already stored (the answer is on its way): the stored thread is shown.
      if (thread) continue;
      views.set(action.threadId, {
        id: action.threadId, anchor: action.anchor, quote: action.quote, createdAt: at, resolved: false, resolvedBy: null, resolvedAt: null,
        pending: true, comments: [mine(action.commentId, action.body)],
      });
      continue;
    }
    if (!thread) continue;
    if (action.action === 'reply') {
      if (!thread.comments.some((comment) => comment.id === action.commentId)) thread.comments.push(mine(action.commentId, action.body));
    } else if (action.action === 'resolve') {
      if (thread.resolved !== action.resolved) Object.assign(thread, { resolved: action.resolved, resolvedBy: action.resolved ? me : null, resolvedAt: action.resolved ? at : null, pending: true });
    } else {
      thread.comments = thread.comments.map((comment) => {
        if (comment.id !== action.commentId) return comment;
        if (action.action === 'delete') return comment.deleted ? comment : { ...comment, body: '', deleted: true, pending: true };
        return comment.body === action.body ? comment : { ...comment, body: action.body, editedAt: at, pending: true };
      });
    }
  }
  return [...views.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export function threadsIn(threads: readonly ThreadView[], filter: ThreadFilter): ThreadView[] {
  return threads.filter((thread) => thread.resolved === (filter === 'resolved'));
}

/** People who have been in the document, for @mentions: those here now, then comment authors; each name once. */
export function knownPeople(present: readonly string[], threads: readonly Thread[]): string[] {
  const names = new Map<string, string>();
  const add = (name: string): void => {
    const clean = name.trim();
    if (clean !== '' && !names.has(clean.toLowerCase())) names.set(clean.toLowerCase(), clean);
  };
  for (const name of present) add(name);
  for (const thread of threads) for (const comment of thread.comments) add(comment.author.name);
  return [...names.values()];
}
