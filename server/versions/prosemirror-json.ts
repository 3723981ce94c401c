// Converts between the editor's Y.XmlFragment (as y-prosemirror stores it) and ProseMirror JSON.
import * as Y from 'yjs';
import { AppError } from '../errors.ts';

/** The Y.Doc field the Tiptap client edits (client/src/editor.ts CONTENT_FIELD). */
export const CONTENT_FIELD = 'default';

export interface PmMark {
  type: string;
  attrs?: Record<string, unknown>;
}

export interface PmNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: PmNode[];
  text?: string;
  marks?: PmMark[];
}

// y-prosemirror suffixes marks that may overlap (e.g. two comments) with a hash: `comment--a1b2c3d4`.
const HASHED_MARK = /(.*)(--[a-zA-Z0-9+/=]{8})$/;

/** The document's editor content as ProseMirror JSON (`{ type: 'doc', content }`). */
export function toProseMirrorJSON(doc: Y.Doc, field = CONTENT_FIELD): PmNode {
  const fragment = doc.getXmlFragment(field);
  return { type: 'doc', content: fragment.toArray().flatMap(nodeToJSON) };
}

function nodeToJSON(node: unknown): PmNode[] {
  if (node instanceof Y.XmlText) {
    const delta = node.toDelta() as Array<{ insert: unknown; attributes?: Record<string, unknown> }>;
    const nodes: PmNode[] = [];
    for (const op of delta) {
      if (typeof op.insert !== 'string') continue;
      const marks = Object.entries(op.attributes ?? {}).map(([name, attrs]) => {
        const mark: PmMark = { type: HASHED_MARK.exec(name)?.[1] ?? name };
        if (attrs && typeof attrs === 'object' && Object.keys(attrs).length > 0) mark.attrs = attrs as Record<string, unknown>;
        return mark;
      });
      // Yjs may split a run whose marks were set in another order; ProseMirror would join it, and so do we.
      const last = nodes.at(-1);
      if (last && marksKey(last.marks ?? []) === marksKey(marks)) {
        last.text += op.insert;
        continue;
      }
      const text: PmNode = { type: 'text', text: op.insert };
      if (marks.length > 0) text.marks = marks;
      nodes.push(text);
    }
    return nodes;
  }
  if (node instanceof Y.XmlElement) {
    const result: PmNode = { type: node.nodeName };
    const attrs = node.getAttributes() as Record<string, unknown>;
    if (Object.keys(attrs).length > 0) result.attrs = attrs;
    const content = node.toArray().flatMap(nodeToJSON);
    if (content.length > 0) result.content = content;
    return [result];
  }
  return [];
}

/** A new doc whose editor field holds ProseMirror JSON (a `doc` node), for imports. */
export function fromProseMirrorJSON(json: unknown, field = CONTENT_FIELD): Y.Doc {
  if (!isNode(json) || json.type !== 'doc') {
    throw new AppError('bad-request', 'expected ProseMirror JSON: an object { "type": "doc", "content": [...] }');
  }
  const doc = new Y.Doc();
  doc.transact(() => fill(doc.getXmlFragment(field), json.content ?? [], 'doc'));
  return doc;
}

// Each node is inserted before it is filled: Yjs types are only fully usable once in a document.
function fill(parent: Y.XmlFragment, nodes: unknown[], parentType: string): void {
  for (const node of nodes) {
    if (!isNode(node)) throw new AppError('bad-request', `invalid child of "${parentType}"`);
    if (node.type === 'text') {
      if (parentType === 'doc') throw new AppError('bad-request', 'text must be inside a block node');
      // Consecutive text nodes share one Y.XmlText, as y-prosemirror stores them.
      let text = parent.length > 0 ? parent.get(parent.length - 1) : null;
      if (!(text instanceof Y.XmlText)) {
        text = new Y.XmlText();
        parent.insert(parent.length, [text]);
      }
      const attributes = Object.fromEntries((node.marks ?? []).map((mark) => [mark.type, mark.attrs ?? {}]));
      (text as Y.XmlText).insert((text as Y.XmlText).length, node.text ?? '', attributes);
      continue;
    }
    const element = new Y.XmlElement(node.type);
    parent.insert(parent.length, [element]);
    for (const [name, value] of Object.entries(node.attrs ?? {})) element.setAttribute(name, value as string);
    fill(element, node.content ?? [], node.type);
  }
}

function marksKey(marks: PmMark[]): string {
  return JSON.stringify(marks.map((mark) => JSON.stringify(mark)).sort());
}

function isNode(value: unknown): value is PmNode {
  return typeof value === 'object' && value !== null && typeof (value as PmNode).type === 'string';
}
