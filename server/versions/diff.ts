// Diffs two document states as a readable list of changes: blocks added, removed, and changed word by word.
import { COMMENTS_ROOT } from '../../common/comments.ts';
import type * as Y from 'yjs';
import type { Change, DiffOp, DiffPart, DocumentDiff } from '../../common/api-types.ts';
import { toProseMirrorJSON } from './prosemirror-json.ts';
import { textBlocks, type TextBlock } from './text-blocks.ts';
import { rootKind, typedRoot } from './root-types.ts';

export type { Change, DiffOp, DiffPart, DocumentDiff };

interface Block extends TextBlock {
  root: string;
}

// Beyond this many cells the quadratic LCS gives way to a common-prefix/suffix diff.
const MAX_LCS_CELLS = 4_000_000;

export function diffDocuments(before: Y.Doc, after: Y.Doc): DocumentDiff {
  const a = blocksOf(before);
  const b = blocksOf(after);
  const changes: Change[] = [];
  // Each root is diffed on its own: a block of one root is never an edit of another root's.
  for (const root of [...new Set([...a.keys(), ...b.keys()])].sort()) changes.push(...diffBlocks(a.get(root) ?? [], b.get(root) ?? []));
  const count = (kind: Change['kind']) => changes.filter((change) => change.kind === kind).length;
  return { changes, summary: { added: count('added'), removed: count('removed'), changed: count('changed') } };
}

function diffBlocks(a: Block[], b: Block[]): Change[] {
  const changes: Change[] = [];
  const key = (block: Block) => `${block.path}\u0000${block.text}`;
  const script = diffSequences(a.map(key), b.map(key));
  let i = 0;
  let j = 0;
  for (let s = 0; s < script.length; s += 1) {
    const step = script[s]!;
    if (step.op === 'equal') {
      i += step.count;
      j += step.count;
      continue;
    }
    const removed = step.op === 'delete' ? a.slice(i, i + step.count) : [];
    if (step.op === 'delete') i += step.count;
    const following = step.op === 'insert' ? step : script[s + 1]?.op === 'insert' ? script[(s += 1)]! : null;
    const added = following ? b.slice(j, j + following.count) : [];
    j += following?.count ?? 0;
    // Within a run of removed and added blocks, a removed block pairs with the next added block of the
    // same kind (paragraph with paragraph) as one edited block.
    let next = 0;
    for (const old of removed) {
      const match = added.findIndex((block, k) => k >= next && block.path === old.path);
      if (match < 0) {
        changes.push({ kind: 'removed', root: old.root, block: old.path, text: old.text });
        continue;
      }
      for (const block of added.slice(next, match)) changes.push({ kind: 'added', root: block.root, block: block.path, text: block.text });
      const now = added[match]!;
      changes.push({ kind: 'changed', root: now.root, block: now.path, before: old.text, after: now.text, parts: diffWords(old.text, now.text) });
      next = match + 1;
    }
    for (const block of added.slice(next)) changes.push({ kind: 'added', root: block.root, block: block.path, text: block.text });
  }
  return changes;
}

/** Word-level diff of two strings; whitespace runs are tokens of their own. */
export function diffWords(before: string, after: string): DiffPart[] {
  const a = before.split(/(\s+)/).filter(Boolean);
  const b = after.split(/(\s+)/).filter(Boolean);
  const parts: DiffPart[] = [];
  let i = 0;
  let j = 0;
  for (const step of diffSequences(a, b)) {
    const source = step.op === 'insert' ? b.slice(j, j + step.count) : a.slice(i, i + step.count);
    if (step.op !== 'insert') i += step.count;
    if (step.op !== 'delete') j += step.count;
    const last = parts.at(-1);
    if (last && last.op === step.op) last.text += source.join('');
    else parts.push({ op: step.op, text: source.join('') });
  }
  return parts;
}

interface Step {
  op: DiffOp;
  count: number;
}

/** An edit script turning `a` into `b`: longest common subsequence, trimmed to the differing middle. */
export function diffSequences(a: string[], b: string[]): Step[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end += 1;
  const x = a.slice(start, a.length - end);
  const y = b.slice(start, b.length - end);
  const steps: Step[] = [];
  const push = (op: DiffOp, count: number) => {
    if (count === 0) return;
    const last = steps.at(-1);
    if (last && last.op === op) last.count += count;
    else steps.push({ op, count });
  };
  push('equal', start);
  if (x.length * y.length > MAX_LCS_CELLS) {
    push('delete', x.length);
    push('insert', y.length);
  } else {
    // lengths[i][j]: LCS length of x[i..] and y[j..], in one flat array.
    const width = y.length + 1;
    const lengths = new Uint32Array((x.length + 1) * width);
    for (let i = x.length - 1; i >= 0; i -= 1) {
      for (let j = y.length - 1; j >= 0; j -= 1) {
        lengths[i * width + j] =
          x[i] === y[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < x.length && j < y.length) {
      if (x[i] === y[j]) {
        push('equal', 1);
        i += 1;
        j += 1;
      } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
        push('delete', 1);
        i += 1;
      } else {
        push('insert', 1);
        j += 1;
      }
    }
    push('delete', x.length - i);
    push('insert', y.length - j);
  }
  push('equal', end);
  return steps;
}

/** Every root's content as blocks: editor fragments by block, texts by line, maps by key, arrays by item. */
function blocksOf(doc: Y.Doc): Map<string, Block[]> {
  const byRoot = new Map<string, Block[]>();
  for (const name of doc.share.keys()) {
    const kind = rootKind(doc, name);
    // Comment threads are not content: what changed between versions is the text.
    if (kind === null || name === COMMENTS_ROOT) continue;
    const blocks: Block[] = [];
    byRoot.set(name, blocks);
    const root = typedRoot(doc, name, kind);
    switch (root.kind) {
      case 'xml':
        for (const block of textBlocks(toProseMirrorJSON(doc, name))) blocks.push({ root: name, ...block });
        break;
      case 'text':
        for (const line of root.type.toString().split('\n')) blocks.push({ root: name, path: 'line', text: line });
        break;
      case 'map':
        for (const [key, value] of [...root.type.entries()].sort(([x], [y]) => (x < y ? -1 : 1))) {
          blocks.push({ root: name, path: `key ${key}`, text: JSON.stringify(toPlain(value)) });
        }
        break;
      case 'array':
        for (const value of root.type.toArray()) blocks.push({ root: name, path: 'item', text: JSON.stringify(toPlain(value)) });
        break;
    }
  }
  return byRoot;
}

function toPlain(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'toJSON' in value ? (value as { toJSON(): unknown }).toJSON() : value;
}
