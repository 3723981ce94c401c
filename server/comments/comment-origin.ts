// The transaction origin of every comment change the server makes: what tells a change to the threads from an
// edit of the text, which comments are not (no document.changed event, no automatic version).
export const COMMENT_ORIGIN = { source: 'tandem-comments' } as const;

/** Whether a transaction was one of the server's comment actions. */
export function isCommentChange(origin: unknown): boolean {
  return origin === COMMENT_ORIGIN;
}
