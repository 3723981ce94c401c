// The Comments side panel: the document's threads, live (Open / Resolved), a new thread on the editor's
// selection, and the link between a thread and its passage: selecting one selects the other. Threads are read
// from the document's `comments` map and changed only through the sender's messages (the server writes them).
import type { Editor } from '@tiptap/core';
import { TextSelection } from '@tiptap/pm/state';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { COMMENTS_ROOT, newCommentId, type AccessNotice, type Anchor, type CommentAction, type CommentAuthor, type Thread } from '../../common/comments.ts';
import type { CommentSender } from './comment-actions-client.ts';
import { anchorFromSelection, placeOfAnchor, type AnchorPlace } from './comment-anchors.ts';
import { createCommentComposer } from './comment-composer.ts';
import { setCommentHighlights } from './comment-highlights.ts';
import { createThreadCard, type ThreadCard } from './comment-thread-view.ts';
import { knownPeople, mayComment, threadsIn, threadsWithPending, type ThreadFilter, type ThreadView } from './comment-threads.ts';
import { h } from './dom.ts';
import { formatRelativeTime } from './format.ts';
import { repliersByThread, replyingTo, setReplying } from './reply-presence.ts';

export interface CommentsPanel {
  element: HTMLElement;
  open(): void;
  close(): void;
  toggle(): void;
  readonly isOpen: boolean;
  /** Opens a new thread on the editor's selection: the panel opens with a box for its first comment. */
  startComment(): void;
  /** Whether this access may comment (known once the server's access notice came). */
  available(): boolean;
  /** Shows one thread (its highlighted text was clicked), without taking the keyboard focus from the text. */
  openThread(threadId: string): void;
  /** The caret moved into a thread's text (null: out of all): an open panel selects that thread. */
  caretInThread(threadId: string | null): void;
  setAccess(notice: AccessNotice): void;
  dispose(): void;
}

export interface CommentsPanelOptions {
  editor: Editor;
  ydoc: Y.Doc;
  sender: CommentSender;
  /** This person where the server identifies nobody (--auth none): the local identity. */
  localAuthor: () => CommentAuthor;
  /** Names of the people in the document now (presence). */
  present: () => readonly string[];
  /** The page's presence: who is replying to which thread goes through it. */
  awareness: Awareness;
  onToggle: (open: boolean) => void;
  /** The number of open threads, whenever it may have changed. */
  onOpenCount?: (count: number) => void;
  say: (message: string, tone: 'info' | 'error') => void;
}

