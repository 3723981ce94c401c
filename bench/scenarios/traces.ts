// Trace replay: every editing trace of test/fixtures/traces, each replayed by one writer process into a server
// and followed by one reader process; wall time until the reader has the trace's text and every update is acked.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTrace, TRACE_NAMES, TRACES_DIR } from '../../test/helpers/traces.ts';
import { expectedAfter, type ExpectedDocument } from '../lib/expected.ts';
import { availableServers } from '../lib/native.ts';
import { runReplay, type ReplayRun } from '../lib/replay.ts';
import type { Scenario } from '../lib/scenario.ts';
import { median } from '../lib/stats.ts';
import { formatNumber, type Cell } from '../lib/table.ts';

// Hocuspocus with its defaults is left out: at ≈ 2,000 updates/s it would take most of the suite's time here, and
// the ingest scenario already measures it on the longest trace.
const SERVERS = ['tandem', 'hocuspocus-no-batching', 'y-websocket'];
const QUICK_SERVERS = ['tandem', 'hocuspocus-no-batching'];
const LONG_TRACE = 'automerge-paper';

type TraceName = (typeof TRACE_NAMES)[number];

export const traceReplay: Scenario = {
  id: 'traces',
  title: 'Trace replay',
  async run(context) {
    // The manifest also lists concurrent traces, kept only in their original form (not copied into Tandem).
    const manifest = JSON.parse(await readFile(join(TRACES_DIR, 'manifest.json'), 'utf8')) as Record<string, { opsFile?: string }>;
    const replayable = Object.keys(manifest).filter((name): name is TraceName => manifest[name]!.opsFile !== undefined && TRACE_NAMES.includes(name as TraceName));
    const names = context.quick ? replayable.filter((name) => name !== LONG_TRACE) : replayable;
    const skipped = Object.keys(manifest).filter((name) => !replayable.includes(name as TraceName));
    const expected = new Map<TraceName, ExpectedDocument>();
    for (const name of names) {
      const trace = loadTrace(name);
      expected.set(name, expectedAfter(trace, trace.ops.length));
    }

    const { setups, unavailable } = await availableServers(context, context.quick ? QUICK_SERVERS : SERVERS);
    const failures = new Map<string, string>(unavailable);
    const results = new Map<string, ReplayRun[]>();
    const key = (server: string, trace: string) => `${server}\u0000${trace}`;

    // One fresh server per run replays every trace into its own document; servers are interleaved across runs.
    for (let run = 1; run <= context.runs; run += 1) {
      for (const setup of setups) {
        if (failures.has(setup.key)) continue;
        const dataDir = join(context.workDir, `${setup.key}-${run}`);
        try {
          await mkdir(dataDir, { recursive: true });
          const server = await setup.start(dataDir, { profileDir: context.profileDir, tandemMain: context.tandemMain });
          try {
            for (const name of names) {
              const result = await runReplay(server, { trace: name, documentName: name, expected: expected.get(name)!, timeoutMs: 1_200_000 });
              const runs = results.get(key(setup.key, name)) ?? [];
              runs.push(result);
              results.set(key(setup.key, name), runs);
              context.progress(
                `run ${run}/${context.runs} ${setup.key.padEnd(22)} ${name.padEnd(20)} ${formatNumber(doneMs(result)).padStart(7)} ms ` +
                  `(text equal ${formatNumber(result.textEqualMs)} ms${result.ackedMs === null ? '' : `, acked ${formatNumber(result.ackedMs)} ms`}; ` +
                  `server ${result.serverCpuMicrosPerUpdate ?? '?'} µs/update)`,
              );
            }
          } finally {
            await server.stop();
          }
        } catch (error) {
          context.progress(`${setup.key} failed, left out of this scenario: ${(error as Error).message}`);
          failures.set(setup.key, (error as Error).message.split('\n')[0]!);
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      }
    }

    // Tandem first, then the references in the suite's order.
    const shown = context.servers(context.quick ? QUICK_SERVERS : SERVERS).sort((a, b) => Number(b.tandem) - Number(a.tandem));
    const tandemShown = shown.some((setup) => setup.key === 'tandem');
    const references = shown.filter((setup) => setup.key !== 'tandem');
    const figure = (server: string, trace: string) => {
      const runs = results.get(key(server, trace));
      return runs && !failures.has(server) ? median(runs.map(doneMs)) : Number.NaN;
    };
    const rows: Cell[][] = names.map((name) => [
      name,
      expected.get(name)!.ops,
      ...shown.map((setup) => figure(setup.key, name) / 1000),
      ...(tandemShown ? references.map((setup) => speedUp(figure(setup.key, name), figure('tandem', name))) : []),
      ...shown.map((setup) => {
        const runs = results.get(key(setup.key, name));
        return runs && !failures.has(setup.key) ? median(runs.map((r) => r.serverCpuMicrosPerUpdate ?? Number.NaN)) : Number.NaN;
      }),
    ]);

    const notes = [
      "Time: writer's first op → the reader process's text has the trace's SHA-256 and (Hocuspocus' protocol) every update " +
        'is acknowledged, whichever is later. "Tandem faster" is the reference\'s time ÷ Tandem\'s (above 1: Tandem is faster). ' +
        'µs/update: server CPU time per update over the same span.',
      'Every op is its own Yjs transaction and update message, as in the ingest scenario; the traces that grouped several ' +
        'patches into one source transaction (clownschool, json-crdt-*, sveltecomponent) are replayed op by op. ' +
        'Each run starts each server afresh and replays every trace into its own document, one after another.',
    ];
    if (skipped.length > 0) notes.push(`Not replayed: ${skipped.join(', ')} (concurrent histories kept only in their original form, not in test/fixtures).`);
    if (context.quick) notes.push(`--quick: the ${names.length} small traces only, on ${QUICK_SERVERS.join(' and ')}.`);
    for (const [server, reason] of failures) notes.push(`${server}: not measured (${reason}).`);

    return {
      method: `${names.length} editing traces, one writer and one reader process per replay; median of ${context.runs} run(s), servers interleaved`,
      header: [
        'trace',
        'ops',
        ...shown.map((setup) => `${setup.key} (s)`),
        ...(tandemShown ? references.map((setup) => `Tandem faster vs ${setup.key}`) : []),
        ...shown.map((setup) => `${setup.key} µs/update`),
      ],
      rows,
      targets: [],
      charts: [],
      notes,
    };
  },
};

/** First op → text equal and (where there are acks) every update acknowledged. */
function doneMs(run: ReplayRun): number {
  return Math.max(run.textEqualMs, run.ackedMs ?? 0);
}

function speedUp(referenceMs: number, tandemMs: number): string {
  return Number.isFinite(referenceMs) && Number.isFinite(tandemMs) && tandemMs > 0 ? `${(referenceMs / tandemMs).toFixed(2)}×` : '–';
}
