// Scale: thousands of connections over hundreds of documents, an edit and an awareness update per document
// every second (idle clients renew their awareness every 15 s, as providers do); delivery latency over time
// and dropped connections.
//
// BENCH_SCALE_SECONDS=120 npm run bench -- --only scale    a shorter full-size run (default 600 s on every server)
// BENCH_SCALE_AWARENESS=connection npm run bench -- --only scale    stress: every client's awareness every second
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine } from '../lib/child.ts';
import { processCpuMs } from '../lib/cpu.ts';
import { Histogram, type HistogramData } from '../lib/histogram.ts';
import { processRssBytes } from '../lib/rss.ts';
import type { BenchContext, Chart, Scenario, Target } from '../lib/scenario.ts';
import { REPO_ROOT, type ServerSetup } from '../lib/servers.ts';
import { lineChart, type Series } from '../lib/svg-chart.ts';
import { ratio, type Cell } from '../lib/table.ts';
import { clockMs } from '../load/clock.ts';
import { Generator, split } from '../load/generator.ts';

const CLIENTS_PER_GENERATOR = 1000;
const TARGET_P99_MS = 100;

interface Plan {
  connections: number;
  docs: number;
  /** Seconds of load on Tandem. */
  seconds: number;
  /** Seconds of load on each reference server; 0 leaves them out. */
  referenceSeconds: number;
  /** Who updates awareness each second: each document's editor, or every connection (a stress variant). */
  awarenessPer: 'document' | 'connection';
}

function plan(context: BenchContext): Plan {
  const awarenessPer = process.env.BENCH_SCALE_AWARENESS ?? 'document';
  if (awarenessPer !== 'document' && awarenessPer !== 'connection') throw new Error('BENCH_SCALE_AWARENESS must be document or connection');
  if (context.quick) return { connections: 500, docs: 50, seconds: 15, referenceSeconds: 0, awarenessPer };
  const seconds = Number(process.env.BENCH_SCALE_SECONDS ?? 600);
  if (!Number.isFinite(seconds) || seconds < 5) throw new Error('BENCH_SCALE_SECONDS must be a number ≥ 5');
  // Every server for the same time: a tail that grows with the heap shows only in runs of equal length.
  return { connections: 5000, docs: 500, seconds, referenceSeconds: seconds, awarenessPer };
}

interface Second {
  /** Seconds since the load started (negative while connecting). */
  at: number;
  open: number;
  p50: number;
  p99: number;
}

interface Outcome {
  setup: ServerSetup;
  seconds: number;
  rampSeconds: number;
  edits: Histogram;
  awareness: Histogram;
  all: Histogram;
  lag: Histogram;
  delivered: number;
  expected: number;
  dropped: number;
  cpuPercent: number;
  /** Server CPU per delivery seen by a client (edits and awareness), in µs. */
  cpuMicrosPerDelivery: number;
  peakRssMB: number;
  timeline: Second[];
}