export function createCommentsPanel({ editor, ydoc, sender, localAuthor, present, awareness, onToggle, onOpenCount, say }: CommentsPanelOptions): CommentsPanel {
  const threadsMap = ydoc.getMap<Thread>(COMMENTS_ROOT);
  let access: AccessNotice | null = null;
  let filter: ThreadFilter = 'open';
  let activeId: string | null = null;
  let isOpen = false;
  let draft: { anchor: Anchor; quote: string } | null = null;
  // Where the keyboard was when the panel opened: Escape takes it back there.
  let openedFrom: HTMLElement | null = null;
  let clock = 0;
  const cards = new Map<string, ThreadCard>();

  const me = (): CommentAuthor => access?.user ?? localAuthor();
  const stored = (): Thread[] => [...threadsMap.values()];
  const people = (): string[] => knownPeople(present(), stored());
  const send = (action: CommentAction): void => {
    if (!mayComment(access?.permission ?? null)) return say('Your access to this document does not include commenting.', 'error');
    sender.send(action);
  };

  const openTab = h('button', { type: 'button', class: 'comments__filter', 'data-testid': 'comments-filter-open', 'aria-pressed': 'true' }, 'Open');
  const resolvedTab = h('button', { type: 'button', class: 'comments__filter', 'data-testid': 'comments-filter-resolved', 'aria-pressed': 'false' }, 'Resolved');
  const draftSlot = h('div', { class: 'comments__draft', 'data-testid': 'comment-draft', hidden: true });
  const list = h('div', { class: 'comments__list', 'data-testid': 'comment-threads', role: 'list', 'aria-label': 'Comment threads' });
  const empty = h('p', { class: 'comments__empty', 'data-testid': 'comments-empty' });
  const closeButton = h('button', { class: 'history__close', type: 'button', 'aria-label': 'Close comments' }, '×');
  const element = h(
    'section',
    { class: 'comments', 'aria-label': 'Comments', 'data-testid': 'comments-panel', hidden: true },
    h('header', { class: 'history__header' }, h('h2', { class: 'history__title' }, 'Comments'), closeButton),
    h('div', { class: 'comments__filters', role: 'group', 'aria-label': 'Show threads' }, openTab, resolvedTab),
    draftSlot,
    list,
    empty,
  );

  const placeOf = (thread: ThreadView): AnchorPlace | null => (thread.anchor ? placeOfAnchor(editor.state, thread.anchor) : null);

  let highlighted = '';
  const render = (): void => {
    const all = threadsWithPending(stored(), sender.pending(), me());
    const shown = threadsIn(all, filter);
    const openCount = threadsIn(all, 'open').length;
    openTab.textContent = `Open (${openCount})`;
    onOpenCount?.(openCount);
    resolvedTab.textContent = `Resolved (${threadsIn(all, 'resolved').length})`;
    openTab.setAttribute('aria-pressed', String(filter === 'open'));
    resolvedTab.setAttribute('aria-pressed', String(filter === 'resolved'));
    const context = { me: me(), mayComment: mayComment(access?.permission ?? null), people, send, show, replying };
    const elements = shown.map((thread) => {
      let card = cards.get(thread.id);
      if (!card) {
        card = createThreadCard(thread.id, context);
        cards.set(thread.id, card);
      }
      card.update(thread, placeOf(thread), thread.id === activeId);
      card.setRepliers(repliers.get(thread.id) ?? []);
      return card.element;
    });
    placeChildren(list, elements);
    // A reply box taken off the page or hidden (the thread resolved) with the focus in it: that reply is over.
    // Chromium sends a blur then; not every browser does.
    const to = replyingTo(awareness);
    if (to !== null && !shown.some((thread) => thread.id === to && !thread.resolved)) setReplying(awareness, null);
    empty.textContent = shown.length > 0 ? '' : filter === 'open' ? 'No open comments. Select some text and press Comment to start one.' : 'No resolved comments.';
    empty.hidden = shown.length > 0;

    // Only when the highlighted threads or the active one change: the plugin follows the text by itself.
    const open = all.filter((thread) => !thread.resolved && thread.anchor !== null).map((thread) => ({ id: thread.id, anchor: thread.anchor as Anchor }));
    const key = JSON.stringify([open.map((thread) => thread.id), activeId]);
    if (key !== highlighted) {
      highlighted = key;
      setCommentHighlights(editor, open, activeId);
    }
  };
  let frame = 0;
  const scheduleRender = (): void => {
    if (frame !== 0) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  };
  // Cards made with an older context (access) are made again.
  const rebuild = (): void => {
    cards.clear();
    list.replaceChildren();
    render();
  };

  // Who else is writing a reply where, from presence; cards are told only when that changes.
  let repliers = new Map<string, string[]>();
  let repliersKey = '[]';
  const onAwareness = (): void => {
    const next = repliersByThread(awareness.getStates() as Map<number, Record<string, unknown>>, awareness.clientID);
    const key = JSON.stringify([...next]);
    if (key === repliersKey) return;
    repliersKey = key;
    repliers = next;
    for (const [threadId, card] of cards) card.setRepliers(repliers.get(threadId) ?? []);
  };
  awareness.on('change', onAwareness);
  function replying(threadId: string, typing: boolean): void {
    if (typing) setReplying(awareness, threadId);
    else if (replyingTo(awareness) === threadId) setReplying(awareness, null);
  }

  function show(threadId: string): void {
    activeId = threadId;
    render();
    const thread = threadsWithPending(stored(), sender.pending(), me()).find((candidate) => candidate.id === threadId);
    const place = thread ? placeOf(thread) : null;
    if (place?.state === 'attached') editor.chain().setTextSelection({ from: place.from, to: place.to }).scrollIntoView().run();
  }

  const setFilter = (next: ThreadFilter): void => {
    filter = next;
    render();
  };
  openTab.addEventListener('click', () => setFilter('open'));
  resolvedTab.addEventListener('click', () => setFilter('resolved'));

  const endDraft = (): void => {
    draft = null;
    draftSlot.hidden = true;
    draftSlot.replaceChildren();
  };
  const startDraft = (next: { anchor: Anchor; quote: string }): void => {
    draft = next;
    const composer = createCommentComposer({
      label: 'Comment',
      placeholder: 'Add a comment… (@ to mention)',
      submitLabel: 'Comment',
      testId: 'new-comment',
      people,
      onSubmit: (body) => {
        if (!draft) return;
        const threadId = newCommentId();
        send({ action: 'create', threadId, commentId: newCommentId(), anchor: draft.anchor, quote: draft.quote, body });
        endDraft();
        filter = 'open';
        activeId = threadId;
        render();
        // The box it was typed in is gone: the keyboard goes to the new thread (Escape then leads back to the text).
        const card = cards.get(threadId);
        card?.element.scrollIntoView({ block: 'nearest' });
        card?.focus();
      },
      onCancel: () => {
        endDraft();
        // Back to the text the comment was to be on.
        if (editor.isEditable) editor.commands.focus();
      },
    });
    draftSlot.replaceChildren(h('p', { class: 'comments__draft-title' }, 'New comment on'), h('blockquote', { class: 'comment-thread__quote-text' }, next.quote), composer.element);
    draftSlot.hidden = false;
    composer.focus();
  };

  threadsMap.observe(scheduleRender);
  sender.onChange(scheduleRender);
  // Others' edits move, change or detach passages.
  const onUpdate = (): void => {
    if (isOpen) scheduleRender();
  };
  editor.on('update', onUpdate);

  const panel: CommentsPanel = {
    element,
    get isOpen() {
      return isOpen;
    },
    open() {
      isOpen = true;
      openedFrom = document.activeElement instanceof HTMLElement && !element.contains(document.activeElement) ? document.activeElement : null;
      element.hidden = false;
      onToggle(true);
      render();
      window.clearInterval(clock);
      clock = window.setInterval(refreshTimes, TIME_REFRESH_MS);
    },
    close() {
      isOpen = false;
      element.hidden = true;
      setReplying(awareness, null);
      window.clearInterval(clock);
      onToggle(false);
    },
    toggle() {
      if (isOpen) panel.close();
      else panel.open();
    },
    startComment() {
      if (!panel.available()) return;
      takeSelectionOnScreen(editor);
      const selected = anchorFromSelection(editor.state);
      if (!selected) return say('Select some text to comment on.', 'info');
      if (!isOpen) panel.open();
      filter = 'open';
      render();
      startDraft(selected);
    },
    available: () => mayComment(access?.permission ?? null),
    openThread(threadId) {
      const thread = threadsWithPending(stored(), sender.pending(), me()).find((candidate) => candidate.id === threadId);
      if (!thread) return;
      filter = thread.resolved ? 'resolved' : 'open';
      activeId = threadId;
      if (!isOpen) panel.open();
      render();
      cards.get(threadId)?.element.scrollIntoView({ block: 'nearest' });
    },
    caretInThread(threadId) {
      if (!isOpen || threadId === null || threadId === activeId) return;
      activeId = threadId;
      filter = 'open';
      render();
      cards.get(threadId)?.element.scrollIntoView({ block: 'nearest' });
    },
    setAccess(notice) {
      access = notice;
      if (!panel.available()) endDraft();
      rebuild();
    },
    dispose() {
      cancelAnimationFrame(frame);
      window.clearInterval(clock);
      awareness.off('change', onAwareness);
      threadsMap.unobserve(scheduleRender);
      editor.off('update', onUpdate);
    },
  };
  closeButton.addEventListener('click', () => panel.close());
  // Escape closes the panel, unless a box or list in it used the key (a draft cancelled, a reply emptied).
  element.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    const back = openedFrom?.isConnected ? openedFrom : null;
    panel.close();
    if (back) back.focus();
    else editor.commands.focus();
  });
  // "2 minutes ago" goes stale while the panel is open: the times are rewritten in place, cards untouched.
  const refreshTimes = (): void => {
    for (const time of list.querySelectorAll('time')) time.textContent = formatRelativeTime(time.dateTime);
  };
  render();
  return panel;
}

