// What a benchmark scenario is given and what it hands back to the runner (bench/run.ts).
import type { Cell } from './table.ts';
import type { ServerSetup } from './servers.ts';

export interface BenchContext {
  /** `--quick`: a small slice of every scenario, the whole suite under 2 minutes. */
  quick: boolean;
  /** Runs per figure (median); at least 3 in a full run. */
  runs: number;
  /** The setups of `keys` that `--servers` allows, in the suite's report order. */
  servers(keys: readonly string[]): ServerSetup[];
  /** Scratch directory for this scenario, removed after the suite. */
  workDir: string;
  /** Where SVG charts go (docs/charts when writing the docs, a temp dir otherwise). */
  chartsDir: string;
  /** `--profile DIR`: V8 CPU profiles of the server processes. */
  profileDir: string | undefined;
  /** `--tandem-main FILE`: Tandem from another checkout, for A/B runs. */
  tandemMain: string | undefined;
  /** A progress line on stderr, prefixed with the suite's elapsed time. */
  progress(message: string): void;
}

export interface Target {
  /** What the target asks and what was measured, e.g. "ingest ≥ 1.0× y-websocket → 1.12×". */
  text: string;
  /** null: not measured in this run (e.g. a server was left out, or --quick skipped it). */
  met: boolean | null;
}

export interface Chart {
  /** File name inside chartsDir, e.g. "fan-out-latency.svg". */
  file: string;
  title: string;
}

export interface ScenarioResult {
  /** One line on the method: what is driven, what is timed, how many runs. */
  method: string;
  header: string[];
  rows: Cell[][];
  targets: Target[];
  charts: Chart[];
  /** Anything a reader needs to trust or read the figures (bounds, caveats). */
  notes: string[];
}

export interface Scenario {
  id: string;
  title: string;
  run(context: BenchContext): Promise<ScenarioResult>;
}
