// One thread in the Comments panel: the passage (or, when its text was deleted, a note and the quote), the
// comments, who else is writing a reply, a reply box, Resolve/Reopen, and Edit/Delete on one's own comments.
// Updated in place, so a reply being written survives others' changes to the thread.
import { newCommentId, type CommentAction, type CommentAuthor } from '../../common/comments.ts';
import type { AnchorPlace } from './comment-anchors.ts';
import { createCommentComposer, type CommentComposer } from './comment-composer.ts';
import { isOwnComment, type CommentView, type ThreadView } from './comment-threads.ts';
import { h } from './dom.ts';
import { formatRelativeTime } from './format.ts';
import { bodyParts } from './mentions.ts';
import { replyingText } from './reply-presence.ts';

export interface ThreadContext {
  me: CommentAuthor;
  mayComment: boolean;
  /** Names to suggest after @ and to highlight in bodies. */
  people: () => readonly string[];
  send: (action: CommentAction) => void;
  /** Selects the thread and its passage in the text. */
  show: (threadId: string) => void;
  /** This page is (or stopped) writing a reply to the thread. */
  replying: (threadId: string, typing: boolean) => void;
}

export interface ThreadCard {
  element: HTMLElement;
  update(thread: ThreadView, place: AnchorPlace | null, active: boolean): void;
  /** Says who else is writing a reply here (reply-presence.ts); the rest of the card is left as it is. */
  setRepliers(names: readonly string[]): void;
  focus(): void;
}

