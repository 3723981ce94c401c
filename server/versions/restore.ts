// Makes a live Y.Doc's content equal to a target Y.Doc's with forward edits, root by root.
//
// Policy: only what differs is deleted and re-inserted: blocks equal in both are kept, a block that changed
// inside (a paragraph edited, paired with the version's block of the same type) is changed in place down to
// the characters, and the common start and end of texts and arrays are kept. Deleted items stay deleted for good, so an offline client cannot bring them back by
// merging; its edits made meanwhile are merged on top: text typed into surviving content stays where it was
// typed, new blocks and characters anchored to deleted content land next to the restored content, and edits
// inside a block the restore deleted go with that block.
import * as Y from 'yjs';
import { COMMENTS_ROOT } from '../../common/comments.ts';
import { AppError } from '../errors.ts';
import { diffSequences } from './diff.ts';
import { rootKind, typedRoot, type RootKind } from './root-types.ts';

type XmlNode = Y.XmlElement | Y.XmlText;

/** Call inside one transaction on `live` (a direct connection's transact()); `target` is a scratch doc. */
export function transformTo(live: Y.Doc, target: Y.Doc): void {
  // Every root is checked before any is changed: a refused restore leaves the document as it was.
  const plan: Array<{ name: string; kind: RootKind; inTarget: boolean }> = [];
  for (const name of new Set([...live.share.keys(), ...target.share.keys()])) {
    // Comment threads are not content: a restore, an import or a copy leaves them as they are (or out).
    if (name === COMMENTS_ROOT) continue;
    const targetKind = rootKind(target, name);
    const liveKind = rootKind(live, name);
    const kind = targetKind ?? liveKind;
    if (kind === null) continue;
    if (liveKind !== null && targetKind !== null && liveKind !== targetKind) {
      throw new AppError('bad-request', `root "${name}" is a ${liveKind} now but a ${targetKind} in the version`);
    }
    plan.push({ name, kind, inTarget: targetKind !== null });
  }
  for (const { name, kind, inTarget } of plan) {
    const from = typedRoot(live, name, kind);
    const to = inTarget ? typedRoot(target, name, kind) : null;
    switch (from.kind) {
      case 'text':
        restoreText(from.type, (to?.type as Y.Text | undefined) ?? null);
        break;
      case 'map':
        restoreMap(from.type, (to?.type as Y.Map<unknown> | undefined) ?? null);
        break;
      case 'array': {
        const items = ((to?.type as Y.Array<unknown> | undefined)?.toArray() ?? []).map(cloneValue);
        const current = from.type.toArray();
        const [start, end] = commonEnds(current, items, valueKey);
        replaceRange(current.length, items, start, end, (i, n) => from.type.delete(i, n), (i, xs) => from.type.insert(i, xs));
        break;
      }
      case 'xml':
        restoreChildren(from.type, ((to?.type as Y.XmlFragment | undefined)?.toArray() ?? []) as XmlNode[]);
        break;
    }
  }
}

/**
 * Children of a fragment or element: blocks equal in both stay untouched; between them, a removed block and
 * an inserted block of the same type (a paragraph edited) are paired and changed in place, down to the
 * characters; the other blocks are deleted or inserted.
 */
function restoreChildren(live: Y.XmlFragment, wanted: XmlNode[]): void {
  const current = live.toArray() as XmlNode[];
  const script = diffSequences(
    current.map((node) => node.toString()),
    wanted.map((node) => node.toString()),
  );
  // `offset`: how far positions in `live` have moved from those in `current` by the inserts and deletes so far.
  let offset = 0;
  let i = 0;
  let j = 0;
  for (let s = 0; s < script.length; s += 1) {
    const step = script[s]!;
    if (step.op === 'equal') {
      i += step.count;
      j += step.count;
      continue;
    }
    const removed = step.op === 'delete' ? step.count : 0;
    const following = step.op === 'insert' ? step : script[s + 1]?.op === 'insert' ? script[(s += 1)]! : null;
    const added = following?.count ?? 0;
    let next = 0;
    for (let r = 0; r < removed; r += 1) {
      const node = current[i + r]!;
      const at = i + r + offset;
      let match = -1;
      for (let k = next; k < added && match < 0; k += 1) if (sameShape(node, wanted[j + k]!)) match = k;
      if (match < 0) {
        live.delete(at, 1);
        offset -= 1;
        continue;
      }
      if (match > next) {
        live.insert(at, wanted.slice(j + next, j + match).map((n) => n.clone()));
        offset += match - next;
      }
      restoreNode(node, wanted[j + match]!);
      next = match + 1;
    }
    if (next < added) {
      live.insert(i + removed + offset, wanted.slice(j + next, j + added).map((n) => n.clone()));
      offset += added - next;
    }
    i += removed;
    j += added;
  }
}

function sameShape(a: XmlNode, b: XmlNode): boolean {
  if (a instanceof Y.XmlText) return b instanceof Y.XmlText;
  return b instanceof Y.XmlElement && a.nodeName === b.nodeName;
}

