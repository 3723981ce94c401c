// Cluster (issue 15): Tandem on three instances (one owner per document, relays) against stock Hocuspocus +
// extension-redis on three: cross-instance delivery, memory with one large document open everywhere,
// acknowledged ingest through a non-owner, and failover after SIGKILL of the owner.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { postgresMissing } from '../../test/helpers/postgres.ts';
import { redisMissing } from '../../test/helpers/redis.ts';
import { loadTrace } from '../../test/helpers/traces.ts';
import { BenchCluster, type ClusterKind } from '../lib/cluster.ts';
import {
  measureDelivery,
  measureFailover,
  measureIngest,
  measureMemory,
  seedLargeDocument,
  type DeliveryMeasure,
  type FailoverMeasure,
  type IngestMeasure,
  type LargeDocument,
  type MemoryMeasure,
  type Placement,
} from '../lib/cluster-cases.ts';
import { expectedAfter } from '../lib/expected.ts';
import { Histogram } from '../lib/histogram.ts';
import { BenchPostgres } from '../lib/postgres.ts';
import type { BenchContext, Chart, ResultTable, Scenario, ScenarioResult, Target } from '../lib/scenario.ts';
import { REPO_ROOT } from '../lib/servers.ts';
import { median } from '../lib/stats.ts';
import { lineChart } from '../lib/svg-chart.ts';
import { formatNumber, ratio, type Cell } from '../lib/table.ts';
import { Generator } from '../load/generator.ts';

interface Plan {
  delivery: { edits: number; rate: number; warmupEdits: number };
  ingestOps: number;
  /** Sizes of the large document: copies of automerge-paper's text (1,173 paragraphs each). */
  copies: number[];
  memory: { idleMs: number; settleMs: number; typedEdits: number; rate: number };
  failover: { kills: number; leases: number[]; rate: number; typingMs: number };
}

const FULL: Plan = {
  delivery: { edits: 2000, rate: 50, warmupEdits: 200 },
  ingestOps: 259_778,
  copies: [20, 100],
  memory: { idleMs: 3000, settleMs: 15_000, typedEdits: 250, rate: 50 },
  failover: { kills: 10, leases: [3000, 1500], rate: 20, typingMs: 1000 },
};
const QUICK: Plan = {
  delivery: { edits: 300, rate: 50, warmupEdits: 50 },
  ingestOps: 20_000,
  copies: [20],
  memory: { idleMs: 1000, settleMs: 5000, typedEdits: 50, rate: 50 },
  failover: { kills: 3, leases: [3000], rate: 20, typingMs: 1000 },
};

const OWNER: Placement = { writer: 0, readers: [1, 2], first: 0 };
const NON_OWNER: Placement = { writer: 1, readers: [0, 2], first: 0 };
/** Ops of automerge-paper already in the document in the "with history" cases. */
const HISTORY = 200_000;
interface DeliveryCase {
  key: string;
  kind: ClusterKind;
  label: string;
  /** Short enough for the chart's legend. */
  legend: string;
  placement: Placement;
  history: number;
  /** The reference case this one's p99 is compared with. */
  versus: string;
}
const DELIVERY_CASES: DeliveryCase[] = [
  { key: 'tandem-owner', kind: 'tandem', label: 'Tandem, writer on the owner', legend: 'Tandem, writer on owner', placement: OWNER, history: 0, versus: 'reference' },
  { key: 'tandem-relay', kind: 'tandem', label: 'Tandem, writer on a non-owner', legend: 'Tandem, writer on non-owner', placement: NON_OWNER, history: 0, versus: 'reference' },
  { key: 'reference', kind: 'hocuspocus-redis', label: 'Hocuspocus + Redis', legend: 'Hocuspocus + Redis', placement: OWNER, history: 0, versus: 'reference' },
  { key: 'tandem-owner-history', kind: 'tandem', label: 'with history: Tandem, writer on the owner', legend: 'history: Tandem, owner', placement: OWNER, history: HISTORY, versus: 'reference-history' },
  { key: 'reference-history', kind: 'hocuspocus-redis', label: 'with history: Hocuspocus + Redis', legend: 'history: Hocuspocus + Redis', placement: OWNER, history: HISTORY, versus: 'reference-history' },
];
const REFERENCE_NAME = 'stock Hocuspocus 4.7 + extension-redis + extension-database (PostgreSQL), 3 instances';
const TANDEM_NAME = 'Tandem cluster (PostgreSQL, Redis leases), 3 instances';
const P99_TARGET = 0.75;
const RSS_TARGET = 0.5;

