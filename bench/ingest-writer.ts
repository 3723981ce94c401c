// The single writer of the ingest benchmark: replays the automerge-paper trace through a real provider.
//
//   node bench/ingest-writer.ts --url ws://127.0.0.1:PORT/ --doc NAME [--ops N] [--chunk 1000]
// Each op is its own Yjs transaction, so the provider sends one update message per op. Ops go out in
// chunks per event-loop turn so socket I/O (and the acks coming back) get their turn. Prints
// {"msg":"replaying"} at the first op and {"msg":"result", ops, sentMs, ackedMs, updatesPerSecond, ...} once
// the server acknowledged everything, then stays connected until SIGTERM: a server without persistence
// drops the document when its last client leaves, so the content is checked while the writer is there.
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { loadTrace } from '../test/helpers/traces.ts';
import { connectProvider, report } from './lib/provider.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    doc: { type: 'string', default: 'automerge-paper' },
    ops: { type: 'string' },
    chunk: { type: 'string', default: '1000' },
  },
});
if (!values.url) throw new Error('--url is required');

const trace = loadTrace('automerge-paper');
const count = values.ops ? Math.min(Number(values.ops), trace.ops.length) : trace.ops.length;
const chunk = Number(values.chunk);
const client = connectProvider(values.url, values.doc);
const text = client.doc.getText('text');

await Promise.race([client.synced, client.closed]);
// The first sync leaves one change pending until the server acknowledges our SyncStep2.
await Promise.race([client.allAcknowledged(), client.closed]);
if (text.length !== 0) throw new Error(`document "${values.doc}" is not empty on the server; use a fresh one`);

let peakUnacknowledged = 0;
client.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
  if (number > peakUnacknowledged) peakUnacknowledged = number;
});

await report({ msg: 'replaying', ops: count });
const cpuBefore = process.cpuUsage();
const started = performance.now();
let next = 0;
await new Promise<void>((resolve) => {
  const replayChunk = () => {
    const end = Math.min(next + chunk, count);
    for (; next < end; next += 1) {
      const [position, deleteCount, insert] = trace.ops[next]!;
      client.doc.transact(() => {
        if (deleteCount > 0) text.delete(position, deleteCount);
        if (insert.length > 0) text.insert(position, insert);
      });
    }
    if (next < count) setImmediate(replayChunk);
    else resolve();
  };
  replayChunk();
});
const sentMs = performance.now() - started;
// A close would let the provider reconnect and resend its state in one message: not what is measured.
await Promise.race([client.allAcknowledged(), client.closed]);
const ackedMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);

await report({
  msg: 'result',
  ops: count,
  sentMs: round(sentMs),
  ackedMs: round(ackedMs),
  updatesPerSecond: Math.round(count / (ackedMs / 1000)),
  peakUnacknowledged,
  textLength: text.length,
  stateBytes: Y.encodeStateAsUpdate(client.doc).length,
  // Share of one core this process used while replaying: near 100% means the writer, not the server, limits.
  cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / ackedMs) * 100),
});
process.on('SIGTERM', () => {
  client.destroy();
  process.exit(0);
});

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