const TIME_REFRESH_MS = 30_000;

/**
 * Makes the editor's selection the one on screen. ProseMirror reads a selection made with the keyboard from the
 * browser's selectionchange event, which can still be on its way when the comment shortcut follows at once:
 * the comment would be on the passage as it was a key earlier.
 */
function takeSelectionOnScreen(editor: Editor): void {
  const selection = document.getSelection();
  const { dom } = editor.view;
  if (!selection?.anchorNode || !selection.focusNode || !dom.contains(selection.anchorNode) || !dom.contains(selection.focusNode)) return;
  let anchor: number;
  let head: number;
  try {
    anchor = editor.view.posAtDOM(selection.anchorNode, selection.anchorOffset);
    head = editor.view.posAtDOM(selection.focusNode, selection.focusOffset);
  } catch {
    // A node ProseMirror does not render (a caret's label): its own selection stands.
    return;
  }
  const current = editor.state.selection;
  // A node or table-cell selection is ProseMirror's own, not the browser's.
  if (!(current instanceof TextSelection)) return;
  if (anchor !== current.anchor || head !== current.head) editor.commands.setTextSelection({ from: anchor, to: head });
}

/** Puts `children` in `parent` in order, moving only what is out of place (a moved element loses focus). */
function placeChildren(parent: HTMLElement, children: readonly HTMLElement[]): void {
  const wanted = new Set(children);
  for (const child of [...parent.children]) if (!wanted.has(child as HTMLElement)) child.remove();
  children.forEach((child, index) => {
    if (parent.children[index] !== child) parent.insertBefore(child, parent.children[index] ?? null);
  });
}
