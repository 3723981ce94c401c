// What a server keeps per idle connection, by kind of object: V8 heap snapshots before and after N providers
// connect (10 per document), diffed and divided by N.
//
//   node bench/heap-per-connection.ts [--connections 1000] [--tandem-main ../other/server/main.ts]
// The server runs in its own process with --heapsnapshot-signal; the providers run in this one. Self sizes only
// (not retained sizes): each object counts once, where it lives. RSS adds native memory on top (bench/run.ts
// --only connections measures that).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { REPO_ROOT } from './lib/servers.ts';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '1000' }, 'tandem-main': { type: 'string' } } });
const count = Number(values.connections);
if (!Number.isInteger(count) || count < 10) throw new Error('--connections must be an integer ≥ 10');
const main = resolve(values['tandem-main'] ?? join(REPO_ROOT, 'server/main.ts'));
const dir = mkdtempSync(join(tmpdir(), 'tandem-heap-'));

interface Kind {
  count: number;
  bytes: number;
}

const server = spawn(
  process.execPath,
  ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`, main, '--port', '0', '--data-dir', join(dir, 'data'), '--serve-client', 'off', '--max-connections-per-minute', '1000000'],
  { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
);
let banner = '';
server.stderr.setEncoding('utf8').on('data', (chunk: string) => (banner += chunk));

try {
  const port = await until(() => Number(banner.match(/ws:\/\/127\.0\.0\.1:(\d+)/)?.[1]) || undefined, 30_000, 'the server to listen');
  // Code loaded on first use is not per connection: ten clients come and go first.
  for (const client of await Promise.all(Array.from({ length: 10 }, (_, i) => connect(port, `warm-${i}`)))) client();
  await sleep(2_000);
  const before = await snapshot();
  const clients: Array<() => void> = [];
  for (let i = 0; i < count; i += 50) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => connect(port, `doc-${Math.floor((i + j) / 10)}`)))));
    process.stderr.write(`\r${clients.length} of ${count} connected`);
  }
  process.stderr.write('\n');
  await sleep(3_000);
  const after = await snapshot();
  report(before, after);
  for (const close of clients) close();
} finally {
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

function report(before: Map<string, Kind>, after: Map<string, Kind>): void {
  const total = (kinds: Map<string, Kind>) => [...kinds.values()].reduce((sum, kind) => sum + kind.bytes, 0);
  console.log(`V8 heap (self sizes) per connection: ${((total(after) - total(before)) / count / 1024).toFixed(2)} KB over ${count} connections\n`);
  console.log('bytes/conn  objects/conn  kind');
  const rows = [...after]
    .map(([kind, figures]) => ({ kind, objects: figures.count - (before.get(kind)?.count ?? 0), bytes: figures.bytes - (before.get(kind)?.bytes ?? 0) }))
    .filter((row) => row.bytes > count * 20)
    .sort((a, b) => b.bytes - a.bytes);
  for (const row of rows.slice(0, 40)) console.log(`${(row.bytes / count).toFixed(0).padStart(10)}  ${(row.objects / count).toFixed(2).padStart(12)}  ${row.kind}`);
}

/** Adds up a fresh heap snapshot's objects by type and constructor name. */
async function snapshot(): Promise<Map<string, Kind>> {
  const existing = new Set(readdirSync(dir));
  server.kill('SIGUSR2');
  const file = await until(() => readdirSync(dir).find((name) => name.endsWith('.heapsnapshot') && !existing.has(name)), 60_000, 'the heap snapshot');
  // Written in pieces: read once its size stops changing.
  let size = -1;
  while (statSync(join(dir, file)).size !== size || size === 0) {
    size = statSync(join(dir, file)).size;
    await sleep(500);
  }
  const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  rmSync(join(dir, file));
  const fields = parsed.snapshot.meta.node_fields;
  const types = parsed.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt, width] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size'), fields.length];
  const kinds = new Map<string, Kind>();
  for (let i = 0; i < parsed.nodes.length; i += width) {
    const type = types[parsed.nodes[i + typeAt]!]!;
    const name = parsed.strings[parsed.nodes[i + nameAt]!]!;
    const kind = ['string', 'concatenated string', 'sliced string', 'number', 'code'].includes(type) ? type : `${type}: ${name.slice(0, 50)}`;
    const figures = kinds.get(kind) ?? { count: 0, bytes: 0 };
    figures.count += 1;
    figures.bytes += parsed.nodes[i + sizeAt]!;
    kinds.set(kind, figures);
  }
  return kinds;
}

/** A provider synced on `documentName`; returns its close. */
async function connect(port: number, documentName: string): Promise<() => void> {
  const socket = new HocuspocusProviderWebsocket({ url: `ws://127.0.0.1:${port}/` });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: documentName, document: new Y.Doc(), token: 'dev' });
  provider.attach();
  await until(() => provider.isSynced || undefined, 30_000, `${documentName} to sync`);
  return () => {
    provider.destroy();
    socket.destroy();
  };
}

async function until<T>(value: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let found = value(); ; found = value()) {
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