export const scale: Scenario = {
  id: 'scale',
  title: 'Scale',
  async run(context) {
    const size = plan(context);
    const setups = context.servers(size.referenceSeconds > 0 ? ['tandem', 'hocuspocus-default', 'y-websocket'] : ['tandem']);
    const generatorCount = Math.max(2, Math.ceil(size.connections / CLIENTS_PER_GENERATOR));
    const script = join(REPO_ROOT, 'bench/load/scale-worker.ts');
    const generators = Array.from({ length: generatorCount }, (_, i) => new Generator(`scale generator ${i}`, script));
    const outcomes: Outcome[] = [];
    try {
      for (const setup of setups) {
        const seconds = setup.tandem ? size.seconds : size.referenceSeconds;
        const outcome = await runScale(context, setup, generators, size, seconds);
        outcomes.push(outcome);
        context.progress(
          `${setup.key}: ${size.connections} connections, ${seconds} s: delivery p99 ${outcome.all.quantile(0.99).toFixed(1)} ms, ` +
            `max ${outcome.all.max.toFixed(0)} ms, ${outcome.dropped} dropped`,
        );
      }
    } finally {
      await Promise.all(generators.map((generator) => generator.stop()));
    }

    const rows: Cell[][] = outcomes.map((o) => [
      o.setup.name,
      o.seconds,
      o.edits.quantile(0.5),
      o.edits.quantile(0.99),
      o.awareness.quantile(0.5),
      o.awareness.quantile(0.99),
      o.all.quantile(0.99),
      o.all.max,
      `${((100 * o.delivered) / o.expected).toFixed(2)}%`,
      o.dropped,
      o.cpuPercent,
      o.cpuMicrosPerDelivery,
      o.peakRssMB,
      o.lag.quantile(0.99),
    ]);
    const tandem = outcomes.find((o) => o.setup.key === 'tandem');
    const targets: Target[] = [
      {
        text: `Tandem delivery p99 ≤ ${TARGET_P99_MS} ms → ${tandem ? `${tandem.all.quantile(0.99).toFixed(1)} ms (max ${tandem.all.max.toFixed(0)} ms)` : 'not measured'}`,
        met: tandem ? tandem.all.quantile(0.99) <= TARGET_P99_MS : null,
      },
      {
        text: `Tandem: no connection dropped → ${tandem ? `${tandem.dropped} of ${size.connections} dropped` : 'not measured'}`,
        met: tandem ? tandem.dropped === 0 : null,
      },
      ...againstYWebsocket(tandem, outcomes.find((o) => o.setup.key === 'y-websocket')),
    ];
    const charts = await writeCharts(context, outcomes, size);
    return {
      method:
        `${size.connections} wire-level clients (bench/load/lean-client.ts) over ${size.docs} documents (${size.connections / size.docs} per document), from ` +
        `${generatorCount} generator processes; every document gets one edit per second (its clients take turns) and ` +
        (size.awarenessPer === 'document'
          ? 'one awareness update (the editor\'s cursor, half a second later), and every client renews its awareness every 15 s as providers do'
          : 'every client updates its awareness once per second (BENCH_SCALE_AWARENESS=connection)') +
        `, spread evenly over the second. Tandem for ${size.seconds} s` +
        (size.referenceSeconds > 0 ? `, each reference for ${size.referenceSeconds} s` : ', no references (--quick)') +
        `; one run each. Delivery: sender's clock at the send → each other client of the document has it (one host clock).`,
      header: [
        'server', 'seconds', 'edit p50 ms', 'edit p99 ms', 'awareness p50 ms', 'awareness p99 ms', 'delivery p99 ms', 'max ms',
        'delivered', 'dropped', 'server CPU %', 'server CPU µs/delivery', 'peak RSS MB', 'generator lag p99 ms',
      ],
      rows,
      targets,
      charts,
      notes: [
        'One long run per server, not a median of runs: the figures are percentiles over every delivery of the run (1%-precision histograms).',
        '"delivery" counts edits and awareness updates together; "delivered" is deliveries seen ÷ (sends × other clients of the document), 2 s after the last send.',
        '"generator lag" is how late the load generators sent against their schedule: sends are stamped when they go out, so a lagging generator would hide server delay; it stays low when the generators keep up.',
        'Server CPU % is user + system time of the server process over the load period, 100% = one core; "µs/delivery" divides it by the deliveries clients saw (the server\'s main thread must stay under 1 s of CPU per second: with every client\'s awareness each second, 5,000 clients make ≈ 49,500 deliveries/s, ≈ 20 µs each). Peak RSS is the highest VmRSS sampled each second.',
        'Clients are wire-level (the Hocuspocus or y-websocket protocol over `ws`, a Y.Doc per client for edits, awareness entries decoded without y-protocols\' Awareness): providers cost tens of µs per awareness message and the generators, not the server, would be measured. Hocuspocus closes sockets silent for 30 s, so before and after the load a tenth of the clients resend their awareness each second.',
        'Latency includes the clients\' own work; the generators share the 2 cores with the server.',
      ],
    };
  },
};

async function runScale(context: BenchContext, setup: ServerSetup, generators: Generator[], size: Plan, seconds: number): Promise<Outcome> {
  const server = await setup.start(join(context.workDir, setup.key), { profileDir: context.profileDir, tandemMain: context.tandemMain });
  const pid = server.child.process.pid;
  const windows: LogLine[] = [];
  const unsubscribe = generators.map((generator, index) => generator.on('window', (line) => windows.push({ ...line, generator: index })));
  let peakRss = processRssBytes(pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, processRssBytes(pid))), 1000);
  try {
    const rampStarted = clockMs();
    const perDoc = size.connections / size.docs;
    await Promise.all(
      split(size.docs, generators.length).map(([start, end], i) =>
        generators[i]!.request(
          'open',
          {
            protocol: setup.protocol,
            url: server.wsUrl,
            docs: Array.from({ length: end - start }, (_, d) => `scale-${start + d}`),
            clientsPerDoc: perDoc,
            firstDoc: start,
            totalDocs: size.docs,
          },
          600_000,
        ),
      ),
    );
    const at = Math.ceil(clockMs() / 1000) * 1000 + 1000;
    const rampSeconds = (at - rampStarted) / 1000;
    context.progress(`${setup.key}: ${size.connections} connections open after ${rampSeconds.toFixed(1)} s; ${seconds} s of load`);
    const cpuBefore = processCpuMs(pid);
    const results = await Promise.all(generators.map((generator) => generator.request('start', { at, seconds, awarenessPer: size.awarenessPer }, (seconds + 120) * 1000)));
    const cpuMs = (processCpuMs(pid) ?? Number.NaN) - (cpuBefore ?? Number.NaN);
    const sum = (field: string) => results.reduce((total, line) => total + Number(line[field]), 0);

    const bySecond = Map.groupBy(windows, (line) => Number(line.at));
    // A generator too busy to report one second keeps its last count of open connections.
    const lastOpen = new Map<number, number>();
    const timeline: Second[] = [...bySecond.keys()]
      .sort((a, b) => a - b)
      .map((second) => {
        const lines = bySecond.get(second)!;
        for (const line of lines) lastOpen.set(Number(line.generator), Number(line.open));
        const merged = Histogram.from(lines.flatMap((line) => [line.edits as HistogramData, line.awareness as HistogramData]));
        const open = [...lastOpen.values()].reduce((total, count) => total + count, 0);
        return { at: (second - at) / 1000, open, p50: merged.quantile(0.5), p99: merged.quantile(0.99) };
      });
    const edits = Histogram.from(windows.map((line) => line.edits as HistogramData));
    const awareness = Histogram.from(windows.map((line) => line.awareness as HistogramData));
    return {
      setup,
      seconds,
      rampSeconds,
      edits,
      awareness,
      all: Histogram.from([edits.toJSON(), awareness.toJSON()]),
      lag: Histogram.from(results.map((line) => line.lag as HistogramData)),
      delivered: sum('editsReceived') + sum('awarenessReceived'),
      expected: sum('editsExpected') + sum('awarenessExpected'),
      dropped: sum('dropped'),
      cpuPercent: (100 * cpuMs) / (seconds * 1000),
      cpuMicrosPerDelivery: (cpuMs * 1000) / (sum('editsReceived') + sum('awarenessReceived')),
      peakRssMB: peakRss / 2 ** 20,
      timeline,
    };
  } finally {
    clearInterval(sampler);
    for (const off of unsubscribe) off();
    await Promise.all(generators.map((generator) => generator.request('close')));
    await server.stop();
  }
}

