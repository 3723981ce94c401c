// Checks ProseMirror JSON against the editor's own schema (common/editor-extensions.ts) before an import.
import { getSchema } from '@tiptap/core';
import { Node as PmNode, type Schema } from '@tiptap/pm/model';
import { editorExtensions } from '../../common/editor-extensions.ts';
import { isSafeImageSrc, isSafeLinkHref } from '../../common/safe-urls.ts';
import { AppError } from '../errors.ts';

// Built once: the schema is the same for the process' life (a few milliseconds at start-up).
const schema: Schema = getSchema([...editorExtensions]);

/**
 * Throws `bad-request` naming the first place `json` departs from the editor's schema, as a path from the
 * doc (`content[0].content[2]: unknown node type "nope"`): unknown node or mark types, content a node may
 * not hold, marks it may not carry, and URLs the editor would refuse (an image `src` that is not http(s), a
 * `javascript:` link: common/safe-urls.ts). (Like the editor, ProseMirror drops attributes a type does not declare.)
 */
export function checkEditorContent(json: unknown): void {
  const problem = knownTypesProblem(json, '') ?? contentProblem(json);
  if (problem !== null) throw new AppError('bad-request', problem);
}

// ProseMirror's own errors do not say where, so types (and the URLs it would not judge) are first walked here, with the path.
function knownTypesProblem(json: unknown, path: string): string | null {
  const where = path === '' ? 'doc' : path;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return `${where}: a node must be an object`;
  const node = json as { type?: unknown; content?: unknown; marks?: unknown; attrs?: { src?: unknown } };
  if (typeof node.type !== 'string') return `${where}: a node needs a "type"`;
  if (!(node.type in schema.nodes)) return `${where}: unknown node type ${JSON.stringify(node.type)}`;
  if (node.type === 'image' && !isSafeImageSrc(node.attrs?.src)) return `${where}: an image's "src" must be an http(s) URL`;
  if (node.marks !== undefined) {
    if (!Array.isArray(node.marks)) return `${where}.marks: must be an array`;
    for (const [i, mark] of node.marks.entries()) {
      const { type, attrs } = (mark ?? {}) as { type?: unknown; attrs?: { href?: unknown } };
      if (typeof type !== 'string' || !(type in schema.marks)) return `${where}.marks[${i}]: unknown mark type ${JSON.stringify(type)}`;
      if (type === 'link' && !isSafeLinkHref(attrs?.href ?? '')) return `${where}.marks[${i}]: a link's "href" must be a web, mail or relative URL (no javascript: or data:)`;
    }
  }
  if (node.content === undefined) return null;
  if (!Array.isArray(node.content)) return `${where}.content: must be an array`;
  for (const [i, child] of node.content.entries()) {
    const problem = knownTypesProblem(child, `${path === '' ? '' : `${path}.`}content[${i}]`);
    if (problem !== null) return problem;
  }
  return null;
}

/** ProseMirror's own checks (content models, attributes, text), placed at the deepest node that fails. */
function contentProblem(json: unknown): string | null {
  let doc: PmNode;
  try {
    doc = PmNode.fromJSON(schema, json);
  } catch (error) {
    return `doc: ${(error as Error).message}`;
  }
  return nodeProblem(doc, '');
}

function nodeProblem(node: PmNode, path: string): string | null {
  for (let i = 0; i < node.childCount; i++) {
    const problem = nodeProblem(node.child(i), `${path === '' ? '' : `${path}.`}content[${i}]`);
    if (problem !== null) return problem;
  }
  // Children are fine: what fails now is this node itself (node.check() recurses, but they already passed).
  try {
    node.check();
  } catch (error) {
    return `${path === '' ? 'doc' : path}: ${(error as Error).message}`;
  }
  return null;
}