export const cluster: Scenario = {
  id: 'cluster',
  title: 'Cluster (issue 15)',
  async run(context) {
    const plan = context.quick ? QUICK : FULL;
    const missing = postgresMissing() ?? redisMissing();
    if (missing) return notMeasured(missing);
    const postgres = context.postgres ?? (await BenchPostgres.start());
    const script = join(REPO_ROOT, 'bench/load/cluster-worker.ts');
    const generators = [0, 1, 2].map((i) => new Generator(`cluster generator ${i}`, script));
    const delivery = new Map<string, DeliveryMeasure[]>();
    const ingest = new Map<string, IngestMeasure[]>();
    const ingestFailures = new Map<string, string[]>();
    /** Keyed by `${kind}/${copies}`. */
    const memory = new Map<string, { document: LargeDocument; runs: MemoryMeasure[] }>();
    const failover = new Map<number, FailoverMeasure[]>();
    /** CPU ms per second of the three instances together with no client connected. */
    const idleCpu = new Map<ClusterKind, number>();
    const options = { postgres, profileDir: context.profileDir, tandemMain: context.tandemMain };
    try {
      context.progress('starting a Tandem cluster and a Hocuspocus + Redis cluster (3 instances each, one Redis each, one PostgreSQL)');
      const clusters = {
        tandem: await BenchCluster.start({ kind: 'tandem', workDir: join(context.workDir, 'tandem'), ...options }),
        'hocuspocus-redis': await BenchCluster.start({ kind: 'hocuspocus-redis', workDir: join(context.workDir, 'reference'), ...options }),
      };
      try {
        for (const kind of ['tandem', 'hocuspocus-redis'] as const) idleCpu.set(kind, await idleCpuMsPerSecond(clusters[kind]));
        const { edits, rate, warmupEdits } = plan.delivery;
        for (const kind of ['tandem', 'hocuspocus-redis'] as const) {
          await measureDelivery(clusters[kind], postgres, generators, 'delivery-warm-up', OWNER, { edits: warmupEdits, rate });
        }
        for (let run = 0; run < context.runs; run += 1) {
          // Interleaved, each run starting with the next case, so drift on the shared machine hits all alike.
          for (let i = 0; i < DELIVERY_CASES.length; i += 1) {
            const { key, kind, placement, history } = DELIVERY_CASES[(i + run) % DELIVERY_CASES.length]!;
            const measure = await measureDelivery(clusters[kind], postgres, generators, `delivery-${key}-${run}`, placement, { edits, rate, history });
            delivery.set(key, [...(delivery.get(key) ?? []), measure]);
            context.progress(
              `delivery run ${run + 1}/${context.runs} ${key}: p50 ${measure.histogram.quantile(0.5).toFixed(2)} ms, p99 ${measure.histogram.quantile(0.99).toFixed(2)} ms, ` +
                `max ${measure.histogram.max.toFixed(1)} ms (${measure.histogram.count} deliveries, ${edits} edits at ${rate}/s, ${measure.late} late); ` +
                `ack p99 ${measure.ack.quantile(0.99).toFixed(1)} ms; CPU/edit: instances ${measure.instancesCpuMicros.toFixed(0)} µs, Redis ${measure.redisCpuMicros.toFixed(0)} µs, PostgreSQL ${formatNumber(measure.postgresCpuMicros)} µs`,
            );
          }
        }
        const trace = loadTrace('automerge-paper');
        const expected = expectedAfter(trace, plan.ingestOps);
        for (let run = 0; run < context.runs; run += 1) {
          for (const [i, writer] of (run % 2 === 0 ? [0, 1] : [1, 0]).entries()) {
            const key = writer === 0 ? 'owner' : 'relay';
            const stderrBefore = clusters.tandem.instances.map((server) => server?.child.stderr().length ?? 0);
            let measure: IngestMeasure;
            try {
              measure = await measureIngest(clusters.tandem, postgres, generators[0]!, `ingest-${key}-${run}-${i}`, writer, expected);
            } catch (error) {
              // A run that fails is reported with its cause (the figures are of the runs that finished), not fatal.
              const reason = ingestFailure(error as Error, clusters.tandem, stderrBefore);
              ingestFailures.set(key, [...(ingestFailures.get(key) ?? []), reason]);
              context.progress(`ingest run ${run + 1}/${context.runs} writer on ${writer === 0 ? 'the owner' : 'a non-owner'} FAILED: ${reason}`);
              continue;
            }
            ingest.set(key, [...(ingest.get(key) ?? []), measure]);
            context.progress(
              `ingest run ${run + 1}/${context.runs} writer on ${writer === 0 ? 'the owner' : 'a non-owner'}: ${formatNumber(measure.updatesPerSecond)} updates/s acknowledged ` +
                `(${formatNumber(measure.ackedMs ?? Number.NaN)} ms for ${expected.ops} updates; CPU/update: instances ${measure.instancesCpuMicros.toFixed(1)} µs, PostgreSQL ${measure.postgresCpuMicros.toFixed(1)} µs)`,
            );
          }
        }
      } finally {
        await Promise.all(Object.values(clusters).map((running) => running.stop()));
      }

      for (const kind of ['tandem', 'hocuspocus-redis'] as const) {
        const running = await BenchCluster.start({ kind, workDir: join(context.workDir, `memory-${kind}`), ...options });
        try {
          for (const copies of plan.copies) {
            const document = await seedLargeDocument(running, postgres, generators[0]!, `large-${copies}`, copies);
            context.progress(`memory ${kind}: seeded ${document.paragraphs.toLocaleString('en-US')} paragraphs, state ${(document.stateBytes / 2 ** 20).toFixed(1)} MiB`);
            const runs: MemoryMeasure[] = [];
            for (let run = 0; run < context.runs; run += 1) {
              const measure = await measureMemory(running, generators, document, plan.memory, run);
              runs.push(measure);
              context.progress(
                `memory run ${run + 1}/${context.runs} ${kind}, ${copies} copies: idle ${measure.idleMiB.map((m) => m.toFixed(0)).join(' + ')} MiB, ` +
                  `document open ${measure.hotMiB.map((m) => m.toFixed(0)).join(' + ')} MiB`,
              );
            }
            memory.set(`${kind}/${copies}`, { document, runs });
          }
        } finally {
          await running.stop();
        }
      }

      for (const leaseMs of plan.failover.leases) {
        const running = await BenchCluster.start({ kind: 'tandem', workDir: join(context.workDir, `failover-${leaseMs}`), leaseMs, ...options });
        try {
          for (let kill = 0; kill < plan.failover.kills; kill += 1) {
            const measure = await measureFailover(running, generators, `failover-${leaseMs}-${kill}`, kill % 3, plan.failover);
            failover.set(leaseMs, [...(failover.get(leaseMs) ?? []), measure]);
            context.progress(
              `failover --lease-ms ${leaseMs}, kill ${kill + 1}/${plan.failover.kills}: first acknowledgement after ${measure.failoverMs.toFixed(0)} ms ` +
                `(lease moved after ${measure.leaseMovedMs.toFixed(0)} ms to the ${measure.newOwner}'s instance; ${measure.unacknowledgedAtKill} edits unacknowledged at the kill)`,
            );
          }
        } finally {
          await running.stop();
        }
      }
    } finally {
      await Promise.all(generators.map((generator) => generator.stop()));
      if (!context.postgres) await postgres.close();
    }
    return report(context, plan, delivery, { runs: ingest, failures: ingestFailures }, memory, failover, idleCpu);
  },
};

