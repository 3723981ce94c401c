// Fan-out: one closed-loop writer and 1–500 readers on one document, then 100 documents × 10 clients.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processCpuPreciseMs } from '../lib/cpu.ts';
import { Histogram, type HistogramData } from '../lib/histogram.ts';
import type { BenchContext, Chart, Scenario, ScenarioResult, Target } from '../lib/scenario.ts';
import { REPO_ROOT, type RunningServer, type ServerSetup } from '../lib/servers.ts';
import { median } from '../lib/stats.ts';
import { lineChart } from '../lib/svg-chart.ts';
import { ratio, type Cell } from '../lib/table.ts';
import { Generator, split } from '../load/generator.ts';

const SERVER_KEYS = ['tandem', 'hocuspocus-default', 'hocuspocus-no-batching', 'y-websocket'];
// --store postgres: Tandem on PostgreSQL beside Tandem on LevelDB, --fsync on (as durable) and off (the default).
const PG_SERVER_KEYS = [...SERVER_KEYS, 'tandem-fsync', 'tandem-postgres'];
const REFERENCE = 'hocuspocus-default';
const FSYNC_REFERENCE = 'tandem-fsync';
const READER_GENERATORS = 2;

interface Plan {
  readers: number[];
  /** Closed-loop edits measured per reader count, after `warmupEdits`; fewer if `maxSeconds` runs out. */
  edits: number;
  warmupEdits: number;
  maxSeconds: number;
  docs: { count: number; clientsPerDoc: number; seconds: number; warmupSeconds: number };
}

const FULL: Plan = {
  // 1,500: the size y/hub publishes its fan-out at (1 writer → 1,500 readers, p99 44 ms, 14.4 µs per update per reader).
  readers: [1, 10, 100, 500, 1500],
  edits: 1000,
  warmupEdits: 50,
  maxSeconds: 10,
  docs: { count: 100, clientsPerDoc: 10, seconds: 10, warmupSeconds: 2 },
};
const QUICK: Plan = {
  readers: [1, 10, 100],
  edits: 200,
  warmupEdits: 20,
  maxSeconds: 1.5,
  docs: { count: 20, clientsPerDoc: 10, seconds: 2, warmupSeconds: 0.5 },
};

/** One measurement: a reader count (or the many-documents case) on one server in one run. */
interface Measure {
  p50: number;
  p99: number;
  max: number;
  /** Server CPU (user + system, all threads) per edit, in µs. */
  cpuMicrosPerEdit: number;
  /** Tandem on PostgreSQL: CPU of every PostgreSQL process per edit, in µs; NaN for other servers. */
  storeCpuMicrosPerEdit: number;
  editsPerSecond: number;
}

type Case = number | 'docs';

export const fanOut: Scenario = {
  id: 'fan-out',
  title: 'Fan-out',
  comparesStores: true,
  async run(context) {
    const plan = context.quick ? QUICK : FULL;
    const servers = context.servers(context.store === 'postgres' ? PG_SERVER_KEYS : SERVER_KEYS);
    const script = join(REPO_ROOT, 'bench/load/fan-out-worker.ts');
    const readerGenerators = Array.from({ length: READER_GENERATORS }, (_, i) => new Generator(`fan-out reader generator ${i}`, script));
    const writerGenerator = new Generator('fan-out writer', script);
    const results = new Map<string, Measure[]>();
    const record = (key: string, which: Case, measure: Measure) => {
      const id = `${key}/${which}`;
      results.set(id, [...(results.get(id) ?? []), measure]);
    };
    try {
      for (let run = 0; run < context.runs; run += 1) {
        // Interleaved: each run starts with the next server, so drift on a shared machine spreads over all.
        const order = servers.map((_, i) => servers[(i + run) % servers.length]!);
        for (const setup of order) {
          const server = await setup.start(join(context.workDir, `${setup.key}-${run}`), {
            profileDir: context.profileDir,
            tandemMain: context.tandemMain,
            postgres: context.postgres,
          });
          // PostgreSQL's processes work for Tandem on PostgreSQL; their CPU is counted beside the server's.
          const postgres = context.postgres;
          const storeCpu = server.databaseUrl && postgres ? () => postgres.cpuMs() : () => null;
          try {
            for (const readers of plan.readers) {
              const measure = await singleDocument(server, setup, readerGenerators, writerGenerator, readers, `fan-out-${readers}-${run}`, plan, storeCpu);
              record(setup.key, readers, measure);
              context.progress(`run ${run + 1}/${context.runs} ${setup.key}, ${readers} reader(s): p50 ${measure.p50.toFixed(2)} ms, p99 ${measure.p99.toFixed(2)} ms, ${measure.cpuMicrosPerEdit.toFixed(0)} µs CPU/edit`);
            }
            const measure = await manyDocuments(server, setup, readerGenerators, `fan-out-docs-${run}`, plan, storeCpu);
            record(setup.key, 'docs', measure);
            context.progress(`run ${run + 1}/${context.runs} ${setup.key}, ${plan.docs.count} docs × ${plan.docs.clientsPerDoc}: p99 ${measure.p99.toFixed(2)} ms, ${measure.editsPerSecond.toFixed(0)} edits/s`);
          } finally {
            await server.stop();
          }
        }
      }
    } finally {
      await Promise.all([...readerGenerators, writerGenerator].map((generator) => generator.stop()));
    }
    return report(context, plan, servers, results);
  },
};

