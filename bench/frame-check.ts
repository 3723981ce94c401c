// Micro-benchmark of the WebSocket frame check (server/ws/client-frames.ts) over a real trace's updates.
//
//   node bench/frame-check.ts [--rounds 5]
// Replays automerge-paper (one update per edit, as a provider sends them), then times checkClientFrame
// over every update frame and over one frame holding the whole document (a first sync's SyncStep2).
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { checkClientFrame } from '../server/ws/client-frames.ts';
import { SYNC, syncFrame } from '../test/helpers/raw-client.ts';
import { loadTrace } from '../test/helpers/traces.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const doc = new Y.Doc();
const frames: Uint8Array[] = [];
doc.on('update', (update: Uint8Array) => frames.push(syncFrame('bench', SYNC.update, update)));
const text = doc.getText('t');
for (const [position, deleteCount, insert] of loadTrace('automerge-paper').ops) {
  if (deleteCount > 0) text.delete(position, deleteCount);
  if (insert !== '') text.insert(position, insert);
}
const whole = syncFrame('bench', SYNC.step2, Y.encodeStateAsUpdate(doc));
const limits = { maxAwarenessBytes: 16 * 1024 };

const time = (work: () => void): number => {
  const started = performance.now();
  work();
  return performance.now() - started;
};
for (let round = 1; round <= Number(values.rounds); round++) {
  const updatesMs = time(() => {
    for (const frame of frames) checkClientFrame(frame, limits);
  });
  const wholeMs = time(() => checkClientFrame(whole, limits));
  console.log(JSON.stringify({
    round,
    updates: frames.length,
    updatesMs: Math.round(updatesMs),
    nsPerUpdate: Math.round((updatesMs * 1e6) / frames.length),
    wholeBytes: whole.length,
    wholeMs: Math.round(wholeMs * 10) / 10,
  }));
}
