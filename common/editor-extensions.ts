// The Tiptap extensions that make the editor's document schema, shared by the browser editor and the server.
import type { AnyExtension } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';

/**
 * The editor's content extensions: the server builds its schema from this list (getSchema) to validate
 * imports, so a node the editor cannot show is refused. Collaboration, carets and other view-only
 * extensions stay in the client, which adds them on top.
 */
export const editorExtensions: readonly AnyExtension[] = [
  StarterKit.configure({
    // Collaboration brings its own undo (Yjs' UndoManager); ProseMirror's history would undo other people's text.
    undoRedo: false,
    // Every client would append its own empty trailing paragraph at once, and Yjs keeps them all.
    trailingNode: false,
    link: { openOnClick: false, autolink: true },
  }),
];