async function writeCharts(context: BenchContext, outcomes: Outcome[], size: Plan): Promise<Chart[]> {
  const charts: Chart[] = [];
  const write = async (file: string, title: string, svg: string) => {
    await writeFile(join(context.chartsDir, file), svg);
    charts.push({ file, title });
  };
  const loaded = (o: Outcome) => o.timeline.filter((s) => s.at > 0 && s.at <= o.seconds + 1);
  const latency: Series[] = outcomes.flatMap((o) => [
    { name: `${o.setup.key} p99`, points: loaded(o).map((s) => [s.at, s.p99] as const), dashed: !o.setup.tandem },
    ...(o.setup.tandem ? [{ name: `${o.setup.key} p50`, points: loaded(o).map((s) => [s.at, s.p50] as const) }] : []),
  ]);
  await write(
    'scale-latency.svg',
    `Scale: delivery latency per second (${size.connections} connections, ${size.docs} documents)`,
    lineChart({
      title: `Scale: delivery latency per second, ${size.connections.toLocaleString('en-US')} connections over ${size.docs} documents`,
      xLabel: 'seconds of load',
      yLabel: 'delivery latency (ms, edits + awareness)',
      logY: true,
      series: latency,
    }),
  );
  await write(
    'scale-connections.svg',
    `Scale: open connections (${size.connections} connections)`,
    lineChart({
      title: `Scale: open connections (connecting from t < 0, load from t = 0)`,
      xLabel: 'seconds since the load started',
      yLabel: 'open connections',
      series: outcomes.map((o) => ({ name: o.setup.key, points: o.timeline.filter((s) => s.at <= o.seconds + 1).map((s) => [s.at, s.open] as const), dashed: !o.setup.tandem })),
    }),
  );
  return charts;
}

/** The hot-path issue's targets against the y-websocket server loaded for as long: p99 ≤ 2×, CPU per delivery ≤ 1.0×. */
function againstYWebsocket(tandem: Outcome | undefined, yWebsocket: Outcome | undefined): Target[] {
  const both = tandem && yWebsocket && tandem.seconds === yWebsocket.seconds ? { tandem, yWebsocket } : null;
  const p99 = (o: Outcome) => o.all.quantile(0.99);
  return [
    {
      text:
        'Tandem delivery p99 ≤ 2× the y-websocket server\'s over the same duration → ' +
        (both ? `${p99(both.tandem).toFixed(1)} vs ${p99(both.yWebsocket).toFixed(1)} ms = ${ratio(p99(both.tandem), p99(both.yWebsocket))}` : 'not measured'),
      met: both ? p99(both.tandem) <= 2 * p99(both.yWebsocket) : null,
    },
    {
      text:
        'Tandem server CPU per delivery ≤ the y-websocket server\'s → ' +
        (both
          ? `${both.tandem.cpuMicrosPerDelivery.toFixed(1)} vs ${both.yWebsocket.cpuMicrosPerDelivery.toFixed(1)} µs = ${ratio(both.tandem.cpuMicrosPerDelivery, both.yWebsocket.cpuMicrosPerDelivery)}`
          : 'not measured'),
      met: both ? both.tandem.cpuMicrosPerDelivery <= both.yWebsocket.cpuMicrosPerDelivery : null,
    },
  ];
}
