// Applies one comment action to a document's threads (common/comments.ts), after checking it: who may do what,
// well-formed ids and anchors, lengths. The one place threads are written, by the stateless messages of
// editors and by the REST API alike. Actions are idempotent by their ids, so a message sent again after a
// reconnect changes nothing twice.
import * as Y from 'yjs';
import {
  COMMENT_ID,
  COMMENTS_ROOT,
  MAX_COMMENT_LENGTH,
  MAX_QUOTE_LENGTH,
  type Anchor,
  type CommentAction,
  type CommentAuthor,
  type Thread,
} from '../../common/comments.ts';
import { allows, type Permission } from '../auth/permissions.ts';
import { AppError } from '../errors.ts';
import type { EventType } from '../events/event-bus.ts';

export interface CommentActor {
  author: CommentAuthor;
  permission: Permission;
  /** Names of the people in the document now (its presence), who may be @mentioned beside its commenters. */
  present?: readonly string[];
}

/** What an applied action tells webhooks and the change feed; null when it changed nothing (a repeat). */
export interface CommentEvent {
  type: Extract<EventType, `comment.${string}`>;
  data: Record<string, unknown>;
}

/** The threads of a document, oldest first. */
export function readThreads(doc: Y.Doc): Thread[] {
  return [...doc.getMap<Thread>(COMMENTS_ROOT).values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/**
 * Checks `action` for `actor` and applies it to `doc` in one transaction with `origin`. Throws `bad-request`,
 * `forbidden` or `not-found` (nothing changed) when it may not be done.
 */
export function applyCommentAction(doc: Y.Doc, action: CommentAction, actor: CommentActor, origin: unknown, now = Date.now()): CommentEvent | null {
  if (!allows(actor.permission, 'comment')) throw new AppError('forbidden', 'this access does not include commenting');
  checkId(action.threadId, 'threadId');
  const threads = doc.getMap<Thread>(COMMENTS_ROOT);
  const existing = threads.get(action.threadId);
  let event: CommentEvent;
  let next: Thread;

  switch (action.action) {
    case 'create': {
      checkId(action.commentId, 'commentId');
      const body = checkBody(action.body);
      if (existing) {
        if (existing.comments[0]?.id === action.commentId) return null;
        throw new AppError('already-exists', `a thread "${action.threadId}" exists already`);
      }
      const quote = checkText(action.quote, 'quote', MAX_QUOTE_LENGTH, true);
      next = {
        id: action.threadId,
        anchor: checkAnchor(action.anchor),
        quote,
        createdAt: now,
        resolved: false,
        resolvedBy: null,
        resolvedAt: null,
        comments: [{ id: action.commentId, author: actor.author, body, createdAt: now, editedAt: null, deleted: false }],
      };
      event = { type: 'comment.created', data: { threadId: action.threadId, commentId: action.commentId, author: actor.author, quote, mentions: mentionsIn(body, threads, actor) } };
      break;
    }
    case 'reply': {
      checkId(action.commentId, 'commentId');
      const body = checkBody(action.body);
      const thread = found(existing, action.threadId);
      if (thread.comments.some((comment) => comment.id === action.commentId)) return null;
      next = { ...thread, comments: [...thread.comments, { id: action.commentId, author: actor.author, body, createdAt: now, editedAt: null, deleted: false }] };
      event = { type: 'comment.replied', data: { threadId: thread.id, commentId: action.commentId, author: actor.author, mentions: mentionsIn(body, threads, actor) } };
      break;
    }
    case 'edit':
    case 'delete': {
      const thread = found(existing, action.threadId);
      const comment = thread.comments.find((candidate) => candidate.id === action.commentId);
      if (!comment) throw new AppError('not-found', `no comment "${action.commentId}" in thread "${action.threadId}"`);
      // One's own comments; an admin of the document may also delete anyone's (moderation), never edit them.
      const own = comment.author.id === actor.author.id;
      if (!own && !(action.action === 'delete' && allows(actor.permission, 'admin'))) {
        throw new AppError('forbidden', `only its author may ${action.action} this comment`);
      }
      if (action.action === 'delete') {
        if (comment.deleted) return null;
        next = { ...thread, comments: thread.comments.map((c) => (c.id === comment.id ? { ...c, body: '', deleted: true, editedAt: now } : c)) };
        event = { type: 'comment.deleted', data: { threadId: thread.id, commentId: comment.id, by: actor.author } };
      } else {
        if (comment.deleted) throw new AppError('bad-request', 'a deleted comment cannot be edited');
        const body = checkBody(action.body);
        if (body === comment.body) return null;
        next = { ...thread, comments: thread.comments.map((c) => (c.id === comment.id ? { ...c, body, editedAt: now } : c)) };
        event = { type: 'comment.edited', data: { threadId: thread.id, commentId: comment.id, author: actor.author } };
      }
      break;
    }
    case 'resolve': {
      const thread = found(existing, action.threadId);
      if (typeof action.resolved !== 'boolean') throw new AppError('bad-request', '"resolved" must be true or false');
      if (thread.resolved === action.resolved) return null;
      next = { ...thread, resolved: action.resolved, resolvedBy: action.resolved ? actor.author : null, resolvedAt: action.resolved ? now : null };
      event = { type: action.resolved ? 'comment.resolved' : 'comment.reopened', data: { threadId: thread.id, by: actor.author } };
      break;
    }
    default:
      throw new AppError('bad-request', `unknown comment action ${JSON.stringify((action as { action?: unknown }).action)}`);
  }
  doc.transact(() => threads.set(next.id, next), origin);
  return event;
}

/**
 * The people a comment @mentions: `@Name` for the name of someone who has commented in the document or is in
 * it now, longest names first (`@Ada Lovelace` is Ada Lovelace, not Ada). For webhooks to notify them.
 */
export function mentionsIn(body: string, threads: Y.Map<Thread>, actor: CommentActor): string[] {
  if (!body.includes('@')) return [];
  const people = new Set(actor.present ?? []);
  for (const thread of threads.values()) for (const comment of thread.comments) people.add(comment.author.name);
  people.add(actor.author.name);
  const mentioned: string[] = [];
  let rest = body;
  for (const name of [...people].filter((person) => person.trim() !== '').sort((a, b) => b.length - a.length)) {
    const token = `@${name}`;
    if (!rest.includes(token)) continue;
    mentioned.push(name);
    rest = rest.replaceAll(token, ' ');
  }
  return mentioned.sort();
}

function found(thread: Thread | undefined, id: string): Thread {
  if (!thread) throw new AppError('not-found', `no thread "${id}"`);
  return thread;
}

function checkId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !COMMENT_ID.test(value)) throw new AppError('bad-request', `"${field}" must be 1 to 64 letters, digits, "-" or "_"`);
  return value;
}

