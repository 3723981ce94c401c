// REST API for comment threads under /api/documents/:name/comments (admin of the document, as all of /api):
// list them with where each is anchored now, open one on a passage, reply, resolve or reopen, delete a comment.
// Changes go through the same checks as the editors' messages (comment-actions.ts), reach every open editor at
// once, and are answered once stored.
import { Hono, type Context } from 'hono';
import type * as Y from 'yjs';
import { newCommentId, type Anchor, type CommentAction, type Thread } from '../../common/comments.ts';
import type { ApiVariables } from '../auth/rest-auth.ts';
import type { DurabilityGate } from '../documents/durability.ts';
import type { Hub } from '../documents/hub.ts';
import { AppError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import { limitJsonBody } from '../http/body-limit.ts';
import { documentNameOf } from '../http/document-name.ts';
import { jsonBody } from '../http/json-body.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import { anchorOfQuote, resolveAnchor, type ResolvedAnchor } from './anchors.ts';
import { applyCommentAction, readThreads } from './comment-actions.ts';
import { COMMENT_ORIGIN } from './comment-origin.ts';

export interface CommentRoutesOptions {
  hub: Pick<Hub, 'openDirectConnection'>;
  store: Pick<DocumentStore, 'getMeta'>;
  whenDurable: DurabilityGate;
  events?: Pick<EventBus, 'emitEvent'>;
}

/** A thread as the API shows it: where its anchor is now, beside the thread itself. */
export type ListedThread = Thread & { anchored: ResolvedAnchor | null };

const CONTEXT = { source: 'tandem-comments-api' };

export function createCommentRoutes(options: CommentRoutesOptions): Hono<{ Variables: ApiVariables }> {
  const api = new Hono<{ Variables: ApiVariables }>();

  const withDocument = async <T>(c: Context, work: (doc: Y.Doc) => T | Promise<T>): Promise<T> => {
    const name = documentNameOf(c);
    if (!(await options.store.getMeta(name))) throw new AppError('not-found', `no document named "${name}"`);
    const connection = await options.hub.openDirectConnection(name, CONTEXT);
    try {
      return await work(connection.document!);
    } finally {
      await connection.disconnect();
    }
  };

  /** Applies an action (made from the open document) as the API caller, an admin of it; answered once stored. */
  const act = async (c: Context<{ Variables: ApiVariables }>, actionOn: CommentAction | ((doc: Y.Doc) => CommentAction), authorName: unknown) => {
    const name = documentNameOf(c);
    const caller = c.get('caller');
    const author = { id: caller, name: typeof authorName === 'string' && authorName.trim() ? authorName.trim().slice(0, 80) : caller };
    return withDocument(c, async (doc) => {
      const action = typeof actionOn === 'function' ? actionOn(doc) : actionOn;
      const event = applyCommentAction(doc, action, { author, permission: 'admin' }, COMMENT_ORIGIN);
      await options.whenDurable(name);
      if (event) options.events?.emitEvent(event.type, name, event.data);
      return listed(doc, action.threadId);
    });
  };

  api.get('/api/documents/:name/comments', async (c) => c.json({ threads: await withDocument(c, listThreads) }));

  // `quote`: the passage to attach the thread to (its first occurrence within one block); none: the whole document.
  api.post('/api/documents/:name/comments', limitJsonBody, async (c) => {
    const body = await jsonBody(c);
    const quote = typeof body.quote === 'string' ? body.quote : '';
    const thread = await act(
      c,
      (doc) => {
        const anchor: Anchor | null = quote ? anchorOfQuote(doc, quote) : null;
        if (quote && !anchor) throw new AppError('bad-request', `"quote": the text ${JSON.stringify(quote.slice(0, 80))} is not in one block of the document`);
        return { action: 'create', threadId: newCommentId(), commentId: newCommentId(), anchor, quote, body: body.body as string };
      },
      body.author,
    );
    return c.json({ thread }, 201);
  });

  api.post('/api/documents/:name/comments/:thread/replies', limitJsonBody, async (c) => {
    const body = await jsonBody(c);
    const thread = await act(c, { action: 'reply', threadId: c.req.param('thread'), commentId: newCommentId(), body: body.body as string }, body.author);
    return c.json({ thread }, 201);
  });

  api.post('/api/documents/:name/comments/:thread/resolve', limitJsonBody, async (c) => {
    const body = await jsonBody(c);
    const resolved = body.resolved ?? true;
    return c.json({ thread: await act(c, { action: 'resolve', threadId: c.req.param('thread'), resolved: resolved as boolean }, body.author) });
  });

  api.delete('/api/documents/:name/comments/:thread/comments/:comment', limitJsonBody, async (c) => {
    await act(c, { action: 'delete', threadId: c.req.param('thread'), commentId: c.req.param('comment') }, null);
    return c.body(null, 204);
  });

  return api;
}

/** Every thread of a document, oldest first, with where each is anchored now. */
export function listThreads(doc: Y.Doc): ListedThread[] {
  return readThreads(doc).map((thread) => withAnchor(doc, thread));
}

function listed(doc: Y.Doc, threadId: string): ListedThread {
  const thread = readThreads(doc).find((candidate) => candidate.id === threadId);
  if (!thread) throw new AppError('not-found', `no thread "${threadId}"`);
  return withAnchor(doc, thread);
}

function withAnchor(doc: Y.Doc, thread: Thread): ListedThread {
  return { ...thread, anchored: resolveAnchor(doc, thread.anchor) };
}
