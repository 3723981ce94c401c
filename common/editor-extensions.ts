// The Tiptap extensions that make the editor's document schema, shared by the browser editor and the server.
import { mergeAttributes, type AnyExtension } from '@tiptap/core';
import Image from '@tiptap/extension-image';
import { TaskItem, TaskList } from '@tiptap/extension-list';
import Paragraph from '@tiptap/extension-paragraph';
import { TableKit } from '@tiptap/extension-table';
import TextAlign from '@tiptap/extension-text-align';
import StarterKit from '@tiptap/starter-kit';
import { isSafeImageSrc, isSafeLinkHref } from './safe-urls.ts';

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

// An image whose `src` the editor would not load (common/safe-urls.ts) is not read from pasted or imported HTML,
// and is rendered without its `src` should one arrive another way (a Yjs update), as Tiptap's Link does hrefs.
const SafeImage = Image.extend({
  parseHTML() {
    return [{ tag: 'img[src]', getAttrs: (element) => (isSafeImageSrc(element.getAttribute('src')) ? null : false) }];
  },
  renderHTML({ HTMLAttributes }) {
    const { src, ...rest } = HTMLAttributes as { src?: unknown };
    return ['img', mergeAttributes(this.options.HTMLAttributes, isSafeImageSrc(src) ? HTMLAttributes : rest)];
  },
  // Markdown has no "no alt text" apart from `![]`: read that back as none, as it was written, not as "".
  parseMarkdown: (token, helpers) => helpers.createNode('image', { src: token.href, alt: token.text || null, title: token.title || null }),
  // Tiptap's own writes alt text, address and title as they are: a `"` in a title or a `]` in the alt text
  // would end them early, and the rest of the image would come back as text.
  renderMarkdown: (node) => {
    const { src, alt, title } = (node.attrs ?? {}) as { src?: string | null; alt?: string | null; title?: string | null };
    const address = /[\s<>()]/.test(src ?? '') ? `<${(src ?? '').replace(/[<>]/g, encodeURIComponent)}>` : (src ?? '');
    const quoted = title ? ` "${title.replace(/[\\"]/g, '\\$&')}"` : '';
    return `![${(alt ?? '').replace(/[[\]]/g, '\\$&')}](${address}${quoted})`;
  },
});

/**
 * The version of the document schema `editorExtensions` makes. Raise it with every change of its node types,
 * mark types or their attributes (test/versions/schema-version.test.ts fails until the recorded signature
 * says the new version): y-prosemirror deletes the nodes its schema does not know, so the server refuses
 * editors built for an older schema (server/auth/editor-schema-gate.ts) and they ask to be reloaded.
 * 1: StarterKit. 2: tables, task lists, images, text alignment.
 */
export const EDITOR_SCHEMA_VERSION = 2;

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
    // The popover (client/src/link-popover.ts) opens links; a click in the text only places the caret.
    link: { openOnClick: false, autolink: true, isAllowedUri: (url) => isSafeLinkHref(url) },
    paragraph: false,
  }),
  MarkdownSafeParagraph,
  // Header row and cells; resizing is off, so no column widths that Markdown could not carry either.
  TableKit.configure({ table: { resizable: false } }),
  TaskList,
  // Nested: a task item may hold a task list (or any block) after its first paragraph, as a list item does.
  TaskItem.configure({ nested: true }),
  // Block images by URL (no uploads, no data: URLs).
  SafeImage.configure({ inline: false, allowBase64: false }),
  // Kept in HTML (`style="text-align: …"`) and ProseMirror JSON; Markdown has no way to say it, so a Markdown
  // export drops it (test/versions/render.test.ts states what each format keeps).
  TextAlign.configure({ types: ['heading', 'paragraph'] }),
];
