// How Tandem's PostgreSQL group commit behaves under a busy event loop, without a server or sockets: appends the
// automerge-paper updates to one document's log through PgDocumentStore, `--per-turn` of them per event-loop
// turn, each turn also busy for `--busy-us` µs per update (what applying them costs the server), and reports
// the batches, the acknowledgement latency and the time until every update is stored.
//
//   node bench/pg-writer-probe.ts --database-url postgres://… [--updates 100000] [--per-turn 1000] [--busy-us 25]
//        [--compact-every 10000] [--server-dir OTHER/server]
// Each round trip to PostgreSQL waits for the next turn of the event loop; so a batch costs (round trips × the
// turn's length) on a busy server, and the probe shows how that grows with the round trips per transaction.
// --compact-every N compacts whenever the log holds N updates, as the server does (its default: 10,000; 0 never), so
// some batches also carry a snapshot and a log deletion. --server-dir runs another checkout's store (A/B). Prints {"msg":"result", batches, ackMeanMs, allStoredMs, ...}.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import * as Y from 'yjs';
import type { PgDocumentStore as PgStore } from '../server/storage/postgres/pg-store.ts';
import { loadTrace } from '../test/helpers/traces.ts';
import { report } from './lib/provider.ts';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    doc: { type: 'string', default: 'probe' },
    updates: { type: 'string', default: '100000' },
    'per-turn': { type: 'string', default: '1000' },
    'busy-us': { type: 'string', default: '25' },
    'compact-every': { type: 'string', default: '10000' },
    'server-dir': { type: 'string', default: new URL('../server/', import.meta.url).pathname },
  },
});
if (!values['database-url']) throw new Error('--database-url is required');
const total = Number(values.updates);
const perTurn = Number(values['per-turn']);
const busyUs = Number(values['busy-us']);
const compactEvery = Number(values['compact-every']);

// The updates are made first, so the timed loop only appends and burns the stated CPU.
const trace = loadTrace('automerge-paper');
const doc = new Y.Doc();
const text = doc.getText('text');
const updates: Uint8Array[] = [];
// The state after each update whose append triggers a compaction: what the server would encode then.
const states = new Map<number, Uint8Array>();
doc.on('update', (update: Uint8Array) => {
  updates.push(update);
  if (compactEvery > 0 && updates.length % compactEvery === 0) states.set(updates.length - 1, Y.encodeStateAsUpdate(doc));
});
for (const [position, deleteCount, insert] of trace.ops.slice(0, total)) {
  doc.transact(() => {
    if (deleteCount > 0) text.delete(position, deleteCount);
    if (insert.length > 0) text.insert(position, insert);
  });
}

const { PgDocumentStore } = (await import(join(values['server-dir'], 'storage/postgres/pg-store.ts'))) as { PgDocumentStore: typeof PgStore };
const store = await PgDocumentStore.connect({ url: values['database-url'] });
const { log } = await store.open(values.doc);

const batches: { written: Promise<void>; appendedAt: number[] }[] = [];
let ackSumMs = 0;
let ackMaxMs = 0;
let compactions = 0;
const started = performance.now();
for (let index = 0; index < updates.length; ) {
  const turnStart = index;
  const turnEnd = Math.min(updates.length, index + perTurn);
  for (; index < turnEnd; index += 1) {
    const written = log.append(updates[index]!);
    const current = batches.at(-1);
    if (current?.written === written) current.appendedAt.push(performance.now());
    else {
      const batch = { written, appendedAt: [performance.now()] };
      batches.push(batch);
      void written.then(() => {
        const now = performance.now();
        for (const at of batch.appendedAt) {
          ackSumMs += now - at;
          ackMaxMs = Math.max(ackMaxMs, now - at);
        }
      });
    }
    const state = states.get(index);
    if (state) {
      void log.compact(state);
      compactions += 1;
    }
  }
  // What applying this turn's updates costs the server, on the same thread.
  const busyUntil = performance.now() + ((turnEnd - turnStart) * busyUs) / 1000;
  while (performance.now() < busyUntil);
  await new Promise((resolve) => setImmediate(resolve));
}
const appendedMs = performance.now() - started;
await Promise.all(batches.map((batch) => batch.written));
const allStoredMs = performance.now() - started;
await log.close();
await store.close();
await report({
  msg: 'result',
  updates: updates.length,
  perTurn,
  busyUs,
  batches: batches.length,
  compactions,
  updatesPerBatch: Math.round(updates.length / batches.length),
  appendedMs: Math.round(appendedMs),
  allStoredMs: Math.round(allStoredMs),
  tailMs: Math.round(allStoredMs - appendedMs),
  ackMeanMs: Math.round((ackSumMs / updates.length) * 10) / 10,
  ackMaxMs: Math.round(ackMaxMs * 10) / 10,
  updatesPerSecond: Math.round(updates.length / (allStoredMs / 1000)),
});
process.exit(0);
