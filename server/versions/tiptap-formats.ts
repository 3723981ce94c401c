// HTML and Markdown, both ways, by Tiptap's own serializers on the editor's extension list
// (common/editor-extensions.ts): what the editor shows and what an export says cannot drift apart.
//
// Tiptap, ProseMirror, marked and happy-dom are several megabytes of code kept for the process' life: this
// module is imported on first use (an export or import in one of these formats), not by every server at start.
import { generateHTML, generateJSON } from '@tiptap/html/server';
import type { JSONContent } from '@tiptap/core';
import { MarkdownManager } from '@tiptap/markdown';
import { editorExtensions } from '../../common/editor-extensions.ts';
import { isSafeImageSrc, isSafeLinkHref } from '../../common/safe-urls.ts';
import { repairMarkdownParse } from './markdown-repairs.ts';
import type { PmNode } from './prosemirror-json.ts';

const extensions = [...editorExtensions];
const markdown = new MarkdownManager({ extensions });

// The editor shows text with `white-space: pre-wrap`: the export says so, so that a browser shows runs of spaces
// as the editor does, and an import (ProseMirror's parser honours the style) keeps them.
const WRAPPER = ['<div style="white-space: pre-wrap">', '</div>'] as const;

export function toHTML(doc: PmNode): string {
  return WRAPPER[0] + generateHTML(withSafeUrls(doc) as JSONContent, extensions) + WRAPPER[1];
}

export function toMarkdown(doc: PmNode): string {
  return `${markdown.serialize(withSafeUrls(doc) as JSONContent)}\n`;
}

export function fromHTML(html: string): PmNode {
  return withSafeUrls(generateJSON(html, extensions) as PmNode);
}

export function fromMarkdown(text: string): PmNode {
  return withSafeUrls(repairMarkdownParse(markdown.parse(text) as PmNode));
}

/**
 * The document without the URLs the editor would refuse (common/safe-urls.ts): link marks with a `javascript:`,
 * `data:`… `href` (the mark goes, its text stays) and images whose `src` is not http(s) (the image goes).
 * Tiptap's HTML serializer blanks such an `href` but its Markdown serializer keeps it, and an export opened in a
 * browser must carry neither; dropping them makes the formats agree and exports stable.
 */
function withSafeUrls(node: PmNode): PmNode {
  const marks = node.marks?.filter((mark) => mark.type !== 'link' || isSafeLinkHref(String(mark.attrs?.href ?? '')));
  const copy: PmNode = { ...node };
  if (node.marks) {
    if (marks && marks.length > 0) copy.marks = marks;
    else delete copy.marks;
  }
  if (node.content) {
    copy.content = node.content.filter((child) => child.type !== 'image' || isSafeImageSrc(child.attrs?.src)).map(withSafeUrls);
  }
  return copy;
}
