// The Tiptap extensions that make the editor's document schema, shared by the browser editor and the server.
import type { AnyExtension } from '@tiptap/core';
import Paragraph from '@tiptap/extension-paragraph';
import StarterKit from '@tiptap/starter-kit';

// A line of text that Markdown would read as the start of a block (`# `, `- `, `1. `, `> `, `---`, four
// spaces…) gets the one character that makes it so escaped. Tiptap's Markdown renderer escapes inline syntax
// but not these, and a paragraph "1. not a list" exported and imported again would come back as a list.
// Only what starts a block: `**bold**` or `_italic_` at a line's start must stay marks.
const BLOCK_START = /^(?:#{1,6}(?=[ \t]|$)|>|[-+*](?=[ \t]|$)|(?:[-*_][ \t]*){3,}$|=+[ \t]*$|-+[ \t]*$|`{3,}|~{3,}|\d{1,9}[.)](?=[ \t]|$))/;

/** Escapes block syntax at the start of each line of a paragraph's Markdown (lines follow hard breaks). */
export function escapeBlockStarts(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => {
      // Leading spaces would be dropped, or make an indented code block: the first becomes an entity.
      const text = line.startsWith(' ') ? `&#32;${line.slice(1)}` : line;
      const match = BLOCK_START.exec(text);
      if (!match) return text;
      // `1.` → `1\.`; `#` → `\#`: a backslash before ASCII punctuation is always a literal in CommonMark.
      const at = /^\d/.test(match[0]) ? match[0].length - 1 : 0;
      return `${text.slice(0, at)}\\${text.slice(at)}`;
    })
    .join('\n');
}

const MarkdownSafeParagraph = Paragraph.extend({
  renderMarkdown(node, helpers, context) {
    const parent = this.parent as ((...args: Parameters<NonNullable<typeof this.parent>>) => string) | undefined;
    return escapeBlockStarts(parent?.(node, helpers, context) ?? '');
  },
});

/**
 * The editor's content extensions: the server builds its schema from this list (getSchema) to validate
 * imports, and renders exports with it (Tiptap's HTML and Markdown serializers), so a node the editor cannot
 * show is refused and what the editor shows is what an export says. Collaboration, carets and other view-only
 * extensions stay in the client, which adds them on top.
 */
export const editorExtensions: readonly AnyExtension[] = [
  StarterKit.configure({
    // Collaboration brings its own undo (Yjs' UndoManager); ProseMirror's history would undo other people's text.
    undoRedo: false,
    // Every client would append its own empty trailing paragraph at once, and Yjs keeps them all.
    trailingNode: false,
    link: { openOnClick: false, autolink: true },
    paragraph: false,
  }),
  MarkdownSafeParagraph,
];
