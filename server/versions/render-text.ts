// Renders ProseMirror JSON as Markdown and as plain text, and splits it into blocks for diffs.
import { headingLevel } from './render-html.ts';
import type { PmMark, PmNode } from './prosemirror-json.ts';

const MARK_DELIMITERS: Record<string, [string, string]> = {
  bold: ['**', '**'],
  italic: ['*', '*'],
  strike: ['~~', '~~'],
  code: ['`', '`'],
  underline: ['<u>', '</u>'],
};

export function toMarkdown(doc: PmNode): string {
  return blocksMarkdown(doc.content ?? []).join('\n\n') + '\n';
}

function blocksMarkdown(nodes: PmNode[]): string[] {
  return nodes.map(blockMarkdown);
}

function blockMarkdown(node: PmNode): string {
  const children = node.content ?? [];
  switch (node.type) {
    case 'heading':
      return `${'#'.repeat(headingLevel(node))} ${inlineMarkdown(children)}`;
    case 'blockquote':
      return prefixLines(blocksMarkdown(children).join('\n\n'), '> ', '> ');
    case 'bulletList':
      return children.map((item) => prefixLines(blocksMarkdown(item.content ?? []).join('\n\n'), '- ', '  ')).join('\n');
    case 'orderedList': {
      const start = Number(node.attrs?.start ?? 1);
      return children
        .map((item, i) => {
          const marker = `${start + i}. `;
          return prefixLines(blocksMarkdown(item.content ?? []).join('\n\n'), marker, ' '.repeat(marker.length));
        })
        .join('\n');
    }
    case 'codeBlock':
      return `\`\`\`${String(node.attrs?.language ?? '')}\n${children.map((c) => c.text ?? '').join('')}\n\`\`\``;
    case 'horizontalRule':
      return '---';
    default:
      return children.some((child) => isInline(child)) || children.length === 0
        ? inlineMarkdown(children)
        : blocksMarkdown(children).join('\n\n');
  }
}

function inlineMarkdown(nodes: PmNode[]): string {
  return nodes
    .map((node) => {
      if (node.type === 'hardBreak') return '  \n';
      if (node.type !== 'text') return '';
      return (node.marks ?? []).reduceRight((text, mark) => wrapMark(mark, text), escapeMarkdown(node.text ?? '', node));
    })
    .join('');
}

function wrapMark(mark: PmMark, text: string): string {
  if (mark.type === 'link') return `[${text}](${String(mark.attrs?.href ?? '')})`;
  const [open, close] = MARK_DELIMITERS[mark.type] ?? ['', ''];
  return `${open}${text}${close}`;
}

function escapeMarkdown(text: string, node: PmNode): string {
  if (node.marks?.some((mark) => mark.type === 'code')) return text;
  return text.replace(/([\\`*_[\]<>~#])/g, '\\$1');
}

function prefixLines(text: string, first: string, rest: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? first : rest) + line)
    .join('\n');
}

function isInline(node: PmNode): boolean {
  return node.type === 'text' || node.type === 'hardBreak';
}

/** One block of text (a paragraph, heading, code block...), the unit of a diff. */
export interface TextBlock {
  /** The node type, with its nesting: `bulletList > listItem > paragraph`. */
  path: string;
  text: string;
}

/** The text blocks of a ProseMirror document, in reading order. */
export function textBlocks(doc: PmNode): TextBlock[] {
  const blocks: TextBlock[] = [];
  const walk = (node: PmNode, path: string[]) => {
    const children = node.content ?? [];
    if (node.type === 'horizontalRule') blocks.push({ path: [...path, node.type].join(' > '), text: '---' });
    else if (children.length === 0 || children.some(isInline)) {
      const text = children.map((child) => (child.type === 'hardBreak' ? '\n' : (child.text ?? ''))).join('');
      blocks.push({ path: [...path, node.type].join(' > '), text });
    } else for (const child of children) walk(child, [...path, node.type]);
  };
  for (const node of doc.content ?? []) walk(node, []);
  return blocks;
}

export function toPlainText(doc: PmNode): string {
  return textBlocks(doc)
    .map((block) => block.text)
    .join('\n\n');
}
