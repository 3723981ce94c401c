// What the server must hold after the writer replayed a prefix of a trace, computed locally with Yjs.
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import type { Trace } from '../../test/helpers/traces.ts';

export interface ExpectedDocument {
  ops: number;
  textLength: number;
  sha256: string;
  /** Y.encodeStateAsUpdate of the replayed document (V1 encoding). */
  state: Uint8Array;
}

/** Replays the first `count` ops into a Y.Text the way the writer does: one transaction per op. */
export function expectedAfter(trace: Trace, count: number): ExpectedDocument {
  const doc = new Y.Doc();
  const text = doc.getText('text');
  for (let index = 0; index < count; index += 1) {
    const [position, deleteCount, insert] = trace.ops[index]!;
    doc.transact(() => {
      if (deleteCount > 0) text.delete(position, deleteCount);
      if (insert.length > 0) text.insert(position, insert);
    });
  }
  const content = text.toString();
  if (count === trace.ops.length && content !== trace.finalText) {
    throw new Error(`replaying ${trace.name} with Yjs does not give its final text; the trace or Yjs changed`);
  }
  return {
    ops: count,
    textLength: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    state: Y.encodeStateAsUpdate(doc),
  };
}
