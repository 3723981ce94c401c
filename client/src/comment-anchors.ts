// A thread's anchor in the editor: made from the selection as a pair of Yjs relative positions, which keep to
// their characters as others edit, and resolved back to a range of the text (or found detached).
import type { EditorState } from '@tiptap/pm/state';
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap';
import * as Y from 'yjs';
import { MAX_QUOTE_LENGTH, type Anchor, type RelativePositionJSON } from '../../common/comments.ts';

/** Where a thread sits in the text now. */
export type AnchorPlace = { state: 'attached'; from: number; to: number; text: string } | { state: 'detached' };

interface Binding {
  doc: Y.Doc;
  type: Y.XmlFragment;
  mapping: Map<Y.AbstractType<unknown>, unknown>;
}

function bindingOf(state: EditorState): Binding | null {
  const sync = ySyncPluginKey.getState(state) as { binding?: Binding | null } | undefined;
  return sync?.binding ?? null;
}

/** The selection as an anchor and its text (the quote), or null when nothing is selected or the text is not bound yet. */
export function anchorFromSelection(state: EditorState): { anchor: Anchor; quote: string } | null {
  const { from, to, empty } = state.selection;
  const binding = bindingOf(state);
  if (empty || binding === null) return null;
  const quote = state.doc.textBetween(from, to, '\n').slice(0, MAX_QUOTE_LENGTH);
  if (quote.trim() === '') return null;
  // As the server's anchors (server/comments/anchors.ts): the start keeps to the first character of the range
  // and the end to the last, so text typed just before or just after the passage stays out of it.
  const start = withAssociation(binding, absolutePositionToRelativePosition(from, binding.type, binding.mapping as never), 0);
  const end = withAssociation(binding, absolutePositionToRelativePosition(to, binding.type, binding.mapping as never), -1);
  return { anchor: { start: toJSON(start), end: toJSON(end) }, quote };
}

/**
 * y-tiptap's positions in text always keep to the character on their left (assoc -1); the start must keep to
 * the one on its right. Rebuilt from the same place in the same text node; a position between blocks is kept.
 */
function withAssociation(binding: Binding, position: Y.RelativePosition, assoc: number): Y.RelativePosition {
  const absolute = Y.createAbsolutePositionFromRelativePosition(position, binding.doc);
  if (absolute === null || !(absolute.type instanceof Y.XmlText)) return position;
  return Y.createRelativePositionFromTypeIndex(absolute.type, absolute.index, assoc);
}

function toJSON(position: Y.RelativePosition): RelativePositionJSON {
  // Plain JSON (no Uint8Arrays, no class instances): it travels in a message and is stored as a map value.
  return JSON.parse(JSON.stringify(Y.relativePositionToJSON(position))) as RelativePositionJSON;
}

/** Where `anchor` is in the editor's text now; null while the text is not bound to the document yet. */
export function placeOfAnchor(state: EditorState, anchor: Anchor): AnchorPlace | null {
  const binding = bindingOf(state);
  if (binding === null) return null;
  const from = absolute(state, binding, anchor.start);
  const to = absolute(state, binding, anchor.end);
  if (from === null || to === null || to <= from) return { state: 'detached' };
  const text = state.doc.textBetween(from, to, '\n');
  // Only the blocks' edges left (the passage itself deleted): as the server says, detached.
  return text.trim() === '' ? { state: 'detached' } : { state: 'attached', from, to, text };
}

function absolute(state: EditorState, binding: Binding, position: RelativePositionJSON): number | null {
  try {
    const at = relativePositionToAbsolutePosition(binding.doc, binding.type, Y.createRelativePositionFromJSON(position), binding.mapping as never);
    return at === null ? null : Math.min(Math.max(at, 0), state.doc.content.size);
  } catch {
    // A malformed or foreign position: the thread is shown detached with its quote rather than breaking the page.
    return null;
  }
}
