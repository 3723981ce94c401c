// The Tiptap editor bound to a document's Y.Doc, with other people's carets and selections.

import { Editor } from '@tiptap/core';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import StarterKit from '@tiptap/starter-kit';
import type { HocuspocusProvider } from '@hocuspocus/provider';
import type { Identity } from './identity.ts';

/** The Y.Doc field holding the text; the server's renderers read the same one. */
export const CONTENT_FIELD = 'default';

export function createEditor(element: HTMLElement, provider: HocuspocusProvider, identity: Identity): Editor {
  return new Editor({
    element,
    extensions: [
      StarterKit.configure({
        // Collaboration brings its own undo (Yjs' UndoManager); ProseMirror's history would undo other people's text.
        undoRedo: false,
        // Every client would append its own empty trailing paragraph at once, and Yjs keeps them all.
        trailingNode: false,
        link: { openOnClick: false, autolink: true },
      }),
      Collaboration.configure({ document: provider.document, field: CONTENT_FIELD }),
      CollaborationCaret.configure({ provider, user: { name: identity.name, color: identity.color } }),
    ],
    editorProps: {
      attributes: {
        class: 'prose',
        'data-testid': 'editor',
        'aria-label': 'Document text',
        'aria-multiline': 'true',
        role: 'textbox',
        spellcheck: 'true',
      },
    },
  });
}
