// One trace replayed into one server: a writer process streams it, a reader process follows; timed until the
// reader's text equals the trace's text (and, over Hocuspocus' protocol, until every update is acknowledged).
import { join } from 'node:path';
import { spawnNode, type NodeChild } from './child.ts';
import { processCpuMs } from './cpu.ts';
import type { ExpectedDocument } from './expected.ts';
import { REPO_ROOT, type RunningServer } from './servers.ts';

export interface ReplayRun {
  ops: number;
  /** First op → the reader's text equals the expected text (without a follower: every update acknowledged). */
  textEqualMs: number;
  /** First op → every update acknowledged; null where the protocol has no acks (y-websocket). */
  ackedMs: number | null;
  /** First op → the writer made its last edit. */
  sentMs: number;
  /** Updates per second, first op → the reader's text equal. */
  updatesPerSecond: number;
  peakUnacknowledged: number | null;
  /** Server CPU time (all threads) per update, first op → done: steadier than wall time on a shared machine. */
  serverCpuMicrosPerUpdate: number | null;
  /** Share of one core each process used between the first op and done. */
  serverCpuPercent: number | null;
  writerCpuPercent: number | null;
  readerCpuPercent: number | null;
}

export interface ReplayOptions {
  trace: string;
  documentName: string;
  expected: ExpectedDocument;
  /** Upper bound for the whole replay (a stock Hocuspocus with defaults takes minutes for a long trace). */
  timeoutMs: number;
  /** The writer sends the trace's result as one update instead of op by op (fills storage fast). */
  oneUpdate?: boolean;
  /**
   * false: no reader follows; done = every update acknowledged (issue 2's measure, Hocuspocus' protocol
   * only), and a reader checks the text afterwards. Default true.
   */
  follow?: boolean;
  /** Told when the measured span starts (before the first op) and ends (with the server's CPU reading). */
  probe?: ReplayProbe;
}

/** Something measured over the same span as the server's CPU (e.g. PostgreSQL's activity). */
export interface ReplayProbe {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function runReplay(server: RunningServer, options: ReplayOptions): Promise<ReplayRun> {
  const { expected, documentName } = options;
  const common = ['--protocol', server.protocol, '--url', server.wsUrl, '--doc', documentName];
  const follow = options.follow ?? true;
  if (!follow && server.protocol !== 'hocuspocus') throw new Error('a replay without a reader needs acknowledgements (Hocuspocus\' protocol)');
  const children: NodeChild[] = [];
  const startReader = async () => {
    const reader = spawnNode(join(REPO_ROOT, 'bench/reader.ts'), [...common, '--length', String(expected.textLength), '--sha256', expected.sha256]);
    children.push(reader);
    return { reader, synced: await reader.waitForLine((line) => line.msg === 'synced', 60_000, 'the reader to sync') };
  };
  try {
    const following = follow ? await startReader() : null;
    const writer = spawnNode(join(REPO_ROOT, 'bench/trace-writer.ts'), [
      ...common,
      '--trace', options.trace,
      '--ops', String(expected.ops),
      ...(options.oneUpdate ? ['--one-update'] : []),
    ]);
    children.push(writer);
    await writer.waitForLine((line) => line.msg === 'ready', 60_000, 'the writer to sync');

    const pids = [server.child, writer].map((child) => child.process.pid);
    await options.probe?.start();
    const cpuBefore = pids.map(processCpuMs);
    writer.process.kill('SIGUSR2');
    // The server must not die mid-run (the clients' waits would only time out); the writer's and the
    // reader's exits already fail their waits.
    const serverDied = server.child.exited.then((code) => {
      throw new Error(`${server.label} exited (code ${code}) during the replay\n${server.child.stderr().slice(-3000)}`);
    });
    serverDied.catch(() => undefined);
    const writerDone = writer.waitForLine(
      (line) => line.msg === (server.protocol === 'hocuspocus' ? 'acknowledged' : 'sent'),
      options.timeoutMs,
      server.protocol === 'hocuspocus' ? 'every update acknowledged' : 'the last op sent',
    );
    const waitForText = (reader: NodeChild, timeoutMs: number) =>
      reader.waitForLine((line) => line.msg === 'result', timeoutMs, "the reader's text to equal the trace's");
    const readerDone = following ? waitForText(following.reader, options.timeoutMs) : null;
    await Promise.race([Promise.all([writerDone, readerDone]), serverDied]);
    const cpuAfter = pids.map(processCpuMs);
    await options.probe?.stop();
    // Without a follower, a fresh reader checks the stored text (while the writer is still connected: stock
    // Hocuspocus forgets a document once its last client leaves).
    const checked = following ? null : await startReader();
    if (checked) await Promise.race([waitForText(checked.reader, 60_000), serverDied]);

    const sent = await writer.waitForLine((line) => line.msg === 'sent', 0, 'sent');
    const acked = writer.lines.find((line) => line.msg === 'acknowledged');
    const startedAt = Number(sent.startedAt);
    const ackedMs = acked ? Number(acked.ackedAt) - startedAt : null;
    const readerResult = readerDone ? await readerDone : null;
    const textEqualMs = readerResult ? Number(readerResult.doneAt) - startedAt : ackedMs!;
    // CPU is read once both are done, so the shares are of that span.
    const doneMs = Math.max(textEqualMs, ackedMs ?? 0);
    const cpuMs = pids.map((_, index) => (cpuBefore[index] == null || cpuAfter[index] == null ? null : cpuAfter[index]! - cpuBefore[index]!));
    const percent = (ms: number | null) => (ms === null ? null : Math.round((ms / doneMs) * 100));
    return {
      ops: expected.ops,
      textEqualMs: round(textEqualMs),
      ackedMs: ackedMs === null ? null : round(ackedMs),
      sentMs: round(Number(sent.sentAt) - startedAt),
      updatesPerSecond: Math.round(expected.ops / (Math.max(textEqualMs, follow ? 0 : ackedMs!) / 1000)),
      peakUnacknowledged: acked ? Number(acked.peakUnacknowledged) : null,
      serverCpuMicrosPerUpdate: cpuMs[0] == null ? null : round((cpuMs[0] * 1000) / expected.ops),
      serverCpuPercent: percent(cpuMs[0] ?? null),
      writerCpuPercent: percent(cpuMs[1] ?? null),
      readerCpuPercent: readerResult && following ? percent(Number(readerResult.cpuMs) - Number(following.synced.cpuMs)) : null,
    };
  } finally {
    await Promise.all(children.map((child) => child.stop('SIGTERM', 10_000)));
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