async function report(
  context: BenchContext,
  plan: Plan,
  delivery: Map<string, DeliveryMeasure[]>,
  ingestResults: { runs: Map<string, IngestMeasure[]>; failures: Map<string, string[]> },
  memory: Map<string, { document: LargeDocument; runs: MemoryMeasure[] }>,
  failover: Map<number, FailoverMeasure[]>,
  idleCpu: Map<ClusterKind, number>,
): Promise<ScenarioResult> {
  const runsOf = (key: string) => delivery.get(key) ?? [];
  const deliveryFigure = (key: string, pick: (m: DeliveryMeasure) => number) => median(runsOf(key).map(pick));
  const p = (q: number) => (m: DeliveryMeasure) => m.histogram.quantile(q);
  const deliveryRows: Cell[][] = DELIVERY_CASES.map(({ key, label, versus }) => [
    label,
    deliveryFigure(key, p(0.5)),
    deliveryFigure(key, p(0.99)),
    deliveryFigure(key, (m) => m.histogram.max),
    key === versus ? '1.00× (reference)' : ratio(deliveryFigure(key, p(0.99)), deliveryFigure(versus, p(0.99))),
    deliveryFigure(key, (m) => m.ack.quantile(0.5)),
    deliveryFigure(key, (m) => m.ack.quantile(0.99)),
    deliveryFigure(key, (m) => m.instancesCpuMicros),
    [0, 1, 2].map((i) => formatNumber(deliveryFigure(key, (m) => m.instanceCpuMicros[i]!))).join(' / '),
    deliveryFigure(key, (m) => m.redisCpuMicros),
    deliveryFigure(key, (m) => m.postgresCpuMicros),
    runsOf(key).map((m) => formatNumber(m.histogram.quantile(0.99))).join(' / '),
  ]);

  // The memory target is read on the largest document: the one where the document, not the baseline, dominates.
  const largest = Math.max(...plan.copies);
  const memoryOf = (kind: ClusterKind, copies: number) => memory.get(`${kind}/${copies}`)?.runs ?? [];
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const memoryFigure = (kind: ClusterKind, copies: number, pick: (m: MemoryMeasure) => number) => median(memoryOf(kind, copies).map(pick));
  const idle = (m: MemoryMeasure) => sum(m.idleMiB);
  const hot = (m: MemoryMeasure) => sum(m.hotMiB);
  const above = (m: MemoryMeasure) => hot(m) - idle(m);
  const memoryRow = (kind: ClusterKind, copies: number, name: string): Cell[] => {
    const document = memory.get(`${kind}/${copies}`)?.document;
    return [
      name,
      document ? `${document.paragraphs.toLocaleString('en-US')} paragraphs, ${(document.stateBytes / 2 ** 20).toFixed(1)} MiB` : `${copies} copies`,
      memoryFigure(kind, copies, idle),
      memoryFigure(kind, copies, hot),
      memoryFigure(kind, copies, above),
      memoryOf(kind, copies).length ? [0, 1, 2].map((i) => formatNumber(memoryFigure(kind, copies, (m) => m.hotMiB[i]! - m.idleMiB[i]!))).join(' / ') : '–',
      kind === 'hocuspocus-redis' ? '1.00× (reference)' : ratio(memoryFigure(kind, copies, hot), memoryFigure('hocuspocus-redis', copies, hot)),
      kind === 'hocuspocus-redis' ? '1.00× (reference)' : ratio(memoryFigure(kind, copies, above), memoryFigure('hocuspocus-redis', copies, above)),
    ];
  };
  const memoryRows = plan.copies.flatMap((copies) => [memoryRow('tandem', copies, TANDEM_NAME), memoryRow('hocuspocus-redis', copies, REFERENCE_NAME)]);

  const { runs: ingest, failures: ingestFailures } = ingestResults;
  const ingestFigure = (key: string, pick: (m: IngestMeasure) => number) => median((ingest.get(key) ?? []).map(pick));
  const ingestRow = (key: string, name: string): Cell[] => [
    name,
    ingestFigure(key, (m) => m.updatesPerSecond),
    key === 'owner' ? '1.00× (reference)' : ratio(ingestFigure(key, (m) => m.updatesPerSecond), ingestFigure('owner', (m) => m.updatesPerSecond)),
    ingestFigure(key, (m) => (m.ackedMs ?? Number.NaN) / 1000),
    ingestFigure(key, (m) => m.instancesCpuMicros),
    ingestFigure(key, (m) => m.postgresCpuMicros),
    [...(ingest.get(key) ?? []).map((m) => formatNumber(m.updatesPerSecond)), ...(ingestFailures.get(key) ?? []).map(() => 'failed')].join(' / '),
  ];
  const failureNotes = [...ingestFailures.entries()].map(
    ([key, reasons]) => `${reasons.length} run(s) with the writer on ${key === 'owner' ? 'the owner' : 'a non-owner'} failed: ${[...new Set(reasons)].join('; ')}.`,
  );

  const failoverRows: Cell[][] = [...failover.entries()].map(([leaseMs, runs]) => {
    const times = runs.map((m) => m.failoverMs).sort((a, b) => a - b);
    const histogram = new Histogram();
    for (const time of times) histogram.record(time);
    return [
      leaseMs,
      runs.length,
      times[0]!,
      median(times),
      histogram.quantile(0.9),
      times[times.length - 1]!,
      median(runs.map((m) => m.leaseMovedMs)),
      median(runs.map((m) => m.failoverMs - m.leaseMovedMs)),
      `${runs.filter((m) => m.newOwner === 'typist').length} / ${runs.filter((m) => m.newOwner === 'reader').length}`,
      times.map((t) => formatNumber(t)).join(', '),
    ];
  });

  const measured = (...values: number[]) => values.every(Number.isFinite);
  const p99Target = (key: string, label: string): Target => {
    const value = deliveryFigure(key, p(0.99));
    const refP99 = deliveryFigure(DELIVERY_CASES.find((c) => c.key === key)!.versus, p(0.99));
    return {
      text: `Cross-instance delivery p99, ${label}, ≤ ${P99_TARGET}× Hocuspocus + Redis → ${measured(value, refP99) ? `${value.toFixed(2)} vs ${refP99.toFixed(2)} ms = ${ratio(value, refP99)}` : 'not measured'}`,
      met: measured(value, refP99) ? value <= P99_TARGET * refP99 : null,
    };
  };
  const tandemHot = memoryFigure('tandem', largest, hot);
  const refHot = memoryFigure('hocuspocus-redis', largest, hot);
  const targets: Target[] = [
    p99Target('tandem-owner', 'writer on the owner'),
    p99Target('tandem-relay', 'writer on a non-owner'),
    p99Target('tandem-owner-history', `writer on the owner, document with ${HISTORY.toLocaleString('en-US')} ops of history`),
    {
      text:
        `Total RSS of the three instances with one large document (${largest} copies) open on all three ≤ ${RSS_TARGET}× Hocuspocus + Redis → ` +
        (measured(tandemHot, refHot) ? `${formatNumber(tandemHot)} vs ${formatNumber(refHot)} MiB = ${ratio(tandemHot, refHot)}` : 'not measured'),
      met: measured(tandemHot, refHot) ? tandemHot <= RSS_TARGET * refHot : null,
    },
  ];

  const charts: Chart[] = [];
  const cdfChart = async (file: string) => {
    const quantiles = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99, 0.995, 0.999, 1];
    const svg = lineChart({
      title: 'Cluster: cross-instance delivery (edit → reader on another instance)',
      xLabel: 'latency (ms)',
      yLabel: 'deliveries at or below (%)',
      logX: true,
      series: DELIVERY_CASES.map(({ key, legend }) => {
        const merged = new Histogram();
        for (const m of runsOf(key)) merged.merge(m.histogram.toJSON());
        return { name: legend, points: quantiles.map((q) => [q === 1 ? merged.max : merged.quantile(q), q * 100] as const) };
      }),
    });
    await writeFile(join(context.chartsDir, file), svg);
    charts.push({ file, title: 'Cross-instance delivery: latency distribution, all runs' });
  };
  const failoverChart = async (file: string) => {
    const series = [...failover.entries()].flatMap(([leaseMs, runs]) => [
      { name: `--lease-ms ${leaseMs}`, points: runs.map((m, i) => [i + 1, m.failoverMs] as const) },
      { name: `lease ${leaseMs} ms`, dashed: true, points: runs.map((_, i) => [i + 1, leaseMs] as const) },
    ]);
    const svg = lineChart({ title: 'Cluster: failover after SIGKILL of the owner', xLabel: 'kill', yLabel: 'SIGKILL → first post-kill edit acknowledged (ms)', markers: true, series });
    await writeFile(join(context.chartsDir, file), svg);
    charts.push({ file, title: 'Failover: SIGKILL of the owner → first acknowledgement of a post-kill edit' });
  };
  if (delivery.size > 0) await cdfChart('cluster-delivery.svg');
  if (failover.size > 0) await failoverChart('cluster-failover.svg');

  const tables: ResultTable[] = [
    {
      title: `Memory: one large document open on all three instances`,
      header: ['cluster', 'document', 'idle RSS (MiB, 3 instances)', 'document open (MiB)', 'above idle (MiB)', 'above idle per instance (0 / 1 / 2)', 'total vs reference', 'above idle vs reference'],
      rows: memoryRows,
      notes: [
        `The document: automerge-paper's final text as 1,173 Tiptap-shaped paragraphs (Y.XmlElement + Y.XmlText), ${plan.copies.join(' or ')} copies, ` +
          'each written by its own client id; its size as Y.encodeStateAsUpdate. Written through instance 0 by one client, stored, ' +
          'then every instance restarted gracefully.',
        'idle: VmRSS of each fresh instance after a small document was opened and left on each (code loaded on first use), ' +
          `${plan.memory.idleMs / 1000} s later. document open: a client of the large document on instance 0 (Tandem: it claims the ` +
          `document, instance 0 owns it), then on 1 and 2, each checked to have every paragraph; then ${plan.memory.typedEdits} edits at ` +
          `${plan.memory.rate}/s through instance 1; the median of five samples ${plan.memory.settleMs / 1000} s later. No GC is forced: ` +
          'the settling time lets the buffers of the load and first sync (the state encoded for each client, and on Tandem\'s ' +
          'non-owners the relayed frames) be collected, as they would be on a server that keeps a document open.',
      ],
    },
    {
      title: 'Acknowledged ingest through a non-owner (Tandem)',
      header: ['writer', 'updates/s', 'vs the owner directly', 'all acked (s)', 'instances CPU µs/update', 'PostgreSQL CPU µs/update', 'runs (updates/s)'],
      rows: [ingestRow('owner', 'on the owner (no relay)'), ingestRow('relay', 'on a non-owner (relayed to the owner)')],
      notes: [
        `automerge-paper, ${plan.ingestOps.toLocaleString('en-US')} single-op updates replayed flat out by one writer (bench/trace-writer.ts, ` +
          '1,000 per event-loop turn), no reader; updates/s until every update is acknowledged (stored in PostgreSQL), then a fresh ' +
          "reader on the writer's instance checks the text (issue 2's writer-alone measure). For the non-owner case a client on " +
          "instance 0 opens the document first (instance 0 claims it) and leaves before the first op; the relay's reference keeps it there.",
        ...failureNotes,
      ],
    },
    {
      title: 'Failover: SIGKILL of the owner while a client on another instance types',
      header: ['--lease-ms', 'kills', 'min (ms)', 'median (ms)', 'p90 (ms)', 'max (ms)', 'lease moved, median (ms)', 'moved → first ack, median (ms)', 'new owner: typist / reader', 'every kill (ms)'],
      rows: failoverRows,
      notes: [
        `Per kill, a fresh document: a client on the owner (instance k mod 3) opens it first, a typist on the next instance types a token ` +
          `${plan.failover.rate} times a second, a client on the third reads. After ${plan.failover.typingMs / 1000} s plus a random part of a renewal period ` +
          '(lease ÷ 3) the owner gets SIGKILL; the figure is SIGKILL → the acknowledgement of the first edit made after it (it is stored by ' +
          'the new owner). "lease moved": SIGKILL → Redis names a survivor (polled every 10 ms). Then the reader must converge with the ' +
          'typist, and the killed instance is started again on its port.',
      ],
    },
  ];

  const hotRatio = measured(tandemHot, refHot) ? tandemHot / refHot : Number.NaN;
  return {
    method:
      `Three instances per cluster, each its own process, on one Redis (per cluster) and one PostgreSQL 15 (a database per cluster), clients ` +
      `connecting to the instances directly. Delivery: one writer types the automerge-paper trace open loop at ${plan.delivery.rate} edits/s ` +
      `(${plan.delivery.edits.toLocaleString('en-US')} edits per run, each op and a {seq, t} stamp in one transaction) with a reader on each ` +
      `other instance, each client a real provider in its own process; latency = writer's clock before the edit → reader's observer ` +
      `(one host clock). "with history": the trace's first ${HISTORY.toLocaleString('en-US')} ops are put in the document first (one update ` +
      `from the writer) and typing goes on from op ${HISTORY.toLocaleString('en-US')}. Median of ${context.runs} run(s), cases interleaved`,
    header: ['case', 'p50 ms', 'p99 ms', 'max ms', 'p99 vs Hocuspocus + Redis', 'ack p50 ms', 'ack p99 ms', 'instances CPU µs/edit', 'per instance (0 / 1 / 2)', 'Redis CPU µs/edit', 'PostgreSQL CPU µs/edit', 'runs (p99 ms)'],
    rows: deliveryRows,
    tables,
    targets,
    charts,
    notes: [
      `Tandem: server/main.ts with --database-url, --redis-url, --cluster-secret and --lease-ms (3000, the default, except in the failover ` +
        'table), fsync off, its other defaults (auto versions, metrics); the bench raises its per-socket abuse limits as for every Tandem server. ' +
        `Writer on the owner: the writer's client opens the document first, so its instance claims the lease; writer on a non-owner: a reader's ` +
        'client on instance 0 opens it first, the writer is on instance 1 and its frames are relayed to instance 0.',
      `Reference: ${REFERENCE_NAME} (bench/servers/hocuspocus-redis.ts): new Server({ extensions: [new Redis({ host, port }), new Database({ fetch, store })] }) ` +
        'with Hocuspocus\' defaults (store debounce 2 s, max 10 s; acknowledgements from memory). extension-database stores the whole ' +
        'state in one row per document of the same PostgreSQL, as its README shows; it is the persistence the Redis extension\'s README ' +
        'asks for, so the reference keeps documents across restarts like Tandem, on a lighter footing (a debounced whole-document ' +
        'write, where Tandem commits every update before acknowledging it).',
      'extension-redis 4.7 publishes a state vector (SyncStep1) per document per event-loop turn that changed it; each other instance ' +
        'answers on the writer\'s reply channel with what the writer lacks and its own state vector, and the writer\'s instance then sends ' +
        'each of them the missing update: an edit reaches a reader on another instance after three Redis messages. Each answer is ' +
        'Y.encodeStateAsUpdate(document, stateVector): the missing structs plus the document\'s whole delete set, so its cost grows ' +
        'with the document\'s history (the "with history" rows). Tandem relays the ' +
        "client's frame to the owner and the owner's broadcast back over direct WebSockets: one hop from the owner, two from a non-owner.",
      'CPU per edit: on-CPU time of all threads of the three instances together and of each (/proc schedstat; instance 0 is the ' +
        "owner in both Tandem cases and the writer's instance for the reference), of redis-server, and of every PostgreSQL process " +
        '(10 ms ticks; the one PostgreSQL serves both clusters, only one of which is loaded at a time), over the typing, idle work ' +
        `included: with no client the three instances took ${formatNumber(idleCpu.get('tandem') ?? Number.NaN)} ms of CPU a second ` +
        `(Tandem) and ${formatNumber(idleCpu.get('hocuspocus-redis') ?? Number.NaN)} ms (reference), ` +
        `${formatNumber(((idleCpu.get('tandem') ?? Number.NaN) * 1000) / plan.delivery.rate)} and ` +
        `${formatNumber(((idleCpu.get('hocuspocus-redis') ?? Number.NaN) * 1000) / plan.delivery.rate)} µs per edit at ${plan.delivery.rate} edits/s.`,
      ...(Number.isFinite(hotRatio) ? [`Total RSS ratio ${hotRatio.toFixed(2)}×; the total includes each instance's idle baseline, so the ratio depends on the document's size (see the memory table).`] : []),
      'The reference has no owner and nothing to fail over (each instance holds the whole document, acknowledges from memory); its delivery and memory are the comparison.',
    ],
  };
}

