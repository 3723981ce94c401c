// Where Tandem's cold load goes: storage read vs applying the state, into a plain Y.Doc or Hocuspocus' Document.
//
//   node bench/cold-load-breakdown.ts --data-dir DIR [--doc automerge-paper] [--into plain|document|document-quiet]
//   node bench/cold-load-breakdown.ts --database-url postgres://… …   (Tandem's PostgreSQL store; connecting and
//        checking the schema come first and are not timed, as a server does them at start-up)
// Does what Persistence.onLoadDocument does, step by step, as the first work of a fresh process (like a
// server that just started) and prints {"msg":"result", openMs, applyMs, ...}. `document` applies into
// Hocuspocus' Document as Tandem does; `document-quiet` detaches its 'update' listeners while applying
// (so Yjs does not encode the loaded state once more); `plain` uses a bare Y.Doc. Opening LevelDB may
// rewrite its log, so point it at a copy of the data dir if that matters.
import { parseArgs } from 'node:util';
import { Document } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { DocumentStore } from '../server/storage/document-store.ts';
import { LevelDocumentStore } from '../server/storage/leveldb/level-store.ts';
import { PgDocumentStore } from '../server/storage/postgres/pg-store.ts';
import { report } from './lib/provider.ts';
import { elapsedMs } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    doc: { type: 'string', default: 'automerge-paper' },
    into: { type: 'string', default: 'document' },
  },
});
if (!values['data-dir'] && !values['database-url']) throw new Error('--data-dir or --database-url is required');
if (!['plain', 'document', 'document-quiet'].includes(values.into)) {
  throw new Error('--into must be plain, document or document-quiet');
}

const store: DocumentStore = values['database-url']
  ? await PgDocumentStore.connect({ url: values['database-url'] })
  : await LevelDocumentStore.open({ dataDir: values['data-dir']!, fsync: false });
let started = performance.now();
const { log, snapshot, updates } = await store.open(values.doc);
const openMs = elapsedMs(started);

// Hocuspocus' Document listens to its own 'update' event, so Yjs encodes every applied transaction.
const document = values.into === 'plain' ? new Y.Doc() : new Document(values.doc, {}, { flushDelay: false });
const origin = Symbol('load');
let updateEventBytes = 0;
// Counting costs nothing extra: Yjs encodes a transaction once for all of its 'update' listeners.
if (values.into !== 'plain') document.on('update', (update: Uint8Array) => (updateEventBytes += update.length));
started = performance.now();
// Yjs encodes a transaction for 'update' only while the event has listeners (lib0's `_observers`).
const detached = values.into === 'document-quiet' ? document._observers.get('update') : undefined;
if (detached) document._observers.delete('update');
Y.transact(
  document,
  () => {
    if (snapshot) Y.applyUpdate(document, snapshot, origin);
    for (const update of updates) Y.applyUpdate(document, update, origin);
  },
  origin,
);
if (detached) document._observers.set('update', detached);
const applyMs = elapsedMs(started);

started = performance.now();
const state = Y.encodeStateAsUpdate(document);
const encodeMs = elapsedMs(started);

await log.close();
await store.close();
await report({
  msg: 'result',
  into: values.into,
  snapshotBytes: snapshot?.length ?? 0,
  logEntries: updates.length,
  openMs,
  applyMs,
  updateEventBytes,
  encodeStateMs: encodeMs,
  stateBytes: state.length,
});
process.exit(0);
