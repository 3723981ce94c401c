// Writes a document straight through Tandem's storage module (LevelDocumentStore, or PgDocumentStore with
// --database-url), as the server's persistence would, without a server or sockets: how the cold-load scenario
// gets long logs in seconds instead of minutes.
//
//   node bench/tandem-log-generator.ts --data-dir DIR --doc NAME [--trace automerge-paper] [--updates N]
//        [--compact-every N] [--final compact|none] [--state-file FILE] [--server-dir OTHER/server]
//   node bench/tandem-log-generator.ts --database-url postgres://… --doc NAME …   (the same, into PostgreSQL)
//   node bench/tandem-log-generator.ts --data-dir DIR --doc NAME --compact-existing
// The trace is replayed op by op into a Y.Doc, each op its own transaction, and every update appended to the
// document's log (one LevelDB entry each, in group-commit batches). With --updates above the trace's length the
// trace is replayed again after the text written so far (appended at the end), so 4 × 259,778 ops give the
// trace's text four times. --compact-every N compacts whenever the log holds N updates (the server's default
// threshold is 10,000; 0 never); --final compact compacts at the end and reclaims the space, as a graceful stop
// does. --compact-existing loads what is stored, compacts it and reclaims the space. Prints {"msg":"result", updates, textLength, sha256, stateBytes, ...}
// and, with --state-file, writes Y.encodeStateAsUpdate of the result there.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import type { defaultConfig as DefaultConfig } from '../server/config.ts';
import type { DocumentLog, DocumentStore } from '../server/storage/document-store.ts';
import type { LevelDocumentStore as Store } from '../server/storage/leveldb/level-store.ts';
import type { PgDocumentStore as PgStore } from '../server/storage/postgres/pg-store.ts';
import { loadTrace, TRACE_NAMES } from '../test/helpers/traces.ts';
import { report } from './lib/provider.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    doc: { type: 'string' },
    trace: { type: 'string', default: 'automerge-paper' },
    updates: { type: 'string' },
    'compact-every': { type: 'string' },
    final: { type: 'string', default: 'compact' },
    'compact-existing': { type: 'boolean', default: false },
    'state-file': { type: 'string' },
    // Another checkout's server/ (an A/B run with --tandem-main): write in the format that server reads.
    'server-dir': { type: 'string', default: new URL('../server/', import.meta.url).pathname },
  },
});
const serverDir = values['server-dir'];
const { defaultConfig } = (await import(join(serverDir, 'config.ts'))) as { defaultConfig: typeof DefaultConfig };
if (!(values['data-dir'] || values['database-url']) || !values.doc) throw new Error('--data-dir or --database-url, and --doc, are required');
const documentName = values.doc;
const where = values['database-url'] ?? values['data-dir']!;
const started = performance.now();
const store = await openStore();
const { log, snapshot, updates: stored } = await store.open(documentName);
const doc = new Y.Doc();
const text = doc.getText('text');
let compactions = 0;
let written = 0;

if (values['compact-existing']) {
  Y.transact(doc, () => {
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const update of stored) Y.applyUpdate(doc, update);
  });
  await compact(log);
  await reclaimSpace(log);
} else {
  if (snapshot || stored.length > 0) throw new Error(`document "${documentName}" is not empty in ${where}`);
  const traceName = TRACE_NAMES.find((name) => name === values.trace);
  if (!traceName) throw new Error(`--trace must be one of ${TRACE_NAMES.join(', ')}`);
  const trace = loadTrace(traceName);
  const total = Number(values.updates ?? trace.ops.length);
  written = total;
  const compactEvery = Number(values['compact-every'] ?? defaultConfig.compactAfterUpdates);
  let pending: Promise<void> = Promise.resolve();
  doc.on('update', (update: Uint8Array) => {
    pending = log.append(update);
  });
  let offset = 0;
  for (let index = 0; index < total; index += 1) {
    const op = index % trace.ops.length;
    // Each further replay of the trace goes after the text the earlier ones left.
    if (op === 0) offset = text.length;
    const [position, deleteCount, insert] = trace.ops[op]!;
    doc.transact(() => {
      if (deleteCount > 0) text.delete(offset + position, deleteCount);
      if (insert.length > 0) text.insert(offset + position, insert);
    });
    // Let the group commit write what this stretch queued, as the server's event loop would.
    if (index % 2000 === 1999) await pending;
    if (compactEvery > 0 && log.logLength >= compactEvery) await compact(log);
  }
  await pending;
  if (total % trace.ops.length === 0 && text.toString() !== trace.finalText.repeat(total / trace.ops.length)) {
    throw new Error(`replaying ${trace.name} ${total / trace.ops.length} times did not give its text that many times`);
  }
  if (values.final === 'compact') {
    await compact(log);
    await reclaimSpace(log);
  } else if (values.final !== 'none') throw new Error('--final must be compact or none');
}

const logLength = log.logLength;
await log.close();
await store.close();
const state = Y.encodeStateAsUpdate(doc);
if (values['state-file']) await writeFile(values['state-file'], state);
const content = text.toString();
await report({
  msg: 'result',
  updates: values['compact-existing'] ? stored.length : written,
  logLength,
  compactions,
  textLength: content.length,
  sha256: createHash('sha256').update(content).digest('hex'),
  stateBytes: state.length,
  seconds: Math.round((performance.now() - started) / 100) / 10,
});
process.exit(0);

async function openStore(): Promise<DocumentStore> {
  if (values['database-url']) {
    const { PgDocumentStore } = (await import(join(serverDir, 'storage/postgres/pg-store.ts'))) as { PgDocumentStore: typeof PgStore };
    return PgDocumentStore.connect({ url: values['database-url'] });
  }
  // Older checkouts keep the LevelDB store directly in storage/.
  const storeModule = existsSync(join(serverDir, 'storage/leveldb/level-store.ts')) ? 'storage/leveldb/level-store.ts' : 'storage/level-store.ts';
  const { LevelDocumentStore } = (await import(join(serverDir, storeModule))) as { LevelDocumentStore: typeof Store };
  return LevelDocumentStore.open({ dataDir: values['data-dir']!, fsync: false });
}

/** What the server does after a document's last compaction (unload, shutdown); absent in older checkouts. */
async function reclaimSpace(documentLog: DocumentLog): Promise<void> {
  const reclaim = (documentLog as Partial<DocumentLog>).reclaimSpace;
  if (typeof reclaim === 'function') await reclaim.call(documentLog);
}

async function compact(documentLog: DocumentLog): Promise<void> {
  await documentLog.compact(Y.encodeStateAsUpdate(doc));
  compactions += 1;
}
