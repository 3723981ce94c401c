// Where a thread's anchor is in a document now: its relative positions resolved against the editor's text (the
// `default` XML fragment), and the text between them. A range whose text was all deleted is "detached": the
// thread stays, with the quote it was made on.
import * as Y from 'yjs';
import type { Anchor, RelativePositionJSON } from '../../common/comments.ts';
import { CONTENT_FIELD } from '../versions/prosemirror-json.ts';

export interface ResolvedAnchor {
  state: 'attached' | 'detached';
  /** The anchored text now (blocks joined by a newline); empty when detached. */
  text: string;
}

/** A relative position at `offset` characters into the plain text of the fragment (for threads made by text). */
export function anchorAt(doc: Y.Doc, from: number, to: number): Anchor | null {
  const start = positionAt(doc, from, 0);
  const end = positionAt(doc, to, -1);
  return start && end ? { start, end } : null;
}

/** The anchor of the first occurrence of `quote` within one block of the text; null when there is none. */
export function anchorOfQuote(doc: Y.Doc, quote: string): Anchor | null {
  if (quote === '') return null;
  let offset = 0;
  for (const node of textNodes(doc.getXmlFragment(CONTENT_FIELD))) {
    const text = plainText(node);
    const at = text.indexOf(quote);
    if (at >= 0) return anchorAt(doc, offset + at, offset + at + quote.length);
    offset += text.length;
  }
  return null;
}

export function resolveAnchor(doc: Y.Doc, anchor: Anchor | null): ResolvedAnchor | null {
  if (anchor === null) return null;
  const start = absolute(doc, anchor.start);
  const end = absolute(doc, anchor.end);
  if (!start || !end) return { state: 'detached', text: '' };
  const nodes = textNodes(doc.getXmlFragment(CONTENT_FIELD));
  const from = nodes.indexOf(start.type as Y.XmlText);
  const to = nodes.indexOf(end.type as Y.XmlText);
  if (from < 0 || to < 0 || to < from || (from === to && end.index <= start.index)) return { state: 'detached', text: '' };
  const parts = nodes.slice(from, to + 1).map((node, i, all) => {
    const text = plainText(node);
    return text.slice(i === 0 ? start.index : 0, i === all.length - 1 ? end.index : text.length);
  });
  const text = parts.join('\n');
  return text.trim() === '' ? { state: 'detached', text: '' } : { state: 'attached', text };
}

function absolute(doc: Y.Doc, position: RelativePositionJSON): Y.AbsolutePosition | null {
  try {
    return Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(position), doc);
  } catch {
    return null;
  }
}

function positionAt(doc: Y.Doc, offset: number, assoc: number): RelativePositionJSON | null {
  let left = offset;
  for (const node of textNodes(doc.getXmlFragment(CONTENT_FIELD))) {
    const length = node.length;
    if (left <= length) return JSON.parse(JSON.stringify(Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(node, left, assoc)))) as RelativePositionJSON;
    left -= length;
  }
  return null;
}

/** The text nodes of the fragment, in reading order. */
function textNodes(parent: Y.XmlFragment | Y.XmlElement): Y.XmlText[] {
  const nodes: Y.XmlText[] = [];
  for (const child of parent.toArray()) {
    if (child instanceof Y.XmlText) nodes.push(child);
    else if (child instanceof Y.XmlElement) nodes.push(...textNodes(child));
  }
  return nodes;
}

function plainText(node: Y.XmlText): string {
  return (node.toDelta() as Array<{ insert: unknown }>).map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');
}
