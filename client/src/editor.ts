// The Tiptap editor bound to a document's Y.Doc, with other people's carets and selections.

import { Editor, type Extensions } from '@tiptap/core';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import type { HocuspocusProvider } from '@hocuspocus/provider';
import { editorExtensions } from '../../common/editor-extensions.ts';
import type { Identity } from './identity.ts';
import { TextLock } from './text-lock.ts';

/** The Y.Doc field holding the text; the server's renderers read the same one. */
export const CONTENT_FIELD = 'default';

/** `extra`: the page's own behaviour on top of the content schema (comment highlights). */
export function createEditor(element: HTMLElement, provider: HocuspocusProvider, identity: Identity, extra: Extensions = []): Editor {
  return new Editor({
    element,
    extensions: [
      // The content schema, shared with the server (which validates imports against it).
      ...editorExtensions,
      Collaboration.configure({ document: provider.document, field: CONTENT_FIELD }),
      CollaborationCaret.configure({ provider, user: { name: identity.name, color: identity.color } }),
      TextLock,
      ...extra,
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
