// Sends comment actions to the server as `tandem:comment` stateless messages: each is kept in the outbox until
// the server says it is stored, sent again after every (re)connect, and dropped with the reason when refused.
import type { HocuspocusProvider } from '@hocuspocus/provider';
import { COMMENT_MESSAGE, COMMENT_RESULT, newCommentId, type CommentAction, type CommentAuthor, type CommentMessage, type CommentResult } from '../../common/comments.ts';
import { loadOutbox, saveOutbox, type PendingComment } from './comment-outbox.ts';

export interface CommentSender {
  send(action: CommentAction): void;
  /** What is sent and not yet acknowledged, oldest first. */
  pending(): readonly PendingComment[];
  /** Called with the outbox whenever it changes (a new action, an answer). */
  onChange(listener: () => void): void;
  dispose(): void;
}

export interface CommentSenderOptions {
  provider: HocuspocusProvider;
  documentName: string;
  /** Who the sender says it is: used by the server only where it identifies nobody (--auth none). */
  author: () => CommentAuthor;
  /** An action the server refused (`code: message`); it is dropped from the outbox. */
  onRefused: (action: CommentAction, error: string) => void;
  storage?: Storage;
}

export function createCommentSender({ provider, documentName, author, onRefused, storage = localStorage }: CommentSenderOptions): CommentSender {
  // Another tab's or an earlier page's unsent actions are sent too: ids make a repeat harmless.
  let outbox = loadOutbox(storage, documentName);
  const listeners = new Set<() => void>();
  const changed = (): void => {
    saveOutbox(storage, documentName, outbox);
    for (const listener of listeners) listener();
  };

  const transmit = (pending: PendingComment): void => {
    const message = { type: COMMENT_MESSAGE, requestId: pending.requestId, as: author(), ...pending.action } as CommentMessage;
    provider.sendStateless(JSON.stringify(message));
  };
  // Before the handshake a message would be queued for a connection that may never open; after it, it goes now.
  const sendAll = (): void => {
    for (const pending of outbox) transmit(pending);
  };

  const onStateless = ({ payload }: { payload: string }): void => {
    const result = resultOf(payload);
    if (result === null) return;
    const answered = outbox.find((pending) => pending.requestId === result.requestId);
    // An answer to a repeat of something already answered.
    if (!answered) return;
    outbox = outbox.filter((pending) => pending !== answered);
    changed();
    if (!result.ok) onRefused(answered.action, result.error ?? 'refused');
  };
  provider.on('stateless', onStateless);
  provider.on('synced', sendAll);
  if (provider.isSynced) sendAll();

  return {
    send(action) {
      const pending = { requestId: newCommentId(), action, at: Date.now() };
      outbox = [...outbox, pending];
      changed();
      if (provider.isSynced) transmit(pending);
    },
    pending: () => outbox,
    onChange(listener) {
      listeners.add(listener);
    },
    dispose() {
      listeners.clear();
      provider.off('stateless', onStateless);
      provider.off('synced', sendAll);
    },
  };
}

function resultOf(payload: string): CommentResult | null {
  if (!payload.startsWith('{')) return null;
  try {
    const message = JSON.parse(payload) as Partial<CommentResult> | null;
    return message?.type === COMMENT_RESULT && typeof message.requestId === 'string' ? (message as CommentResult) : null;
  } catch {
    return null;
  }
}