async function singleDocument(
  server: RunningServer,
  setup: ServerSetup,
  readerGenerators: Generator[],
  writerGenerator: Generator,
  readers: number,
  doc: string,
  plan: Plan,
  storeCpu: () => number | null,
): Promise<Measure> {
  const target = { protocol: setup.protocol, url: server.wsUrl, doc };
  const parts = split(readers, readerGenerators.length).map(([start, end]) => end - start);
  const active = readerGenerators.filter((_, i) => parts[i]! > 0);
  await Promise.all(active.map((generator) => generator.request('open', { ...target, readers: parts[readerGenerators.indexOf(generator)] })));
  await writerGenerator.request('open', { ...target, readers: 0, writer: true });

  // Closed loop: the next edit goes out once every reader generator reported the last one complete.
  let waiting: { seq: number; left: number; resolve: () => void } | null = null;
  const unsubscribe = active.map((generator) =>
    generator.on('got', (line) => {
      if (waiting && line.seq === waiting.seq && --waiting.left === 0) waiting.resolve();
    }),
  );
  const exited = Promise.race([...active, writerGenerator].map((g) => g.child.exited.then((code) => Promise.reject(new Error(`${g.name} exited (code ${code})\n${g.child.stderr().slice(-4000)}`)))));
  exited.catch(() => undefined);
  const editOnce = async (seq: number) => {
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve, reject) => {
      waiting = { seq, left: active.length, resolve };
      timer = setTimeout(() => reject(new Error(`${setup.key}: edit ${seq} did not reach all ${readers} readers within 30 s`)), 30_000);
    });
    writerGenerator.post('edit', { seq });
    try {
      await Promise.race([done, exited]);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    let seq = 0;
    while (seq < plan.warmupEdits) await editOnce(++seq);
    await Promise.all(active.map((generator) => generator.request('reset')));
    const pid = server.child.process.pid;
    const cpuBefore = processCpuPreciseMs(pid);
    const storeCpuBefore = storeCpu();
    const started = performance.now();
    let edits = 0;
    while (edits < plan.edits && performance.now() - started < plan.maxSeconds * 1000) {
      await editOnce(++seq);
      edits += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = (processCpuPreciseMs(pid) ?? Number.NaN) - (cpuBefore ?? Number.NaN);
    const storeCpuMs = (storeCpu() ?? Number.NaN) - (storeCpuBefore ?? Number.NaN);
    const collected = await Promise.all(active.map((generator) => generator.request('collect')));
    const histogram = Histogram.from(collected.map((line) => line.histogram as HistogramData));
    const dropped = collected.reduce((sum, line) => sum + Number(line.dropped), 0);
    if (dropped > 0) throw new Error(`${setup.key}: ${dropped} reader(s) lost their connection`);
    if (histogram.count !== edits * readers) throw new Error(`${setup.key}: ${histogram.count} deliveries recorded, expected ${edits} edits × ${readers} readers`);
    return {
      p50: histogram.quantile(0.5),
      p99: histogram.quantile(0.99),
      max: histogram.max,
      cpuMicrosPerEdit: (cpuMs * 1000) / edits,
      storeCpuMicrosPerEdit: (storeCpuMs * 1000) / edits,
      editsPerSecond: edits / seconds,
    };
  } finally {
    for (const off of unsubscribe) off();
    await Promise.all([...active, writerGenerator].map((generator) => generator.request('close')));
  }
}

