// The "saved never lies" scenarios, each self-contained and self-cleaning: the tests run each once, the soak loops them.
import { rm } from 'node:fs/promises';
import * as prng from 'lib0/prng';
import { startCpuBurners, type CpuBurners } from './cpu-burners.ts';
import { connectClient, type TestClient } from './providers.ts';
import {
  assertSameText,
  killAndRestart,
  readFromServer,
  replayTrace,
  resumeSending,
  stopSending,
  TEXT,
  waitForSaved,
  watchConnection,
  writeBurst,
  type SavedMoment,
} from './saved.ts';
import { exitWithin, killAndWait, startServerProcess, type ServerProcess } from './server-process.ts';
import { makeTempDir } from './server.ts';
import { loadTrace, type TRACE_NAMES, type TraceOp } from './traces.ts';

export type Log = (line: string) => void;
export type TraceName = (typeof TRACE_NAMES)[number];

/** The server's default per-socket limit (server/config.ts); the scenarios' time budgets follow it. */
export const DEFAULT_MAX_MESSAGES_PER_SECOND = 1_000;

/** Seed from TANDEM_TEST_SEED, else a fresh one; always printed so a failure replays. */
export function pickSeed(): number {
  return Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
}

export function replayHint(seed: number): string {
  return `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;
}

/** Time to wait for "saved" after sending `messages`: three times what the rate limit allows, plus slack. */
function savedBudgetMs(messages: number, perSecond: number): number {
  return Math.round((messages / perSecond) * 3_000) + 30_000;
}

export interface BurstScenarioOptions {
  seed: number;
  log: Log;
  bursts: number;
  burstSize: number;
  yieldEvery?: number;
  /** Server flags; the limit below must match any --max-messages-per-second among them. */
  serverArgs?: readonly string[];
  maxMessagesPerSecond?: number;
  /** SIGTERM the server during each burst and restart it on the same port and data dir. */
  restartMidBurst?: boolean;
}

/**
 * One provider writes `bursts` bursts of single-letter inserts. After each, at the instant it says saved, a
 * fresh provider must see exactly the writer's text; after the last, the writer is destroyed at that
 * instant, the server SIGKILLed and restarted, and the reloaded text must still be exactly that.
 */
export async function burstScenario(options: BurstScenarioOptions): Promise<void> {
  const { seed, log, bursts, burstSize, yieldEvery = 500, serverArgs = [], restartMidBurst = false } = options;
  const perSecond = options.maxMessagesPerSecond ?? DEFAULT_MAX_MESSAGES_PER_SECOND;
  const random = prng.create(seed);
  const hint = replayHint(seed);
  const documentName = `saved-burst-${seed}`;
  const dataDir = await makeTempDir('tandem-saved-');
  let server: ServerProcess | undefined;
  let writer: TestClient | undefined;
  try {
    server = await startServerProcess({ dataDir, args: serverArgs });
    writer = await connectClient(server.wsUrl, documentName);
    const watch = watchConnection(writer);
    let moment: SavedMoment | undefined;
    for (let burst = 1; burst <= bursts; burst += 1) {
      const started = performance.now();
      const before: ServerProcess = server;
      const onYield =
        restartMidBurst
          ? midBurstRestart(server, dataDir, serverArgs, burstSize, log, (next) => {
              server = next;
            })
          : undefined;
      await writeBurst(writer, { count: burstSize, yieldEvery, random, onYield });
      if (onYield && server === before) throw new Error('the server was not restarted during the burst');
      const written = performance.now();
      const client: TestClient = writer;
      moment = await waitForSaved(client, savedBudgetMs(burstSize, perSecond), `the writer after burst ${burst}`, () => stopSending(client));
      if (burst === bursts) writer.destroy();
      log(
        `burst ${burst}/${bursts}: ${burstSize} inserts in ${ms(written - started)}, said saved ${ms(moment.waitedMs)} later ` +
          `(${moment.text.length} characters; ${watch.summary()})`,
      );
      if (burst < bursts) {
        const onServer = await readFromServer(server.wsUrl, documentName);
        assertSameText(onServer, moment.text, `burst ${burst}: a fresh provider after the writer said saved and stopped; ${hint}`);
        await resumeSending(writer);
      }
    }
    server = await killAndRestart(server, dataDir, serverArgs);
    const reloaded = await readFromServer(server.wsUrl, documentName);
    assertSameText(reloaded, moment!.text, `after the last burst, SIGKILL and restart; ${hint}`);
    log(`after SIGKILL and restart: all ${reloaded.length} characters are there`);
  } finally {
    writer?.destroy();
    await killAndWait(server);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The burst's yield hook for a graceful restart: SIGTERM a quarter in, then hold the burst at the halfway
 * mark until a new server listens on the same port, so some inserts go out before the shutdown, some while
 * it drains, and the rest while the provider reconnects.
 */
function midBurstRestart(
  server: ServerProcess,
  dataDir: string,
  args: readonly string[],
  burstSize: number,
  log: Log,
  onRestarted: (next: ServerProcess) => void,
): (inserted: number) => Promise<void> {
  let signalled = false;
  let restarted = false;
  return async (inserted) => {
    if (!signalled && inserted >= burstSize / 4) {
      signalled = true;
      log(`SIGTERM after ${inserted} inserts`);
      server.kill('SIGTERM');
    }
    if (signalled && !restarted && inserted >= burstSize / 2) {
      restarted = true;
      const exit = await exitWithin(server, 30_000);
      if (exit.code !== 0) throw new Error(`graceful shutdown exited with code ${exit.code}, signal ${exit.signal}`);
      const next = await startServerProcess({ dataDir, port: server.port, args });
      onRestarted(next);
      log(`restarted on port ${next.port}; the burst goes on after ${inserted} inserts`);
    }
  };
}

export interface ContentionScenarioOptions {
  log: Log;
  /** What the provider under test replays. */
  trace: TraceName;
  /** Replayed over and over on other documents, to keep the server busy. */
  backgroundTrace: TraceName;
  /** How long the provider under test sits idle, connected, before its replay. */
  idleMs?: number;
  /** Busy processes beside the server (default: one per core). */
  burners?: number;
  serverArgs?: readonly string[];
  maxMessagesPerSecond?: number;
}

/**
 * Under CPU contention and a second replay, one provider idles, replays `trace`, and is destroyed at the
 * instant it says saved; after SIGKILL and restart the document must be exactly the trace's final text.
 */
export async function contentionScenario(options: ContentionScenarioOptions): Promise<void> {
  const { log, idleMs = 2_000, serverArgs = [] } = options;
  const perSecond = options.maxMessagesPerSecond ?? DEFAULT_MAX_MESSAGES_PER_SECOND;
  const trace = loadTrace(options.trace);
  const background = loadTrace(options.backgroundTrace);
  const documentName = `saved-contention-${trace.name}`;
  const dataDir = await makeTempDir('tandem-saved-');
  let server: ServerProcess | undefined;
  let writer: TestClient | undefined;
  let burners: CpuBurners | undefined;
  let stopBackground = false;
  let backgroundDone: Promise<number> | undefined;
  try {
    server = await startServerProcess({ dataDir, args: serverArgs });
    writer = await connectClient(server.wsUrl, documentName);
    const watch = watchConnection(writer);
    burners = await startCpuBurners(options.burners);
    backgroundDone = replayInBackground(server.wsUrl, background.ops, () => stopBackground);
    log(`${burners.count} CPU burners and a background replay of ${background.name} started; idling ${idleMs} ms`);
    // Not a wait for a condition: the idle period is part of the scenario.
    await new Promise((resolve) => setTimeout(resolve, idleMs));

    const started = performance.now();
    await replayTrace(writer, trace.ops);
    const replayed = performance.now();
    assertSameText(writer.doc.getText(TEXT).toString(), trace.finalText, `the writer's own replay of ${trace.name}`);
    const client: TestClient = writer;
    const moment = await waitForSaved(client, savedBudgetMs(trace.ops.length, perSecond) * 2, `the ${trace.name} replay`, () =>
      stopSending(client),
    );
    writer.destroy();
    log(
      `${trace.name}: ${trace.ops.length} ops applied in ${ms(replayed - started)}, said saved ${ms(moment.waitedMs)} later ` +
        `(${watch.summary()})`,
    );
    stopBackground = true;
    server = await killAndRestart(server, dataDir, serverArgs);
    const rounds = await backgroundDone;
    await burners.stop();
    const reloaded = await readFromServer(server.wsUrl, documentName);
    assertSameText(reloaded, trace.finalText, `${trace.name} after saved, SIGKILL and restart`);
    log(`after SIGKILL and restart: ${trace.name} is whole (${reloaded.length} characters); ${rounds} background replays ran`);
  } finally {
    stopBackground = true;
    writer?.destroy();
    await burners?.stop();
    await backgroundDone?.catch(() => undefined);
    await killAndWait(server);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Replays `ops` on fresh documents, one after another, until `stopped()`; resolves with how many replays began.
 * Each replay starts once its provider has synced, as an editor's would. Updates streamed before the sync reply
 * reach the server ahead of what they build on, and Yjs re-merges its pending updates with every later one:
 * thousands of them cost quadratic CPU, which measures that, not contention (docs/benchmarks.md, "Bugs found while benchmarking", 3).
 */
async function replayInBackground(wsUrl: string, ops: readonly TraceOp[], stopped: () => boolean): Promise<number> {
  let rounds = 0;
  while (!stopped()) {
    rounds += 1;
    let client: TestClient | undefined;
    try {
      client = await connectClient(wsUrl, `saved-background-${rounds}`);
      await replayTrace(client, ops, { stopped });
    } finally {
      client?.destroy();
    }
  }
  return rounds;
}

export interface LongReplayOptions {
  log: Log;
  trace: TraceName;
  /** The server's per-socket limit; the replay must not exceed what it admits without a disconnect. */
  maxMessagesPerSecond?: number;
}

export interface LongReplayResult {
  ops: number;
  seconds: number;
  /** Updates acknowledged per second, from the first insert until "saved". */
  rate: number;
}

/**
 * One provider, one socket, the whole trace against default limits: no disconnect and no close at all,
 * "saved" at the end, and after SIGKILL and restart the document is exactly the trace's final text.
 */
export async function longReplayScenario(options: LongReplayOptions): Promise<LongReplayResult> {
  const { log } = options;
  const perSecond = options.maxMessagesPerSecond ?? DEFAULT_MAX_MESSAGES_PER_SECOND;
  const serverArgs = options.maxMessagesPerSecond ? ['--max-messages-per-second', String(perSecond)] : [];
  const trace = loadTrace(options.trace);
  const documentName = `saved-long-${trace.name}`;
  const dataDir = await makeTempDir('tandem-saved-');
  let server: ServerProcess | undefined;
  let writer: TestClient | undefined;
  try {
    server = await startServerProcess({ dataDir, args: serverArgs });
    writer = await connectClient(server.wsUrl, documentName);
    const watch = watchConnection(writer);
    const started = performance.now();
    await replayTrace(writer, trace.ops);
    log(`${trace.name}: ${trace.ops.length} ops handed to the provider in ${ms(performance.now() - started)}`);
    const client: TestClient = writer;
    const moment = await waitForSaved(client, savedBudgetMs(trace.ops.length, perSecond), `the ${trace.name} replay`, () => {
      watch.stop();
      stopSending(client);
    });
    writer.destroy();
    const seconds = (performance.now() - started) / 1000;
    const rate = trace.ops.length / seconds;
    log(`said saved after ${seconds.toFixed(1)} s: ${Math.round(rate)} updates/s against a limit of ${perSecond}/s (${watch.summary()})`);
    if (watch.disconnects !== 0 || watch.closes.length !== 0) {
      throw new Error(`the single socket must never drop during the replay: ${watch.summary()}`);
    }
    // Lossless throttling should pace the replay at about the limit; far below it the server is not keeping up.
    if (rate < perSecond / 2) throw new Error(`${Math.round(rate)} updates/s is less than half the limit of ${perSecond}/s`);
    server = await killAndRestart(server, dataDir, serverArgs);
    const reloaded = await readFromServer(server.wsUrl, documentName);
    assertSameText(reloaded, trace.finalText, `${trace.name} after saved, SIGKILL and restart`);
    if (moment.text !== trace.finalText) throw new Error(`the writer's own replay of ${trace.name} differs from the trace`);
    return { ops: trace.ops.length, seconds, rate };
  } finally {
    writer?.destroy();
    await killAndWait(server);
    await rm(dataDir, { recursive: true, force: true });
  }
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
