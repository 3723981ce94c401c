// What a benchmark scenario is given and what it hands back to the runner (bench/run.ts).
import type { Cell } from './table.ts';
import type { BenchPostgres } from './postgres.ts';
import type { ServerSetup } from './servers.ts';

/** Where Tandem stores documents in the scenarios that compare stores (`--store`). */
export type StoreKind = 'leveldb' | 'postgres';

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
  /**
   * `--store postgres`: the scenarios that support it run Tandem on PostgreSQL beside Tandem on LevelDB
   * (fsync on and off) and their references; `leveldb` (the default) is the suite as before.
   */
  store: StoreKind;
  /** The run's PostgreSQL, with `--store postgres`. */
  postgres: BenchPostgres | undefined;
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

/** A further table after a scenario's main one (e.g. where PostgreSQL's time goes). */
export interface ResultTable {
  title: string;
  header: string[];
  rows: Cell[][];
  /** What the rows mean, printed under the table. */
  notes?: string[];
}

export interface ScenarioResult {
  /** One line on the method: what is driven, what is timed, how many runs. */
  method: string;
  header: string[];
  rows: Cell[][];
  tables?: ResultTable[];
  targets: Target[];
  charts: Chart[];
  /** Anything a reader needs to trust or read the figures (bounds, caveats). */
  notes: string[];
}

export interface Scenario {
  id: string;
  title: string;
  /** Runs with `--store postgres` (Tandem on PostgreSQL beside LevelDB); the others run only on LevelDB. */
  comparesStores?: boolean;
  run(context: BenchContext): Promise<ScenarioResult>;
}