/** Why an ingest run failed: the writer's error, and what Hocuspocus printed on an instance meanwhile. */
function ingestFailure(error: Error, running: BenchCluster, stderrBefore: number[]): string {
  const closed = /the server closed the socket: \d+[^\n|]*/.exec(error.message)?.[0];
  const printed = running.instances.flatMap((server, i) =>
    (server?.child.stderr().slice(stderrBefore[i] ?? 0) ?? '')
      .split('\n')
      .filter((line) => line.startsWith('Hocuspocus:'))
      .map((line) => `instance ${i}: ${line.replace(/closing connection [0-9a-f-]+: /, '').trim()}`),
  );
  return [closed ?? error.message.split('\n')[0], ...new Set(printed)].join(' — ');
}

async function idleCpuMsPerSecond(running: BenchCluster): Promise<number> {
  await delay(1000);
  const before = running.cpuMs().instances;
  const started = performance.now();
  await delay(3000);
  const after = running.cpuMs().instances;
  return (after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)) / ((performance.now() - started) / 1000);
}

/** Without PostgreSQL or Redis on this machine the scenario reports why instead of failing the suite. */
function notMeasured(reason: string): ScenarioResult {
  return {
    method: 'not measured',
    header: ['case', 'result'],
    rows: [['every case', `not measured: ${reason}`]],
    targets: [
      { text: `Cross-instance delivery p99 ≤ ${P99_TARGET}× Hocuspocus + Redis → not measured`, met: null },
      { text: `Total RSS with one large document open on all three ≤ ${RSS_TARGET}× Hocuspocus + Redis → not measured`, met: null },
    ],
    charts: [],
    notes: [],
  };
}
