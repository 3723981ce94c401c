// The memory part of the cluster scenario alone: total RSS of three instances, idle and with one large document
// open on all three, Tandem against stock Hocuspocus + Redis (or other Tandem checkouts, for an A/B).
//
//   node bench/cluster-memory.ts [--copies 20,100] [--runs 3] [--kinds tandem,hocuspocus-redis]
//                                [--tandem-main ../other/server/main.ts] [--tandem-b-node-flags='--flag …']
//                                [--settle-ms 15000]
// Kinds: `tandem` (this checkout), `hocuspocus-redis`, `tandem-b` (--tandem-main's checkout, default this one, with
// node given --tandem-b-node-flags: an A/B of code or of V8 settings) and `LABEL=PATH` (Tandem's server entry at
// PATH). Every cluster runs side by side and the runs are interleaved, so drift on the machine hits all alike.
// The measure is the scenario's (bench/lib/cluster-cases.ts measureMemory); PostgreSQL and Redis are started here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchCluster, type ClusterKind } from './lib/cluster.ts';
import { measureMemory, seedLargeDocument, type LargeDocument, type MemoryMeasure } from './lib/cluster-cases.ts';
import { BenchPostgres } from './lib/postgres.ts';
import { REPO_ROOT } from './lib/servers.ts';
import { median } from './lib/stats.ts';
import { Generator } from './load/generator.ts';

const { values } = parseArgs({
  options: {
    copies: { type: 'string', default: '20,100' },
    runs: { type: 'string', default: '3' },
    kinds: { type: 'string', default: 'tandem,hocuspocus-redis' },
    'tandem-main': { type: 'string' },
    'tandem-b-node-flags': { type: 'string' },
    'settle-ms': { type: 'string', default: '15000' },
  },
});
const copies = values.copies.split(',').map(Number);
const runs = Number(values.runs);
const kinds = values.kinds.split(',');
const plan = { idleMs: 3000, settleMs: Number(values['settle-ms']), typedEdits: 250, rate: 50 };

const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
const mib = (value: number) => value.toFixed(0);
const workDir = await mkdtemp(join(tmpdir(), 'tandem-cluster-memory-'));
const postgres = await BenchPostgres.start();
const generators = [0, 1, 2].map((i) => new Generator(`cluster generator ${i}`, join(REPO_ROOT, 'bench/load/cluster-worker.ts')));
const results: { kind: string; copies: number; measures: MemoryMeasure[] }[] = [];
const clusters = new Map<string, BenchCluster>();
try {
  for (const key of kinds) {
    const [label, entry] = key.includes('=') ? key.split('=') as [string, string] : [key, undefined];
    const kind: ClusterKind = key === 'hocuspocus-redis' ? 'hocuspocus-redis' : 'tandem';
    const b = key === 'tandem-b';
    const tandemMain = b ? values['tandem-main'] : entry;
    const tandemNodeFlags = b ? (values['tandem-b-node-flags']?.split(' ').filter(Boolean) ?? []) : [];
    clusters.set(label, await BenchCluster.start({ kind, postgres, workDir: join(workDir, label), tandemMain, tandemNodeFlags }));
  }
  for (const size of copies) {
    const documents = new Map<string, LargeDocument>();
    for (const [label, running] of clusters) {
      documents.set(label, await seedLargeDocument(running, postgres, generators[0]!, `large-${size}`, size));
      results.push({ kind: label, copies: size, measures: [] });
    }
    for (let run = 0; run < runs; run += 1) {
      for (const [label, running] of clusters) {
        const document = documents.get(label)!;
        const measure = await measureMemory(running, generators, document, plan, run);
        results.find((r) => r.kind === label && r.copies === size)!.measures.push(measure);
        process.stdout.write(
          `${label}, ${size} copies (${(document.stateBytes / 2 ** 20).toFixed(1)} MiB), run ${run + 1}: idle ${measure.idleMiB.map(mib).join(' + ')} = ` +
            `${mib(sum(measure.idleMiB))} MiB, document open ${measure.hotMiB.map(mib).join(' + ')} = ${mib(sum(measure.hotMiB))} MiB\n`,
        );
      }
    }
  }
} finally {
  await Promise.all([...clusters.values()].map((running) => running.stop()));
  await Promise.all(generators.map((generator) => generator.stop()));
  await postgres.close();
  await rm(workDir, { recursive: true, force: true });
}

process.stdout.write('\nmedians (MiB, three instances): kind, copies, idle, document open, above idle, vs the reference\n');
for (const { kind, copies: size, measures } of results) {
  const idle = median(measures.map((m) => sum(m.idleMiB)));
  const hot = median(measures.map((m) => sum(m.hotMiB)));
  const reference = results.find((r) => r.kind === 'hocuspocus-redis' && r.copies === size);
  const versus = reference ? ` ${(hot / median(reference.measures.map((m) => sum(m.hotMiB)))).toFixed(2)}×` : '';
  process.stdout.write(`${kind}\t${size}\t${mib(idle)}\t${mib(hot)}\t${mib(hot - idle)}\t${versus}\n`);
}
