// The single writer of the ingest and trace-replay scenarios: replays an editing trace through a real client.
//
//   node bench/trace-writer.ts --protocol hocuspocus|y-websocket --url URL --doc NAME --trace NAME [--ops N] [--one-update]
// Connects, syncs, prints {"msg":"ready"} and waits for SIGUSR2, so the runner can read every process's CPU
// time before the first op. Each op is its own Yjs transaction, so the client sends one update message per
// op; ops go out 1,000 per event-loop turn so socket I/O (and acks coming back) get their turn. Prints
// {"msg":"sent", startedAt, sentAt} (wall-clock ms, comparable across processes) and, over Hocuspocus'
// protocol, {"msg":"acknowledged", ackedAt, peakUnacknowledged} once the server acknowledged every update.
// --one-update replays the trace locally and sends the result as one update (to fill a server's storage fast).
// Then stays connected until SIGTERM: a server without persistence drops a document its clients all left.
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { loadTrace, TRACE_NAMES } from '../test/helpers/traces.ts';
import { connectClient, type SyncClient } from './lib/clients.ts';
import { connectProvider, report } from './lib/provider.ts';

const CHUNK = 1000;

const { values } = parseArgs({
  options: {
    protocol: { type: 'string', default: 'hocuspocus' },
    url: { type: 'string' },
    doc: { type: 'string' },
    trace: { type: 'string', default: 'automerge-paper' },
    ops: { type: 'string' },
    'one-update': { type: 'boolean', default: false },
  },
});
if (!values.url || !values.doc) throw new Error('--url and --doc are required');
const traceName = TRACE_NAMES.find((name) => name === values.trace);
if (!traceName) throw new Error(`--trace must be one of ${TRACE_NAMES.join(', ')}`);

const trace = loadTrace(traceName);
const count = values.ops ? Math.min(Number(values.ops), trace.ops.length) : trace.ops.length;
let peakUnacknowledged = 0;
let client: SyncClient;
if (values.protocol === 'hocuspocus') {
  const hocuspocus = connectProvider(values.url, values.doc);
  hocuspocus.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
    if (number > peakUnacknowledged) peakUnacknowledged = number;
  });
  client = { ...hocuspocus, awareness: hocuspocus.provider.awareness!, allAcknowledged: hocuspocus.allAcknowledged };
} else if (values.protocol === 'y-websocket') {
  client = connectClient('y-websocket', values.url, values.doc);
} else {
  throw new Error('--protocol must be hocuspocus or y-websocket');
}
const text = client.doc.getText('text');

const go = new Promise<void>((resolve) => process.once('SIGUSR2', () => resolve()));
await Promise.race([client.synced, client.closed]);
// The first sync leaves one change pending until the server acknowledges our SyncStep2.
if (client.allAcknowledged) await Promise.race([client.allAcknowledged(), client.closed]);
if (text.length !== 0) throw new Error(`document "${values.doc}" is not empty on the server; use a fresh one`);
peakUnacknowledged = 0;
await report({ msg: 'ready', ops: count });
await go;

const startedAt = performance.timeOrigin + performance.now();
if (values['one-update']) {
  const local = new Y.Doc();
  const localText = local.getText('text');
  for (let index = 0; index < count; index += 1) applyOp(local, localText, index);
  Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(local));
} else {
  await Promise.race([
    client.closed,
    new Promise<void>((resolve) => {
      let next = 0;
      const replayChunk = () => {
        const end = Math.min(next + CHUNK, count);
        for (; next < end; next += 1) applyOp(client.doc, text, next);
        if (next < count) setImmediate(replayChunk);
        else resolve();
      };
      replayChunk();
    }),
  ]);
}
await report({ msg: 'sent', ops: count, startedAt, sentAt: performance.timeOrigin + performance.now() });
if (client.allAcknowledged) {
  // A close would let the provider reconnect and resend its state in one message: not what is measured.
  await Promise.race([client.allAcknowledged(), client.closed]);
  await report({ msg: 'acknowledged', ackedAt: performance.timeOrigin + performance.now(), peakUnacknowledged });
}
// A socket closed from here on still fails the run: the runner watches this process's exit.
client.closed.catch((error: unknown) => {
  process.stderr.write(`trace-writer: ${String(error)}\n`);
  process.exit(1);
});
process.on('SIGTERM', () => {
  client.destroy();
  process.exit(0);
});

function applyOp(doc: Y.Doc, target: Y.Text, index: number): void {
  const [position, deleteCount, insert] = trace.ops[index]!;
  doc.transact(() => {
    if (deleteCount > 0) target.delete(position, deleteCount);
    if (insert.length > 0) target.insert(position, insert);
  });
}
