// Comment actions not yet acknowledged by the server, kept in localStorage per document, so one made offline
// survives a reload and is sent when the connection is back. Ids are the client's, so sending again is harmless.
import type { CommentAction } from '../../common/comments.ts';

export interface PendingComment {
  /** Also the key the server's answer comes back under. */
  requestId: string;
  action: CommentAction;
  /** ms since the epoch, when it was made: shown as the pending comment's time. */
  at: number;
}

export function outboxKey(documentName: string): string {
  return `tandem:pending-comments:${documentName}`;
}

export function loadOutbox(storage: Storage, documentName: string): PendingComment[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(outboxKey(documentName)) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isPending) : [];
  } catch {
    // Damaged or unreadable storage: nothing pending is better than a page that does not open.
    return [];
  }
}

export function saveOutbox(storage: Storage, documentName: string, pending: readonly PendingComment[]): void {
  try {
    if (pending.length === 0) storage.removeItem(outboxKey(documentName));
    else storage.setItem(outboxKey(documentName), JSON.stringify(pending));
  } catch {
    // Private modes and full quotas refuse writes: the actions are then kept for this page only.
  }
}

function isPending(value: unknown): value is PendingComment {
  if (typeof value !== 'object' || value === null) return false;
  const { requestId, action, at } = value as Record<string, unknown>;
  return typeof requestId === 'string' && typeof at === 'number' && typeof action === 'object' && action !== null
    && typeof (action as Record<string, unknown>).action === 'string' && typeof (action as Record<string, unknown>).threadId === 'string';
}
