// Renders ProseMirror JSON of Tiptap's StarterKit nodes and marks as HTML, without a DOM.
import type { PmMark, PmNode } from './prosemirror-json.ts';

const BLOCK_TAGS: Record<string, string> = {
  paragraph: 'p',
  blockquote: 'blockquote',
  bulletList: 'ul',
  orderedList: 'ol',
  listItem: 'li',
};

const MARK_TAGS: Record<string, string> = { bold: 'strong', italic: 'em', strike: 's', code: 'code', underline: 'u' };

export function toHTML(doc: PmNode): string {
  return (doc.content ?? []).map(nodeHTML).join('\n');
}

function nodeHTML(node: PmNode): string {
  const inner = () => (node.content ?? []).map(nodeHTML).join('');
  switch (node.type) {
    case 'text':
      return (node.marks ?? []).reduceRight((html, mark) => wrapMark(mark, html), escapeHTML(node.text ?? ''));
    case 'heading':
      return `<h${headingLevel(node)}>${inner()}</h${headingLevel(node)}>`;
    case 'orderedList': {
      const start = Number(node.attrs?.start ?? 1);
      return `<ol${start !== 1 ? ` start="${start}"` : ''}>${inner()}</ol>`;
    }
    case 'codeBlock': {
      const language = node.attrs?.language;
      const code = (node.content ?? []).map((child) => child.text ?? '').join('');
      return `<pre><code${language ? ` class="language-${escapeHTML(String(language))}"` : ''}>${escapeHTML(code)}</code></pre>`;
    }
    case 'horizontalRule':
      return '<hr>';
    case 'hardBreak':
      return '<br>';
    default: {
      const tag = BLOCK_TAGS[node.type];
      return tag ? `<${tag}>${inner()}</${tag}>` : `<div data-type="${escapeHTML(node.type)}">${inner()}</div>`;
    }
  }
}

function wrapMark(mark: PmMark, html: string): string {
  if (mark.type === 'link') {
    const href = String(mark.attrs?.href ?? '');
    return `<a href="${escapeHTML(safeHref(href))}">${html}</a>`;
  }
  const tag = MARK_TAGS[mark.type];
  return tag ? `<${tag}>${html}</${tag}>` : `<span data-mark="${escapeHTML(mark.type)}">${html}</span>`;
}

export function headingLevel(node: PmNode): number {
  const level = Number(node.attrs?.level ?? 1);
  return Number.isInteger(level) && level >= 1 && level <= 6 ? level : 1;
}

// Exported HTML may be opened in a browser: script URLs are dropped.
function safeHref(href: string): string {
  return /^\s*(javascript|data|vbscript):/i.test(href) ? '#' : href;
}

export function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
