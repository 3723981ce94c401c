// Highlights the text open threads are anchored to, the selected thread's more strongly, opens a thread when its
// text is clicked, and says which thread the caret is in as the keyboard moves it. The page hands the threads in
// (setCommentHighlights); ranges are worked out here, from the anchors, whenever the text or the threads change.
import { Extension, type Editor } from '@tiptap/core';
import { Plugin, PluginKey, type EditorState, type Transaction } from '@tiptap/pm/state';
import { Decoration, DecorationSet } from '@tiptap/pm/view';
import { ySyncPluginKey } from '@tiptap/y-tiptap';
import type { Anchor } from '../../common/comments.ts';
import { placeOfAnchor } from './comment-anchors.ts';

export interface HighlightedThread {
  id: string;
  anchor: Anchor;
}

interface Highlights {
  threads: readonly HighlightedThread[];
  activeId: string | null;
  decorations: DecorationSet;
}

const key = new PluginKey<Highlights>('commentHighlights');

/** Shows `threads` (the unresolved ones) highlighted, `activeId`'s as selected. */
export function setCommentHighlights(editor: Editor, threads: readonly HighlightedThread[], activeId: string | null): void {
  if (editor.isDestroyed) return;
  editor.view.dispatch(editor.state.tr.setMeta(key, { threads, activeId }).setMeta('addToHistory', false));
}

export interface CommentHighlightsOptions {
  /** The reader clicked highlighted text: the thread (the innermost, where they overlap) to show. */
  onOpenThread: (threadId: string) => void;
  /** The caret (in the focused editor) moved into another thread's text, or out of all: null. */
  onCaretThread: (threadId: string | null) => void;
}

export const CommentHighlights = Extension.create<CommentHighlightsOptions>({
  name: 'commentHighlights',
  addOptions() {
    return { onOpenThread: () => {}, onCaretThread: () => {} };
  },
  addProseMirrorPlugins() {
    const { onOpenThread, onCaretThread } = this.options;
    return [
      new Plugin<Highlights>({
        key,
        state: {
          init: () => ({ threads: [], activeId: null, decorations: DecorationSet.empty }),
          apply: (tr, value, _old, state) => next(tr, value, state),
        },
        props: {
          decorations: (state) => key.getState(state)?.decorations,
          handleClick(view, pos) {
            const threadId = threadAt(view.state, pos);
            if (threadId) onOpenThread(threadId);
            // The click still places the caret.
            return false;
          },
        },
        // The keyboard's way to a thread: moving the caret into its text, as a click would.
        view: () => {
          let under: string | null = null;
          return {
            update(view) {
              if (!view.hasFocus()) return;
              const threadId = threadAt(view.state, view.state.selection.head);
              if (threadId === under) return;
              under = threadId;
              onCaretThread(threadId);
            },
          };
        },
      }),
    ];
  },
});

/** The thread whose text holds or touches `pos` (the innermost, where they overlap). */
function threadAt(state: EditorState, pos: number): string | null {
  const found = key.getState(state)?.decorations.find(pos, pos) ?? [];
  const innermost = found.filter((decoration) => decoration.from < pos || decoration.to > pos).sort((a, b) => a.to - a.from - (b.to - b.from))[0];
  return (innermost?.spec as { threadId?: string } | undefined)?.threadId ?? null;
}

function next(tr: Transaction, value: Highlights, state: EditorState): Highlights {
  const asked = tr.getMeta(key) as Pick<Highlights, 'threads' | 'activeId'> | undefined;
  // Others' edits (and undo) arrive from Yjs, whose positions have just been mapped to the new text: work the
  // ranges out again. One's own typing is a plain step: moving the highlights along with it is exact.
  const fromYjs = (tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined)?.isChangeOrigin === true;
  if (asked) return { ...asked, decorations: decorate(state, asked.threads, asked.activeId) };
  if (fromYjs) return { ...value, decorations: decorate(state, value.threads, value.activeId) };
  if (tr.docChanged) return { ...value, decorations: value.decorations.map(tr.mapping, tr.doc) };
  return value;
}

function decorate(state: EditorState, threads: readonly HighlightedThread[], activeId: string | null): DecorationSet {
  const decorations: Decoration[] = [];
  for (const thread of threads) {
    const place = placeOfAnchor(state, thread.anchor);
    if (place?.state !== 'attached') continue;
    const active = thread.id === activeId;
    decorations.push(
      Decoration.inline(
        place.from,
        place.to,
        { class: active ? 'comment-highlight comment-highlight--active' : 'comment-highlight', 'data-thread-id': thread.id },
        // Not inclusive at either end, as the anchors: text typed just before or after stays out.
        { threadId: thread.id, inclusiveStart: false, inclusiveEnd: false },
      ),
    );
  }
  return DecorationSet.create(state.doc, decorations);
}
