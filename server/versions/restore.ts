// Makes a live Y.Doc's content equal to a target Y.Doc's with forward edits, root by root.
//
// Policy: only what differs is deleted and re-inserted (the common start and end of each sequence are
// kept). Deleted items stay deleted for good, so an offline client cannot bring them back by merging;
// its edits made meanwhile are merged on top: text typed into surviving content stays where it was typed,
// new blocks and characters anchored to deleted content land next to the restored content, and edits
// inside a deleted block (a paragraph the version did not have) go with that block.
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { rootKind, typedRoot, type RootKind } from './root-types.ts';

/** Call inside one transaction on `live` (a direct connection's transact()); `target` is a scratch doc. */
export function transformTo(live: Y.Doc, target: Y.Doc): void {
  // Every root is checked before any is changed: a refused restore leaves the document as it was.
  const plan: Array<{ name: string; kind: RootKind; inTarget: boolean }> = [];
  for (const name of new Set([...live.share.keys(), ...target.share.keys()])) {
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
        replaceMiddle(from.type.toArray(), items, valueKey, (i, n) => from.type.delete(i, n), (i, xs) => from.type.insert(i, xs));
        break;
      }
      case 'xml': {
        const items = ((to?.type as Y.XmlFragment | undefined)?.toArray() ?? []) as Array<Y.XmlElement | Y.XmlText>;
        replaceMiddle(
          from.type.toArray() as Array<Y.XmlElement | Y.XmlText>,
          items,
          (node) => node.toString(),
          (i, n) => from.type.delete(i, n),
          (i, nodes) => from.type.insert(i, nodes.map((node) => node.clone())),
        );
        break;
      }
    }
  }
}

function restoreText(live: Y.Text, target: Y.Text | null): void {
  const targetDelta = (target?.toDelta() ?? []) as Array<{ insert: unknown; attributes?: object }>;
  const liveDelta = live.toDelta() as Array<{ insert: unknown; attributes?: object }>;
  if (isPlain(targetDelta) && isPlain(liveDelta)) {
    const before = live.toString();
    const after = target?.toString() ?? '';
    replaceMiddle([...before], [...after], (c) => c, (i, n) => live.delete(utf16(before, i), utf16Length(before, i, n)), (i, cs) => live.insert(utf16(before, i), cs.join('')));
    return;
  }
  live.delete(0, live.length);
  live.applyDelta(targetDelta.map((op) => (op.insert instanceof Y.AbstractType ? { ...op, insert: op.insert.clone() } : op)));
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

/** Deletes and re-inserts only the part between the longest common start and end. */
function replaceMiddle<T, U>(
  current: T[],
  wanted: U[],
  key: (item: T | U) => string,
  remove: (index: number, length: number) => void,
  insert: (index: number, items: U[]) => void,
): void {
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
  const removed = current.length - start - end;
  if (removed > 0) remove(start, removed);
  const inserted = wanted.slice(start, wanted.length - end);
  if (inserted.length > 0) insert(start, inserted);
}

function isPlain(delta: Array<{ insert: unknown; attributes?: object }>): boolean {
  return delta.every((op) => typeof op.insert === 'string' && op.attributes === undefined);
}

function cloneValue(value: unknown): unknown {
  return value instanceof Y.AbstractType ? value.clone() : value;
}

function valueKey(value: unknown): string {
  return value instanceof Y.AbstractType ? `\u0000type:${JSON.stringify(value.toJSON())}` : JSON.stringify(value) ?? 'undefined';
}

// Characters are compared as code points (never splitting a surrogate pair); Y.Text counts UTF-16 units.
function utf16(text: string, codePointIndex: number): number {
  return utf16Length(text, 0, codePointIndex);
}

function utf16Length(text: string, fromCodePoint: number, count: number): number {
  let index = 0;
  let length = 0;
  for (const char of text) {
    if (index >= fromCodePoint + count) break;
    if (index >= fromCodePoint) length += char.length;
    index += 1;
  }
  return length;
}