export function createThreadCard(threadId: string, context: ThreadContext): ThreadCard {
  const element = h('article', { class: 'comment-thread', 'data-testid': 'comment-thread', 'data-thread-id': threadId, tabindex: '-1' });
  let current: ThreadView | null = null;
  let place: AnchorPlace | null = null;
  let active = false;
  let shown = '';
  // The comment being edited, and its box (kept across updates).
  let editing: { commentId: string; composer: CommentComposer } | null = null;
  let confirmingDelete: string | null = null;

  const head = h('div', { class: 'comment-thread__head' });
  const list = h('ol', { class: 'comment-thread__comments', 'aria-label': 'Comments' });
  const footer = h('div', { class: 'comment-thread__footer' });
  const reply = createCommentComposer({
    label: 'Reply',
    placeholder: 'Reply… (@ to mention)',
    submitLabel: 'Reply',
    testId: 'reply',
    people: context.people,
    onSubmit: (body) => context.send({ action: 'reply', threadId, commentId: newCommentId(), body }),
    onTyping: (typing) => context.replying(threadId, typing),
  });
  const repliers = h('p', { class: 'comment-thread__replying', 'data-testid': 'thread-replying', 'aria-live': 'polite', hidden: true });
  element.append(head, list, repliers, footer, reply.element);

  const render = (): void => {
    const thread = current;
    if (!thread) return;
    element.dataset.state = place?.state ?? 'attached';
    element.dataset.resolved = String(thread.resolved);
    element.classList.toggle('comment-thread--active', active);
    if (active) element.setAttribute('aria-current', 'true');
    else element.removeAttribute('aria-current');
    const firstPending = thread.comments[0]?.pending === true;
    head.replaceChildren(passage(thread));
    if (thread.resolved) head.append(h('p', { class: 'comment-thread__status', 'data-testid': 'thread-resolved' }, `Resolved${thread.resolvedBy ? ` by ${thread.resolvedBy.name}` : ''}${thread.pending ? ' · Sending…' : ''}`));
    list.replaceChildren(...thread.comments.map(commentItem));
    // A thread the server has not stored yet takes no replies or resolving: they would be refused.
    footer.replaceChildren(...(context.mayComment && !firstPending ? [actions(thread)] : []));
    reply.element.hidden = !(context.mayComment && !firstPending && !thread.resolved);
  };

  const passage = (thread: ThreadView): HTMLElement => {
    if (place?.state === 'detached') {
      return h(
        'div',
        { class: 'comment-thread__detached', 'data-testid': 'thread-detached' },
        h('p', { class: 'comment-thread__note' }, 'The text this was on was deleted'),
        thread.quote ? h('blockquote', { class: 'comment-thread__quote-text' }, thread.quote) : null,
      );
    }
    if (thread.anchor === null) return h('p', { class: 'comment-thread__note' }, 'On the whole document');
    const text = place?.state === 'attached' ? place.text : thread.quote;
    const button = h('button', { type: 'button', class: 'comment-thread__quote', 'data-testid': 'thread-quote', title: 'Show in the text' }, text);
    button.addEventListener('click', () => context.show(threadId));
    return button;
  };

  const commentItem = (comment: CommentView): HTMLElement => {
    const when = new Date(comment.createdAt);
    const meta = h(
      'div',
      { class: 'comment__meta' },
      h('strong', { class: 'comment__author' }, comment.author.name),
      h('time', { datetime: when.toISOString(), title: when.toLocaleString() }, formatRelativeTime(when.toISOString())),
      comment.editedAt !== null && !comment.deleted ? h('span', { class: 'comment__edited' }, 'edited') : null,
      comment.pending ? h('span', { class: 'comment__pending', 'data-testid': 'comment-pending' }, 'Sending…') : null,
    );
    const item = h('li', { class: 'comment', 'data-testid': 'comment', 'data-comment-id': comment.id }, meta);
    if (comment.deleted) {
      item.append(h('p', { class: 'comment__deleted' }, 'Comment deleted'));
      return item;
    }
    if (editing?.commentId === comment.id) {
      item.append(editing.composer.element);
      return item;
    }
    item.append(h('p', { class: 'comment__body', 'data-testid': 'comment-body' }, ...bodyParts(comment.body, context.people()).map((part) =>
      'mention' in part ? h('span', { class: 'mention' }, `@${part.mention}`) : part.text)));
    if (context.mayComment && isOwnComment(comment, context.me) && !comment.pending) item.append(ownControls(comment));
    return item;
  };

  const ownControls = (comment: CommentView): HTMLElement => {
    if (confirmingDelete === comment.id) {
      const confirm = h('button', { type: 'button', class: 'button button--danger button--small', 'data-testid': 'confirm-delete-comment' }, 'Delete');
      const keep = h('button', { type: 'button', class: 'button button--small' }, 'Keep');
      confirm.addEventListener('click', () => {
        confirmingDelete = null;
        context.send({ action: 'delete', threadId, commentId: comment.id });
      });
      keep.addEventListener('click', () => {
        confirmingDelete = null;
        render();
        element.querySelector<HTMLElement>(`[data-comment-id="${comment.id}"] [data-testid=delete-comment]`)?.focus();
      });
      const row = h('div', { class: 'comment__controls' }, h('span', {}, 'Delete this comment?'), confirm, keep);
      queueMicrotask(() => confirm.focus());
      return row;
    }
    const edit = h('button', { type: 'button', class: 'link-button', 'data-testid': 'edit-comment' }, 'Edit');
    const remove = h('button', { type: 'button', class: 'link-button', 'data-testid': 'delete-comment' }, 'Delete');
    edit.addEventListener('click', () => {
      const stop = (): void => {
        editing = null;
        render();
        element.querySelector<HTMLElement>(`[data-comment-id="${comment.id}"] [data-testid=edit-comment]`)?.focus();
      };
      editing = {
        commentId: comment.id,
        composer: createCommentComposer({
          label: 'Edit comment',
          placeholder: 'Comment',
          submitLabel: 'Save',
          initial: comment.body,
          testId: 'edit',
          people: context.people,
          onSubmit: (body) => {
            if (body !== comment.body) context.send({ action: 'edit', threadId, commentId: comment.id, body });
            stop();
          },
          onCancel: stop,
        }),
      };
      render();
      editing.composer.focus();
    });
    remove.addEventListener('click', () => {
      confirmingDelete = comment.id;
      render();
    });
    return h('div', { class: 'comment__controls' }, edit, remove);
  };

  const actions = (thread: ThreadView): HTMLElement => {
    const toggle = h('button', { type: 'button', class: 'button button--small', 'data-testid': thread.resolved ? 'reopen-thread' : 'resolve-thread' }, thread.resolved ? 'Reopen' : 'Resolve');
    toggle.addEventListener('click', () => context.send({ action: 'resolve', threadId, resolved: !thread.resolved }));
    return h('div', { class: 'comment-thread__actions' }, toggle);
  };

  // A click on the card (not on one of its controls) selects the thread, as its passage button does.
  element.addEventListener('click', (event) => {
    if ((event.target as Element).closest('button, textarea, input, a, form, [role=listbox]')) return;
    context.show(threadId);
  });

  return {
    element,
    update(thread, nextPlace, nextActive) {
      // Nothing changed: keep the DOM (and any focus or selection in it) as it is.
      const next = JSON.stringify([thread, nextPlace?.state === 'attached' ? nextPlace.text : nextPlace?.state, nextActive]);
      if (next === shown) return;
      shown = next;
      current = thread;
      place = nextPlace;
      active = nextActive;
      // Re-rendering moves focus out of a control being replaced; put it back where it was.
      const focused = document.activeElement instanceof HTMLElement && element.contains(document.activeElement) ? document.activeElement.dataset.testid : undefined;
      render();
      if (focused && !element.contains(document.activeElement)) element.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus();
    },
    setRepliers(names) {
      repliers.textContent = replyingText(names);
      repliers.hidden = names.length === 0;
    },
    focus() {
      element.focus();
    },
  };
}