function checkBody(value: unknown): string {
  const body = checkText(value, 'body', MAX_COMMENT_LENGTH, false).trim();
  if (body === '') throw new AppError('bad-request', 'a comment needs some text');
  return body;
}

function checkText(value: unknown, field: string, max: number, mayBeEmpty: boolean): string {
  if (typeof value !== 'string' || (!mayBeEmpty && value.length === 0)) throw new AppError('bad-request', `"${field}" must be a string`);
  if (value.length > max) throw new AppError('payload-too-large', `"${field}" is longer than ${max} characters`);
  return value;
}

/** An anchor must be two relative positions (Yjs decodes them when showing the thread); null is the whole document. */
function checkAnchor(value: unknown): Anchor | null {
  if (value === null || value === undefined) return null;
  const anchor = value as Partial<Anchor>;
  for (const end of ['start', 'end'] as const) {
    const position = anchor[end];
    if (typeof position !== 'object' || position === null || Array.isArray(position)) throw new AppError('bad-request', `"anchor.${end}" must be a relative position`);
    try {
      Y.createRelativePositionFromJSON(position);
    } catch (error) {
      throw new AppError('bad-request', `"anchor.${end}" is not a relative position`, { cause: error });
    }
    if (JSON.stringify(position).length > 512) throw new AppError('bad-request', `"anchor.${end}" is too large for a relative position`);
  }
  return { start: anchor.start!, end: anchor.end! };
}