async function manyDocuments(
  server: RunningServer,
  setup: ServerSetup,
  generators: Generator[],
  prefix: string,
  plan: Plan,
  storeCpu: () => number | null,
): Promise<Measure> {
  const { count, clientsPerDoc, seconds, warmupSeconds } = plan.docs;
  await Promise.all(
    split(count, generators.length).map(([start, end], i) =>
      generators[i]!.request('open-docs', {
        protocol: setup.protocol,
        url: server.wsUrl,
        docs: Array.from({ length: end - start }, (_, d) => `${prefix}-${start + d}`),
        clientsPerDoc,
      }),
    ),
  );
  try {
    const pid = server.child.process.pid;
    const cpuBefore = processCpuPreciseMs(pid);
    const storeCpuBefore = storeCpu();
    const results = await Promise.all(generators.map((generator) => generator.request('run-docs', { seconds, warmupSeconds }, (seconds + 60) * 1000)));
    const cpuMs = (processCpuPreciseMs(pid) ?? Number.NaN) - (cpuBefore ?? Number.NaN);
    const storeCpuMs = (storeCpu() ?? Number.NaN) - (storeCpuBefore ?? Number.NaN);
    const dropped = results.reduce((sum, line) => sum + Number(line.dropped), 0);
    if (dropped > 0) throw new Error(`${setup.key}: ${dropped} client(s) lost their connection`);
    const histogram = Histogram.from(results.map((line) => line.histogram as HistogramData));
    const edits = results.reduce((sum, line) => sum + Number(line.edits), 0);
    const measuredEdits = results.reduce((sum, line) => sum + Number(line.measuredEdits), 0);
    return {
      p50: histogram.quantile(0.5),
      p99: histogram.quantile(0.99),
      max: histogram.max,
      // Over the whole run, warm-up included: CPU is read from outside and cannot split at the warm-up's end.
      cpuMicrosPerEdit: (cpuMs * 1000) / edits,
      storeCpuMicrosPerEdit: (storeCpuMs * 1000) / edits,
      editsPerSecond: measuredEdits / (seconds - warmupSeconds),
    };
  } finally {
    await Promise.all(generators.map((generator) => generator.request('close')));
  }
}

