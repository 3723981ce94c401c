// A document's text blocks (the unit of a version diff) and its plain text: what each block says, without markup.
import type { PmNode } from './prosemirror-json.ts';

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
