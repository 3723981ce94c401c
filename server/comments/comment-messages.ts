// Editors change comment threads with stateless messages (`tandem:comment`): the connection's access says who
// is acting and with which role, the action is applied on the document (so every editor gets it as an update,
// through a cluster's relays too), and the answer goes back once the change is stored, as an edit's "saved".
import type { connectedPayload, Extension, onStatelessPayload } from '@hocuspocus/server';
import {
  ACCESS_NOTICE,
  COMMENT_MESSAGE,
  COMMENT_RESULT,
  type AccessNotice,
  type CommentAuthor,
  type CommentMessage,
  type CommentResult,
} from '../../common/comments.ts';
import type { AccessContext } from '../auth/access-control.ts';
import type { DurabilityGate } from '../documents/durability.ts';
import { AppError, toAppError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Logger } from '../log.ts';
import { applyCommentAction } from './comment-actions.ts';
import { COMMENT_ORIGIN } from './comment-origin.ts';

export interface CommentMessagesOptions {
  whenDurable: DurabilityGate;
  events?: Pick<EventBus, 'emitEvent'>;
  log: Logger;
}

export class CommentMessages implements Extension {
  readonly extensionName = 'tandem-comment-messages';
  #options: CommentMessagesOptions;

  constructor(options: CommentMessagesOptions) {
    this.#options = options;
  }

  /** Tells the editor what it may do: a read-only content may still take comments (the `comment` role). */
  async connected({ connection, context }: connectedPayload<AccessContext>): Promise<void> {
    const access = context.access;
    if (!access) return;
    const user = access.identity ? { id: access.identity.userId, name: access.identity.name } : null;
    connection.sendStateless(JSON.stringify({ type: ACCESS_NOTICE, permission: access.permission, user } satisfies AccessNotice));
  }

  async onStateless({ connection, documentName, document, payload }: onStatelessPayload): Promise<void> {
    const message = parse(payload);
    // Other stateless messages are other features' (or the application's own).
    if (!message) return;
    const requestId = typeof message.requestId === 'string' ? message.requestId.slice(0, 64) : '';
    const answer = (result: Omit<CommentResult, 'type' | 'requestId'>) =>
      connection.sendStateless(JSON.stringify({ type: COMMENT_RESULT, requestId, ...result } satisfies CommentResult));
    try {
      const access = (connection.context as AccessContext).access;
      if (!access) throw new AppError('unauthorized', 'the connection is not authenticated');
      const author = access.identity ? { id: access.identity.userId, name: access.identity.name } : claimedAuthor(message);
      const present = [...document.awareness.getStates().values()].map((state) => (state as { user?: { name?: unknown } }).user?.name).filter((name): name is string => typeof name === 'string');
      const event = applyCommentAction(document, message, { author, permission: access.permission, present }, COMMENT_ORIGIN);
      // "Done" means stored, as for an edit: a change lost in a crash was never acknowledged.
      await this.#options.whenDurable(documentName);
      if (event) this.#options.events?.emitEvent(event.type, documentName, event.data);
      answer({ ok: true, error: null });
    } catch (error) {
      const appError = toAppError(error);
      if (appError.status >= 500) this.#options.log.error({ err: error, doc: documentName }, 'a comment could not be stored');
      answer({ ok: false, error: appError.text });
    }
  }
}

function parse(payload: string): CommentMessage | null {
  if (!payload.startsWith('{')) return null;
  try {
    const message = JSON.parse(payload) as Partial<CommentMessage> | null;
    return message?.type === COMMENT_MESSAGE ? (message as CommentMessage) : null;
  } catch {
    return null;
  }
}

/**
 * In --auth none nobody is identified: the author is who the editor says it is (its local identity), as with
 * presence. The id keeps "one's own comments" apart between people; it proves nothing.
 */
function claimedAuthor(message: CommentMessage): CommentAuthor {
  const claimed: Partial<CommentAuthor> | undefined = message.as;
  const id = typeof claimed?.id === 'string' && claimed.id.length > 0 ? claimed.id.slice(0, 64) : 'anonymous';
  const name = typeof claimed?.name === 'string' && claimed.name.trim().length > 0 ? claimed.name.trim().slice(0, 80) : 'Anonymous';
  return { id, name };
}
