// How long Tandem's event loop stalls while one writer floods it: the automerge-paper trace replayed flat out
// (bench/trace-writer.ts, acknowledged ingest) while /healthz is asked every 50 ms. A cluster owner renews its
// leases on the same loop every third of --lease-ms, so a stall past two thirds of a lease loses it (a spurious
// move): the longest answer here is the figure to keep below that.
//
//   node bench/stall-probe.ts [--ops 259778] [--store leveldb|postgres] [--entry <checkout>/server/main.ts] [--profile-dir DIR]
//   node bench/stall-probe.ts --cluster [--entry …]   three instances; instance 0 owns the document, the writer
//                                                    floods it through instance 1 (relayed), Redis is read
//                                                    every 50 ms for whether instance 0 still holds the lease
// Prints one JSON line: updates/s, /healthz latency (of the owner) p50/p99/max, how many answers took over 1 s,
// and in a cluster how often the lease was seen missing or elsewhere.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadTrace } from '../test/helpers/traces.ts';
import { BenchCluster } from './lib/cluster.ts';
import { expectedAfter } from './lib/expected.ts';
import { Histogram } from './lib/histogram.ts';
import { BenchPostgres } from './lib/postgres.ts';
import { report } from './lib/provider.ts';
import { runReplay } from './lib/replay.ts';
import { REPO_ROOT, startTandem, type RunningServer } from './lib/servers.ts';
import { Generator } from './load/generator.ts';

const { values } = parseArgs({
  options: {
    ops: { type: 'string' },
    store: { type: 'string', default: 'leveldb' },
    entry: { type: 'string' },
    cluster: { type: 'boolean', default: false },
    'profile-dir': { type: 'string' },
  },
});
const trace = loadTrace('automerge-paper');
const expected = expectedAfter(trace, Number(values.ops ?? trace.ops.length));
const DOC = 'stall';
const postgres = values.store === 'postgres' || values.cluster ? await BenchPostgres.start() : null;
const workDir = await mkdtemp(join(tmpdir(), 'tandem-stall-probe-'));

/** Asks the server's /healthz every 50 ms until stopped; the answers' latencies, summarised. */
function pollHealthz(server: RunningServer): { stop(): Promise<Record<string, number>> } {
  const url = `${server.wsUrl.replace(/^ws/, 'http').replace(/\/$/, '')}/healthz`;
  const latencies = new Histogram();
  let over1s = 0;
  let polling = true;
  const loop = (async () => {
    while (polling) {
      const startedAt = performance.now();
      await fetch(url).then((response) => response.arrayBuffer());
      const ms = performance.now() - startedAt;
      latencies.record(ms);
      if (ms > 1_000) over1s += 1;
      await delay(50);
    }
  })();
  return {
    async stop() {
      polling = false;
      await loop;
      const at = (q: number) => Math.round(latencies.quantile(q));
      return { samples: latencies.count, p50: at(0.5), p99: at(0.99), max: Math.round(latencies.max), over1s };
    },
  };
}

async function single(): Promise<Record<string, unknown>> {
  const server = await startTandem({
    label: 'tandem',
    entry: values.entry,
    dataDir: workDir,
    profileDir: values['profile-dir'],
    fsync: false,
    logLevel: 'warn',
    ...(postgres ? { databaseUrl: await postgres.createDatabase('stall') } : {}),
  });
  try {
    const healthz = pollHealthz(server);
    const run = await runReplay(server, { trace: trace.name, documentName: DOC, expected, timeoutMs: 1_200_000, follow: false });
    return { store: values.store, updatesPerSecond: Math.round(run.updatesPerSecond), ackedMs: run.ackedMs, healthzMs: await healthz.stop() };
  } finally {
    await server.stop();
  }
}

async function cluster(): Promise<Record<string, unknown>> {
  const nodes = await BenchCluster.start({ kind: 'tandem', postgres: postgres!, workDir, tandemMain: values.entry, profileDir: values['profile-dir'] });
  const holder = new Generator('holder', join(REPO_ROOT, 'bench/load/cluster-worker.ts'));
  try {
    // A client on instance 0 opens the document first, so instance 0 claims it; the relay keeps it there.
    await holder.request('open', { url: nodes.instance(0).wsUrl, doc: DOC });
    if ((await nodes.ownerOf(DOC)) !== 0) throw new Error('instance 0 did not claim the document');
    const healthz = pollHealthz(nodes.instance(0));
    const lease = { samples: 0, notOwner: 0 };
    let watching = true;
    const watch = (async () => {
      while (watching) {
        lease.samples += 1;
        if ((await nodes.ownerOf(DOC)) !== 0) lease.notOwner += 1;
        await delay(50);
      }
    })();
    const run = await runReplay(nodes.instance(1), { trace: trace.name, documentName: DOC, expected, timeoutMs: 1_200_000, follow: false }).finally(() => (watching = false));
    await watch;
    return { cluster: true, updatesPerSecond: Math.round(run.updatesPerSecond), ackedMs: run.ackedMs, ownerHealthzMs: await healthz.stop(), lease, ownerAfter: await nodes.ownerOf(DOC) };
  } finally {
    await holder.stop();
    await nodes.stop();
  }
}

try {
  await report({ msg: 'result', ops: expected.ops, ...(values.cluster ? await cluster() : await single()) });
} finally {
  await postgres?.close();
  await rm(workDir, { recursive: true, force: true });
}
