// What went wrong with a document's connection, in words a person can act on: a pure mapping.

export type ProblemKind = 'read-only' | 'access-denied' | 'too-large' | 'unavailable' | 'rate-limited' | 'closed' | 'gone' | 'outdated';

export interface Problem {
  kind: ProblemKind;
  message: string;
  tone: 'info' | 'warning' | 'error';
  /** Retrying cannot help (the same refusal would repeat), so the page stops reconnecting. */
  final: boolean;
  /** What the person can do about it, as a button in the banner. */
  action?: { label: string; run: () => void };
}

export const READ_ONLY: Problem = {
  kind: 'read-only',
  message: 'You have read-only access to this document. You can read along as others edit, but not change it.',
  tone: 'info',
  final: false,
};

/** The `comment` role: the text is read-only, the Comments panel is not. */
export const COMMENT_ONLY: Problem = {
  kind: 'read-only',
  message: 'You can comment on this document but not edit it.',
  tone: 'info',
  final: false,
};

export const SERVER_UNAVAILABLE: Problem = {
  kind: 'unavailable',
  message: 'The server is unavailable. Your edits are kept on this device and will be saved when it is back.',
  tone: 'warning',
  final: false,
};

const TOO_LARGE: Problem = {
  kind: 'too-large',
  message: 'This document is too large for the server to accept. Your latest edits are kept on this device only.',
  tone: 'error',
  final: true,
};

/** What became of a document the server refused as gone (`document-gone: …`, close code 4410); null otherwise. */
export function goneFromReason(reason: string): { renamedTo: string | null } | null {
  if (!reason.startsWith('document-gone:')) return null;
  const renamed = /^document-gone: this document was renamed to (".*")$/s.exec(reason);
  if (!renamed) return { renamedTo: null };
  try {
    return { renamedTo: JSON.parse(renamed[1]!) as string };
  } catch {
    // Cut short by the close frame's size limit (a very long name): renamed, to somewhere it cannot say.
    return { renamedTo: null };
  }
}

/** The document was deleted (by `by`, when known); it may be restored until `until`. */
export function deletedProblem(by: string | null, until: string | null): Problem {
  const who = by && by !== 'anonymous' ? ` by ${by}` : '';
  const when = until ? ` until ${new Date(until).toLocaleDateString(undefined, { dateStyle: 'medium' })}` : '';
  return {
    kind: 'gone',
    message: `This document was deleted${who}. It can be restored from Recently deleted on the documents page${when}.`,
    tone: 'warning',
    final: true,
  };
}

/** The server refused this page's editor as built for an older document schema; null for other refusals. */
export function outdatedEditorProblem(reason: string): Problem | null {
  if (!reason.startsWith('outdated-editor:')) return null;
  return {
    kind: 'outdated',
    message: 'This page is out of date: documents on this server use features it does not know. Reload the page to update it; your text is kept.',
    tone: 'warning',
    final: true,
    action: { label: 'Reload', run: () => window.location.reload() },
  };
}

/** The server refused the token (Hocuspocus' permission-denied message). */
export function problemFromAuthenticationFailure(reason: string): Problem {
  // Hocuspocus sends the generic "permission-denied" when the hook gave no reason of its own.
  const detail = reason && reason !== 'permission-denied' ? ` (${reason})` : '';
  return {
    kind: 'access-denied',
    message: `Access denied: you do not have permission to open this document${detail}.`,
    tone: 'error',
    final: true,
  };
}

/** A WebSocket close, or null when it is an ordinary drop that reconnecting will mend. */
export function problemFromClose(code: number, reason: string): Problem | null {
  switch (code) {
    case 1009: // Message Too Big: a frame exceeded the server's limit.
    case 4413:
      return TOO_LARGE;
    case 4401:
      // The server's reason reads `unauthorized: share link revoked`.
      if (/share link (revoked|expired)$/.test(reason)) {
        return {
          kind: 'access-denied',
          message: `Access ended: this share link ${reason.endsWith('revoked') ? 'was revoked' : 'expired'}. Ask whoever shared this document for a new link.`,
          tone: 'error',
          final: true,
        };
      }
      return {
        kind: 'access-denied',
        message: 'Access denied: this document needs you to sign in.',
        tone: 'error',
        final: true,
      };
    case 4403:
      return {
        kind: 'access-denied',
        message: `Access denied${reason && reason !== 'Forbidden' ? `: ${reason}` : ''}.`,
        tone: 'error',
        final: true,
      };
    case 4429:
      return {
        kind: 'rate-limited',
        message: 'The server is busy. Your edits are kept on this device; retrying shortly.',
        tone: 'warning',
        final: false,
      };
    case 1011: // The server hit an internal error (Tandem: storage could not write) and will take the edits again.
      return {
        kind: 'unavailable',
        message: 'The server could not save the latest changes. They are kept on this device and will be sent again.',
        tone: 'warning',
        final: false,
      };
    case 4205: // Reset Connection: the server asks for a fresh sync, which the reconnect does.
    case 4301: // Tandem's fenced-out: another server owns the document now; the reconnect finds it.
    case 4408: // Connection Timeout: the provider reconnects by itself.
    case 4409: // Tandem's resync: the reconnect's handshake settles the saved count (server/ws/ack-ledger.ts).
      return null;
    default:
      break;
  }
  if (code >= 4000) {
    return {
      kind: 'closed',
      message: `The server closed the connection: ${reason || `code ${code}`}.`,
      tone: 'error',
      final: false,
    };
  }
  // Other 1000–1015 codes: shutdowns, restarts and network drops; the badge says Offline while we retry.
  return null;
}
