// Where Tiptap's Markdown parser, run on a server, reads back something other than what its serializer wrote:
// put right here, so that a Markdown export imports as the document it came from.
import type { PmNode } from './prosemirror-json.ts';

/** The parsed document with table-cell line breaks and block images back in their places. */
export function repairMarkdownParse(doc: PmNode): PmNode {
  return withBlockImages(withCellBreaks(doc));
}

const CELL_TYPES = new Set(['tableCell', 'tableHeader']);
const CELL_BREAK = /<br\s*\/?>/i;

/**
 * A Markdown table cell is one line, so Tiptap writes its line breaks (and the seams between its paragraphs) as
 * `<br>`, meaning to read them back as hard breaks; its parser does that through the browser's DOMParser, which
 * a server has not, and would keep `a<br>b` as text. Here those `<br>` become hard breaks again.
 */
function withCellBreaks(node: PmNode, inCell = false): PmNode {
  if (!node.content) return node;
  const cell = inCell || CELL_TYPES.has(node.type);
  const content = node.content.flatMap((child): PmNode[] => {
    if (!cell || child.type !== 'text' || !CELL_BREAK.test(child.text ?? '')) return [withCellBreaks(child, cell)];
    return (child.text ?? '').split(new RegExp(CELL_BREAK, 'gi')).flatMap((part, i): PmNode[] => [
      ...(i > 0 ? [{ type: 'hardBreak' }] : []),
      ...(part === '' ? [] : [{ ...child, text: part }]),
    ]);
  });
  return { ...node, content };
}

/**
 * The editor's images are blocks, but Markdown writes one inside a table cell or a list item as inline syntax,
 * which the parser puts inside a paragraph (`- item⏎  ![alt](src)` becomes one paragraph "item⏎" + image), where
 * the schema refuses it. Such a paragraph is split: the image stands between the text before and after it.
 */
const STARTS_WITH_PARAGRAPH = new Set(['listItem', 'taskItem']);

function withBlockImages(node: PmNode): PmNode {
  if (!node.content) return node;
  const content = node.content.map(withBlockImages).flatMap((child) => (child.type === 'paragraph' && child.content?.some(isImage) ? splitAtImages(child) : [child]));
  // List and task items begin with a paragraph, even when an image came first.
  if (STARTS_WITH_PARAGRAPH.has(node.type) && content[0]?.type !== 'paragraph') content.unshift({ type: 'paragraph' });
  return { ...node, content };
}

function splitAtImages(paragraph: PmNode): PmNode[] {
  const blocks: PmNode[] = [];
  let run: PmNode[] = [];
  const endRun = (): void => {
    // The line break that separated the text from the image was Markdown's, not the text's.
    const trimmed = run.map((inline, i) => (inline.type !== 'text' ? inline : { ...inline, text: trimLineBreaks(inline.text ?? '', i === 0, i === run.length - 1) }));
    const kept = trimmed.filter((inline) => inline.type !== 'text' || inline.text !== '');
    if (kept.length > 0) blocks.push({ ...paragraph, content: kept });
    run = [];
  };
  for (const inline of paragraph.content ?? []) {
    if (!isImage(inline)) {
      run.push(inline);
      continue;
    }
    endRun();
    blocks.push(inline);
  }
  endRun();
  return blocks;
}

function trimLineBreaks(text: string, first: boolean, last: boolean): string {
  let result = first ? text.replace(/^\n+/, '') : text;
  if (last) result = result.replace(/\n+$/, '');
  return result;
}

function isImage(node: PmNode): boolean {
  return node.type === 'image';
}
