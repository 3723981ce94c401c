// Idle documents unload: 1,000 connect/disconnect cycles over 100 documents leave nothing loaded and the heap at its baseline.
//
// Method: the server runs in this process (startServer) and the heap is read here after forced GCs.
// `v8.setFlagsFromString('--expose-gc')` followed by `vm.runInNewContext('gc')` yields V8's real gc
// function without starting node with --expose-gc, so `npm test` runs this file like any other; a
// child process would need a GC-triggering endpoint in the server just for the test. The clients
// live in this process too, but every one is destroyed before the heap is measured.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { scrape } from '../helpers/prometheus.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'major'; execution: 'sync' }) => void;

const DOCUMENTS = 100;
const LANES = 10;

let server: TestServer;
before(async () => {
  // 1,000 reconnects from one address in seconds: lift the per-IP upgrade limit (300 a minute).
  server = await startServer({ logLevel: 'warn', documentChangedDebounceMs: 50, maxConnectionsPerMinute: 1_000_000 });
});
after(async () => {
  await server.close();
});

/** `cycles` connect → edit → saved → disconnect cycles, spread over the documents by LANES parallel lanes. */
async function runCycles(cycles: number): Promise<void> {
  await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      for (let i = lane; i < cycles; i += LANES) {
        const client = await connectClient(server.wsUrl, `idle-${i % DOCUMENTS}`);
        client.doc.getText('t').insert(0, `${i} `);
        await waitForAllSaved(client);
        client.destroy();
      }
    }),
  );
  await waitFor(() => server.app.hocuspocus.getDocumentsCount() === 0, 20_000, 'every document to unload');
}

/** Heap after GC: `data` leaves out the code and trusted spaces (JIT code, bytecode), `total` does not. */
async function settledHeap(): Promise<{ data: number; total: number }> {
  // Let closing sockets, pending writes and unload hooks finish before collecting.
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  // Ten major GCs, not one: V8 ages unused bytecode over several GCs before flushing it, and three
  // left megabytes of it in one measurement and not the other.
  for (let i = 0; i < 10; i += 1) gc({ type: 'major', execution: 'sync' });
  let data = 0;
  let total = 0;
  for (const space of getHeapSpaceStatistics()) {
    total += space.space_used_size;
    // Compiled code grows while the JIT optimizes hot paths; it is bounded by the program, not by
    // documents or connections, so it is not what a leak check should weigh.
    if (!/code|trusted/.test(space.space_name)) data += space.space_used_size;
  }
  return { data, total };
}

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

test('1,000 connect/disconnect cycles across 100 documents: nothing stays loaded, heap back to baseline', async () => {
  // Warm-up: every document twice, so what is meant to exist (JIT, module state, LevelDB caches) does.
  await runCycles(2 * DOCUMENTS);
  const baselineHeap = await settledHeap();
  const baselineTimers = timers();

  const started = performance.now();
  await runCycles(1_000);
  const seconds = (performance.now() - started) / 1000;

  const metrics = await scrape(server.url);
  assert.equal(metrics.value('tandem_documents_loaded'), 0);
  assert.equal(metrics.value('tandem_connections', { protocol: 'hocuspocus' }), 0);
  for (let d = 0; d < DOCUMENTS; d += 1) assert.equal(server.app.persistence.logOf(`idle-${d}`), undefined, `idle-${d} released by Persistence`);
  assert.equal(server.app.durability.whenDurable('idle-0'), null);

  const heap = await settledHeap();
  const growth = (heap.data - baselineHeap.data) / baselineHeap.data;
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
  console.log(
    `# 1,000 cycles in ${seconds.toFixed(1)} s; heap after GC without code ${mib(baselineHeap.data)} MiB → ${mib(heap.data)} MiB ` +
      `(${(growth * 100).toFixed(1)} %), with code ${mib(baselineHeap.total)} → ${mib(heap.total)} MiB; timers ${baselineTimers} → ${timers()}`,
  );
  assert.ok(growth < 0.1, `heap grew ${(growth * 100).toFixed(1)} % over its baseline`);
  assert.ok(timers() <= baselineTimers, 'no timer left behind');
});
