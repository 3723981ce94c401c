// Update frames reach Hocuspocus as sync step 2, so a read-only connection's copy of what the server holds
// counts as saved.
//
// Hocuspocus answers a read-only connection's sync step 2 with whether the document already holds it, but its
// update with "not applied" unseen. A provider sends updates for anything that lands in its document from
// elsewhere (an IndexedDB copy read in after the socket opened, another provider on the same Y.Doc) and counts
// each: answered "not applied", the count never returns to 0 and a reader's page says "Saving…" forever.
// For a writable connection both messages are the same call (y-protocols' readUpdate is readSyncStep2) and the
// same "applied" answer, so the rewrite changes nothing there; the ack ledger has already counted the frame
// as the update it was (ack-ledger.ts).
import * as decoding from 'lib0/decoding';
import { MessageType, SyncStep } from './message-types.ts';

/** `frame` with an update's sub-type rewritten to sync step 2 (a copy); any other frame unchanged. */
export function updateAsSyncStep2(frame: Uint8Array): Uint8Array {
  let stepOffset: number;
  try {
    const decoder = decoding.createDecoder(frame);
    decoding.readVarString(decoder);
    if (decoding.readVarUint(decoder) !== MessageType.Sync) return frame;
    stepOffset = decoder.pos;
    if (decoding.readVarUint(decoder) !== SyncStep.Update) return frame;
  } catch {
    // Hocuspocus reports a malformed frame itself.
    return frame;
  }
  // Both sub-types are one-byte varuints: the rest of the frame keeps its offsets.
  const rewritten = frame.slice();
  rewritten[stepOffset] = SyncStep.Step2;
  return rewritten;
}
