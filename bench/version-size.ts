// Bytes per stored version: the automerge-paper trace with a version every 10,000 edits, stored as Tandem
// stores them (a deflated delta chain with a full state every 10), against whole states and Yjs snapshots.
//
//   node bench/version-size.ts [--every 10000] [--full-every 10]
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import * as Y from 'yjs';
import { LevelDocumentStore } from '../server/storage/leveldb/level-store.ts';
import { makeTempDir } from '../test/helpers/server.ts';
import { loadTrace, type TraceOp } from '../test/helpers/traces.ts';

const { values } = parseArgs({ options: { every: { type: 'string', default: '10000' }, 'full-every': { type: 'string', default: '10' } } });
const every = Number(values.every);
const fullEvery = Number(values['full-every']);
const trace = loadTrace('automerge-paper');

function apply(doc: Y.Doc, [position, deleteCount, insert]: TraceOp): void {
  const text = doc.getText('t');
  doc.transact(() => {
    if (deleteCount) text.delete(position, deleteCount);
    if (insert) text.insert(position, insert);
  });
}

// Tandem: the live document garbage-collects (as the server's does); each version goes into the store.
const dataDir = await makeTempDir('tandem-bench-versions-');
const store = await LevelDocumentStore.open({ dataDir, fsync: false, versionsFullEvery: fullEvery });
const live = new Y.Doc();
const started = performance.now();
let addMs = 0;
let whole = 0;
let wholeDeflated = 0;
let finalState = 0;
for (let i = 0; i < trace.ops.length; i += 1) {
  apply(live, trace.ops[i]!);
  if ((i + 1) % every === 0 || i === trace.ops.length - 1) {
    const state = Y.encodeStateAsUpdate(live);
    whole += state.length;
    wholeDeflated += deflateRawSync(state).length;
    finalState = state.length;
    const t0 = performance.now();
    // As the server does: the store reads the live document (a delta, or every Nth time its whole state).
    await store.versions.add('paper', live, { kind: 'auto', label: '', author: null });
    addMs += performance.now() - t0;
  }
}
const versions = await store.versions.list('paper');
const stored = versions.reduce((sum, v) => sum + v.size, 0);
let readMs = 0;
for (const version of versions) {
  const t0 = performance.now();
  await store.versions.state('paper', version.id);
  readMs += performance.now() - t0;
}
await store.close();
await rm(dataDir, { recursive: true, force: true });

// Alternative: Yjs snapshots need a document that never garbage-collects, plus a snapshot per version.
const keepAll = new Y.Doc({ gc: false });
let snapshotBytes = 0;
for (let i = 0; i < trace.ops.length; i += 1) {
  apply(keepAll, trace.ops[i]!);
  if ((i + 1) % every === 0 || i === trace.ops.length - 1) snapshotBytes += Y.encodeSnapshot(Y.snapshot(keepAll)).length;
}
const keepAllState = Y.encodeStateAsUpdate(keepAll).length;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const rows: Array<[string, string]> = [
  ['trace', `automerge-paper, ${trace.ops.length.toLocaleString('en')} edits, a version every ${every.toLocaleString('en')}`],
  ['versions', String(versions.length)],
  ['final document state', kb(finalState)],
  [`Tandem: deflated delta chain, full state every ${fullEvery}`, `${kb(stored)} in all, ${Math.round(stored / versions.length).toLocaleString('en')} bytes per version`],
  ['  of which full states', `${versions.filter((v) => v.encoding === 'full').length}`],
  ['every version stored whole', `${kb(whole)} in all, ${Math.round(whole / versions.length).toLocaleString('en')} bytes per version`],
  ['every version stored whole, deflated', `${kb(wholeDeflated)} in all, ${Math.round(wholeDeflated / versions.length).toLocaleString('en')} bytes per version`],
  ['Yjs snapshots (gc off) + full history', `${kb(snapshotBytes + keepAllState)} in all (history ${kb(keepAllState)}, snapshots ${kb(snapshotBytes)})`],
  ['time to store all / read all versions', `${Math.round(addMs)} ms / ${Math.round(readMs)} ms (whole run ${Math.round(performance.now() - started)} ms)`],
];
const width = Math.max(...rows.map(([label]) => label.length));
for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