async function report(context: BenchContext, plan: Plan, servers: ServerSetup[], results: Map<string, Measure[]>): Promise<ScenarioResult> {
  const figure = (key: string, which: Case, field: keyof Measure) => median((results.get(`${key}/${which}`) ?? []).map((m) => m[field]));
  const cases: Case[] = [...plan.readers, 'docs'];
  const docsLabel = `${plan.docs.count} docs × ${plan.docs.clientsPerDoc}`;
  const postgres = context.store === 'postgres';
  // Tandem on PostgreSQL's CPU includes PostgreSQL's processes; LevelDB runs inside Tandem's.
  const totalCpu = (key: string, which: Case) => {
    const store = figure(key, which, 'storeCpuMicrosPerEdit');
    return figure(key, which, 'cpuMicrosPerEdit') + (Number.isFinite(store) ? store : 0);
  };
  const rows: Cell[][] = [];
  for (const which of cases) {
    for (const setup of servers) {
      const p99 = figure(setup.key, which, 'p99');
      const store = figure(setup.key, which, 'storeCpuMicrosPerEdit');
      rows.push([
        setup.name,
        which === 'docs' ? docsLabel : which,
        figure(setup.key, which, 'p50'),
        p99,
        figure(setup.key, which, 'max'),
        figure(setup.key, which, 'cpuMicrosPerEdit'),
        ...(postgres ? [Number.isFinite(store) ? store : '–'] : []),
        figure(setup.key, which, 'editsPerSecond'),
        setup.key === REFERENCE ? '1.00× (reference)' : ratio(p99, figure(REFERENCE, which, 'p99')),
        ...(postgres
          ? setup.key === FSYNC_REFERENCE
            ? ['1.00× (reference)', '1.00× (reference)']
            : [ratio(p99, figure(FSYNC_REFERENCE, which, 'p99')), ratio(totalCpu(setup.key, which), totalCpu(FSYNC_REFERENCE, which))]
          : []),
      ]);
    }
  }

  const targetReaders = plan.readers.includes(100) ? 100 : plan.readers[plan.readers.length - 1]!;
  const tandemP99 = figure('tandem', targetReaders, 'p99');
  const hocuspocusP99 = figure(REFERENCE, targetReaders, 'p99');
  const tandemCpu = figure('tandem', targetReaders, 'cpuMicrosPerEdit');
  const yWebsocketCpu = figure('y-websocket', targetReaders, 'cpuMicrosPerEdit');
  const measured = (...values: number[]) => values.every(Number.isFinite);
  const targets: Target[] = postgres ? [] : [
    {
      text:
        `Tandem reader p99 with ${targetReaders} readers ≤ 0.75× stock Hocuspocus (defaults, flushDelay 0) → ` +
        (measured(tandemP99, hocuspocusP99) ? `${tandemP99.toFixed(2)} ms vs ${hocuspocusP99.toFixed(2)} ms = ${ratio(tandemP99, hocuspocusP99)}` : 'not measured'),
      met: measured(tandemP99, hocuspocusP99) ? tandemP99 <= 0.75 * hocuspocusP99 : null,
    },
    {
      text:
        `Tandem server CPU per edit with ${targetReaders} readers ≤ the y-websocket server's → ` +
        (measured(tandemCpu, yWebsocketCpu) ? `${tandemCpu.toFixed(0)} µs vs ${yWebsocketCpu.toFixed(0)} µs = ${ratio(tandemCpu, yWebsocketCpu)}` : 'not measured'),
      met: measured(tandemCpu, yWebsocketCpu) ? tandemCpu <= yWebsocketCpu : null,
    },
  ];
  // --store postgres keeps the LevelDB run's charts (docs/charts/fan-out-*.svg) and writes its own.
  const chartPrefix = postgres ? 'fan-out-postgres' : 'fan-out';

  const charts: Chart[] = [];
  const chart = async (file: string, title: string, field: keyof Measure, yLabel: string, logY: boolean) => {
    const svg = lineChart({
      title,
      xLabel: 'readers on one document',
      yLabel,
      logX: true,
      logY,
      xTicks: plan.readers,
      markers: true,
      series: servers.map((setup) => ({ name: setup.key, points: plan.readers.map((r) => [r, figure(setup.key, r, field)] as const) })),
    });
    await writeFile(join(context.chartsDir, file), svg);
    charts.push({ file, title });
  };
  await chart(`${chartPrefix}-p99.svg`, 'Fan-out: reader latency p99 (edit sent → reader has it)', 'p99', 'p99 latency (ms)', true);
  await chart(`${chartPrefix}-p50.svg`, 'Fan-out: reader latency p50 (edit sent → reader has it)', 'p50', 'p50 latency (ms)', true);
  await chart(`${chartPrefix}-cpu.svg`, 'Fan-out: server CPU per edit', 'cpuMicrosPerEdit', 'server CPU per edit (µs, all threads; PostgreSQL not included)', true);

  return {
    method:
      `One writer process edits closed-loop (next edit once every reader has the last) one document read by ` +
      `${plan.readers.join(', ')} reader(s) spread over ${READER_GENERATORS} generator processes; ${plan.edits} measured edits ` +
      `(or ${plan.maxSeconds} s) after ${plan.warmupEdits} warm-up edits. Then ${docsLabel} clients (one closed-loop writer per ` +
      `document, its readers in the same generator) for ${plan.docs.seconds} s. Latency: writer's clock before the edit → ` +
      `reader's Y.Map observer, one host clock (timeOrigin + now). Median of ${context.runs} run(s), servers interleaved.`,
    header: [
      'server',
      'readers',
      'p50 ms',
      'p99 ms',
      'max ms',
      'server CPU µs/edit',
      ...(postgres ? ['PostgreSQL CPU µs/edit'] : []),
      'edits/s',
      'p99 vs Hocuspocus defaults',
      ...(postgres ? ['p99 vs LevelDB --fsync on', 'CPU with store vs LevelDB --fsync on'] : []),
    ],
    rows,
    targets,
    charts,
    notes: [
      ...(postgres
        ? [
            'Tandem on PostgreSQL: a local PostgreSQL 15 the bench starts (fsync and synchronous_commit on), a fresh database per ' +
              'server start. Closed-loop editing makes every edit its own transaction (one statement: log INSERT and metadata ' +
              'upsert, committed with a WAL fsync); readers get the edit when it is applied, before it is stored, so storage reaches ' +
              'their latency only through the CPU it takes on the shared cores. PostgreSQL CPU µs/edit: every PostgreSQL ' +
              "process (/proc, 10 ms ticks); \"CPU with store\" adds it to Tandem's own (LevelDB works inside Tandem's process).",
          ]
        : []),
      'Every edit inserts one character and stamps {seq, time} in a Y.Map, one transaction, one update message; each reader is a real provider (Hocuspocus protocol, or the stock y-websocket provider for the y-websocket server).',
      'Latency includes the readers\' own work: a generator process handles its readers\' messages one after another, so with hundreds of readers the last reader of a process waits for the others. Same clients for every server.',
      'Server CPU is the on-CPU time of all the server process\'s threads (/proc/<pid>/task/*/schedstat, ns resolution) during the measured edits, divided by edits; with many documents it spans the warm-up too.',
      `"max" is the median over runs of each run's maximum; p50/p99 from a 1%-precision histogram of every (edit, reader) delivery.`,
      ...(plan.readers.includes(1500)
        ? ['An outside anchor for 1,500 readers: y/hub publishes 1 writer → 1,500 readers at p99 44 ms and 14.4 µs per update per reader (on a laptop, its own clients); the µs per reader here is server CPU per edit ÷ readers.']
        : []),
    ],
  };
}