function restoreNode(live: XmlNode, wanted: XmlNode): void {
  if (live instanceof Y.XmlText) {
    restoreText(live, wanted as Y.XmlText);
    return;
  }
  const element = wanted as Y.XmlElement;
  const attributes = element.getAttributes() as Record<string, unknown>;
  for (const name of Object.keys(live.getAttributes())) if (!(name in attributes)) live.removeAttribute(name);
  for (const [name, value] of Object.entries(attributes)) {
    if (valueKey(live.getAttribute(name)) !== valueKey(value)) live.setAttribute(name, value as string);
  }
  restoreChildren(live, element.toArray() as XmlNode[]);
}

/** One character (a code point) or embed of a text, with its formatting. */
interface Unit {
  insert: string | object;
  attributes: Record<string, unknown> | undefined;
  /** Its length in Y.Text positions (UTF-16 code units). */
  length: number;
  key: string;
}

function restoreText(live: Y.Text, target: Y.Text | null): void {
  const current = unitsOf(live);
  const wanted = target ? unitsOf(target) : [];
  const [start, end] = commonEnds(current, wanted, (unit) => unit.key);
  const at = current.slice(0, start).reduce((sum, unit) => sum + unit.length, 0);
  const removed = current.slice(start, current.length - end).reduce((sum, unit) => sum + unit.length, 0);
  if (removed > 0) live.delete(at, removed);
  let position = at;
  const inserted = wanted.slice(start, wanted.length - end);
  // Runs of equal formatting go in as one insert; `{}` (not undefined) stops them taking on neighbours' marks.
  for (let i = 0; i < inserted.length; ) {
    const unit = inserted[i]!;
    if (typeof unit.insert !== 'string') {
      const embed = unit.insert instanceof Y.AbstractType ? unit.insert.clone() : unit.insert;
      live.insertEmbed(position, embed as object, unit.attributes ?? {});
      position += unit.length;
      i += 1;
      continue;
    }
    let text = '';
    let j = i;
    const formatKey = attributesKey(unit.attributes);
    while (j < inserted.length && typeof inserted[j]!.insert === 'string' && attributesKey(inserted[j]!.attributes) === formatKey) {
      text += inserted[j]!.insert as string;
      j += 1;
    }
    live.insert(position, text, unit.attributes ?? {});
    position += text.length;
    i = j;
  }
}

function unitsOf(text: Y.Text): Unit[] {
  const units: Unit[] = [];
  for (const op of text.toDelta() as Array<{ insert: string | object; attributes?: Record<string, unknown> }>) {
    const format = attributesKey(op.attributes);
    if (typeof op.insert === 'string') {
      for (const char of op.insert) units.push({ insert: char, attributes: op.attributes, length: char.length, key: `${char}\u0000${format}` });
    } else {
      const embed = op.insert instanceof Y.AbstractType ? `type:${JSON.stringify(op.insert.toJSON())}` : JSON.stringify(op.insert);
      units.push({ insert: op.insert, attributes: op.attributes, length: 1, key: `\u0001${embed}\u0000${format}` });
    }
  }
  return units;
}

function attributesKey(attributes: Record<string, unknown> | undefined): string {
  if (!attributes) return '';
  return JSON.stringify(Object.keys(attributes).sort().map((name) => [name, attributes[name]]));
}

function restoreMap(live: Y.Map<unknown>, target: Y.Map<unknown> | null): void {
  for (const key of [...live.keys()]) if (!target?.has(key)) live.delete(key);
  if (!target) return;
  for (const [key, value] of target.entries()) {
    // Equal plain values are left alone, so a concurrent change to another key is not overwritten.
    if (!(value instanceof Y.AbstractType) && live.has(key) && valueKey(live.get(key)) === valueKey(value)) continue;
    live.set(key, cloneValue(value));
  }
}

/** Lengths of the longest common start and (not overlapping it) end of two sequences. */
function commonEnds<T, U>(current: T[], wanted: U[], key: (item: T | U) => string): [number, number] {
  let start = 0;
  while (start < current.length && start < wanted.length && key(current[start]!) === key(wanted[start]!)) start += 1;
  let end = 0;
  while (
    end < current.length - start &&
    end < wanted.length - start &&
    key(current[current.length - 1 - end]!) === key(wanted[wanted.length - 1 - end]!)
  ) {
    end += 1;
  }
  return [start, end];
}

/** Deletes the current items between the kept ends and inserts the wanted ones there. */
function replaceRange<U>(
  currentLength: number,
  wanted: U[],
  start: number,
  end: number,
  remove: (index: number, length: number) => void,
  insert: (index: number, items: U[]) => void,
): void {
  const removed = currentLength - start - end;
  if (removed > 0) remove(start, removed);
  const inserted = wanted.slice(start, wanted.length - end);
  if (inserted.length > 0) insert(start, inserted);
}

function cloneValue(value: unknown): unknown {
  return value instanceof Y.AbstractType ? value.clone() : value;
}

function valueKey(value: unknown): string {
  return value instanceof Y.AbstractType ? `\u0000type:${JSON.stringify(value.toJSON())}` : JSON.stringify(value) ?? 'undefined';
}
