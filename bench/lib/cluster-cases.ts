// The cluster scenario's measurements, each on a running three-instance cluster (lib/cluster.ts) with clients in
// three generator processes (load/cluster-worker.ts): cross-instance delivery, memory with one large document
// open everywhere, acknowledged ingest through a relay, and failover after a SIGKILL of the owner.
import { setTimeout as delay } from 'node:timers/promises';
import { Histogram, type HistogramData } from './histogram.ts';
import type { BenchCluster } from './cluster.ts';
import type { ExpectedDocument } from './expected.ts';
import type { BenchPostgres } from './postgres.ts';
import { runReplay, type ReplayRun } from './replay.ts';
import { median } from './stats.ts';
import { clockMs } from '../load/clock.ts';
import type { Generator } from '../load/generator.ts';

/** Where a measurement's clients sit: instance indexes, the first to open the document listed first. */
export interface Placement {
  writer: number;
  readers: number[];
  /** The instance whose client opens the document first: with Tandem it claims the lease and owns it. */
  first: number;
}

export interface DeliveryMeasure {
  /** Every (edit, reader) delivery: writer's clock before the edit → the reader's observer. */
  histogram: Histogram;
  /** Edit → the writer's "saved" acknowledgement. */
  ack: Histogram;
  /** Edits that went out more than one interval late (the writer process could not keep the rate). */
  late: number;
  /** CPU per edit: the three instances together, Redis, PostgreSQL (µs). */
  instancesCpuMicros: number;
  /** The same for each instance (index = instance). */
  instanceCpuMicros: number[];
  redisCpuMicros: number;
  postgresCpuMicros: number;
}

export interface DeliveryPlan {
  edits: number;
  rate: number;
  /** Ops of the trace put in the document first (one update from the writer, once every client has it open); typing goes on from there. */
  history?: number;
}

/** Opens a client of `doc` on each instance of `order` in turn (one generator each); returns their ids. */
async function openAll(cluster: BenchCluster, generators: Generator[], doc: string, order: { instance: number; generator: number; expectClose?: boolean }[]): Promise<Map<number, number>> {
  const ids = new Map<number, number>();
  for (const { instance, generator, expectClose } of order) {
    const reply = await generators[generator]!.request('open', { url: cluster.instance(instance).wsUrl, doc, expectClose: expectClose ?? false }, 300_000);
    ids.set(generator, Number(reply.client));
  }
  return ids;
}

/** Throws unless Tandem placed the document on `expected` (the reference has no owner). */
async function assertOwner(cluster: BenchCluster, doc: string, expected: number): Promise<void> {
  if (cluster.kind !== 'tandem') return;
  const owner = await cluster.ownerOf(doc);
  if (owner !== expected) throw new Error(`document ${doc} is owned by instance ${owner}, expected ${expected}`);
}

function cpuSnapshot(cluster: BenchCluster, postgres: BenchPostgres) {
  const { instances, redis } = cluster.cpuMs();
  return { each: instances, instances: instances.reduce((sum, ms) => sum + ms, 0), redis, postgres: postgres.cpuMs() ?? Number.NaN };
}

/**
 * One writer types the automerge-paper trace open loop at `plan.rate` edits/s; a reader on each other instance
 * records when each edit arrives. Generator 0 writes, 1 and 2 read.
 */
export async function measureDelivery(cluster: BenchCluster, postgres: BenchPostgres, generators: Generator[], doc: string, placement: Placement, plan: DeliveryPlan): Promise<DeliveryMeasure> {
  const roles = [
    { instance: placement.writer, generator: 0 },
    ...placement.readers.map((instance, i) => ({ instance, generator: i + 1 })),
  ].sort((a, b) => Number(b.instance === placement.first) - Number(a.instance === placement.first));
  const history = plan.history ?? 0;
  const ids = await openAll(cluster, generators, doc, roles);
  try {
    await assertOwner(cluster, doc, placement.first);
    if (history > 0) {
      await generators[0]!.request('prefill', { client: ids.get(0), trace: 'automerge-paper', ops: history }, 120_000);
      await waitForText(generators.slice(1, 1 + placement.readers.length), ids, await textLength(generators[0]!, ids.get(0)!));
    }
    const readers = generators.slice(1, 1 + placement.readers.length);
    await Promise.all(readers.map((generator, i) => generator.request('listen', { client: ids.get(i + 1) })));
    await Promise.all(readers.map((generator) => generator.request('reset')));
    const before = cpuSnapshot(cluster, postgres);
    const typed = await generators[0]!.request('type', { client: ids.get(0), trace: 'automerge-paper', from: history, count: plan.edits, rate: plan.rate }, (plan.edits / plan.rate) * 1000 + 180_000);
    // Every reader has every edit once the writer's last one is acknowledged… except on the reference, whose
    // readers may get it a Redis round trip later: wait until each has all.
    const deadline = clockMs() + 30_000;
    let collected = await Promise.all(readers.map((generator) => generator.request('collect')));
    while (collected.some((line) => Number(line.received) < plan.edits) && clockMs() < deadline) {
      await delay(50);
      collected = await Promise.all(readers.map((generator) => generator.request('collect')));
    }
    const after = cpuSnapshot(cluster, postgres);
    for (const [i, line] of collected.entries()) {
      if (Number(line.dropped) > 0) throw new Error(`${cluster.kind}: the reader on instance ${placement.readers[i]} lost its socket`);
      if (Number(line.received) !== plan.edits) throw new Error(`${cluster.kind}: the reader on instance ${placement.readers[i]} got ${String(line.received)} of ${plan.edits} edits`);
    }
    const perEdit = (ms: number) => (ms * 1000) / plan.edits;
    return {
      histogram: Histogram.from(collected.map((line) => line.histogram as HistogramData)),
      ack: Histogram.from([typed.ackHistogram as HistogramData]),
      late: Number(typed.late),
      instancesCpuMicros: perEdit(after.instances - before.instances),
      instanceCpuMicros: after.each.map((ms, i) => perEdit(ms - before.each[i]!)),
      redisCpuMicros: perEdit(after.redis - before.redis),
      postgresCpuMicros: perEdit(after.postgres - before.postgres),
    };
  } finally {
    await Promise.all(generators.map((generator) => generator.request('close-all')));
  }
}

async function textLength(generator: Generator, client: number): Promise<number> {
  return Number((await generator.request('info', { client })).textLength);
}

/** Waits until the clients of generators 1… (ids keyed by generator index) have a text of `length`. */
async function waitForText(readers: Generator[], ids: Map<number, number>, length: number): Promise<void> {
  const deadline = clockMs() + 60_000;
  for (;;) {
    const lengths = await Promise.all(readers.map((generator, i) => textLength(generator, ids.get(i + 1)!)));
    if (lengths.every((found) => found === length)) return;
    if (clockMs() > deadline) throw new Error(`readers have ${lengths.join(', ')} characters after 60 s, not ${length}`);
    await delay(50);
  }
}

export interface MemoryMeasure {
  /** VmRSS of each instance, MiB: fresh and idle, then with the document open on all three (median of samples). */
  idleMiB: number[];
  hotMiB: number[];
}

export interface LargeDocument {
  name: string;
  paragraphs: number;
  stateBytes: number;
}

/** Writes the large document through instance 0 and waits until it is stored. */
export async function seedLargeDocument(cluster: BenchCluster, postgres: BenchPostgres, generator: Generator, name: string, copies: number): Promise<LargeDocument> {
  const { client } = await generator.request('open', { url: cluster.instance(0).wsUrl, doc: name });
  const seeded = await generator.request('seed', { client, copies }, 600_000);
  await generator.request('close-all');
  const document = { name, paragraphs: Number(seeded.paragraphs), stateBytes: Number(seeded.stateBytes) };
  // Tandem acknowledged every update once PostgreSQL committed it; Hocuspocus stores when the last client
  // leaves (extension-database, a whole state per store), which the restart before measuring also waits for.
  if (cluster.kind === 'hocuspocus-redis') {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const rows = await postgres.query<{ bytes: number }>(cluster.databaseUrl, 'SELECT length(data) AS bytes FROM hocuspocus_documents WHERE name = $1', [name]);
      if ((rows[0]?.bytes ?? 0) >= document.stateBytes * 0.99) break;
      if (Date.now() > deadline) throw new Error(`hocuspocus-redis did not store ${name} within 120 s`);
      await delay(200);
    }
  }
  return document;
}

/**
 * Fresh instances (a graceful restart of all three), their idle RSS, then a client of the large document on each
 * (instance 0's first: Tandem's owner), a burst of typing through instance 1, and RSS again once settled.
 */
export async function measureMemory(
  cluster: BenchCluster,
  generators: Generator[],
  document: LargeDocument,
  plan: { idleMs: number; settleMs: number; typedEdits: number; rate: number },
  /** Runs on this document so far: each types the trace's next ops. */
  run: number,
): Promise<MemoryMeasure> {
  await cluster.restartAll();
  // Code loaded on first use (a document's load and sync, the relay's socket) is not the document's memory.
  await openAll(cluster, generators, 'memory-warm-up', [0, 1, 2].map((i) => ({ instance: i, generator: i })));
  await Promise.all(generators.map((generator) => generator.request('close-all')));
  await delay(plan.idleMs);
  const idle = cluster.rssBytes();
  const ids = await openAll(cluster, generators, document.name, [0, 1, 2].map((i) => ({ instance: i, generator: i })));
  try {
    await assertOwner(cluster, document.name, 0);
    for (const [generator, id] of ids) {
      const info = await generators[generator]!.request('info', { client: id });
      if (Number(info.paragraphs) !== document.paragraphs) throw new Error(`${cluster.kind}: the client on instance ${generator} has ${String(info.paragraphs)} of ${document.paragraphs} paragraphs`);
    }
    await generators[1]!.request('type', { client: ids.get(1), trace: 'automerge-paper', from: run * plan.typedEdits, count: plan.typedEdits, rate: plan.rate }, 180_000);
    await delay(plan.settleMs);
    const samples: number[][] = [];
    for (let i = 0; i < 5; i += 1) {
      samples.push(cluster.rssBytes());
      await delay(500);
    }
    const mib = (bytes: number) => bytes / 2 ** 20;
    return { idleMiB: idle.map(mib), hotMiB: idle.map((_, i) => mib(median(samples.map((sample) => sample[i]!)))) };
  } finally {
    await Promise.all(generators.map((generator) => generator.request('close-all')));
  }
}

export interface IngestMeasure extends ReplayRun {
  /** CPU per update of the three instances together and of PostgreSQL (µs). */
  instancesCpuMicros: number;
  postgresCpuMicros: number;
}

/**
 * Acknowledged ingest, writer alone (issue 2's measure): the trace replayed flat out into Tandem through
 * instance `writer`, the document owned by instance 0. For a non-owner writer a client on instance 0 opens the
 * document first (instance 0 claims it) and leaves before the first op: the relay's reference keeps it there.
 */
export async function measureIngest(
  cluster: BenchCluster,
  postgres: BenchPostgres,
  holder: Generator,
  doc: string,
  writer: number,
  expected: ExpectedDocument,
): Promise<IngestMeasure> {
  const held = writer === 0 ? null : await openAll(cluster, [holder], doc, [{ instance: 0, generator: 0 }]);
  let before: ReturnType<typeof cpuSnapshot> | undefined;
  let after: ReturnType<typeof cpuSnapshot> | undefined;
  try {
    const replay = await runReplay(cluster.instance(writer), {
      trace: 'automerge-paper',
      documentName: doc,
      expected,
      timeoutMs: 1_200_000,
      follow: false,
      probe: {
        start: async () => {
          await assertOwner(cluster, doc, 0);
          if (held) await holder.request('close-all');
          before = cpuSnapshot(cluster, postgres);
        },
        stop: async () => {
          after = cpuSnapshot(cluster, postgres);
          await assertOwner(cluster, doc, 0);
        },
      },
    });
    const perUpdate = (ms: number) => (ms * 1000) / expected.ops;
    return { ...replay, instancesCpuMicros: perUpdate(after!.instances - before!.instances), postgresCpuMicros: perUpdate(after!.postgres - before!.postgres) };
  } finally {
    await holder.request('close-all');
  }
}

export interface FailoverMeasure {
  /** SIGKILL → the first acknowledgement of an edit made after it (ms). */
  failoverMs: number;
  /** SIGKILL → another instance holds the document's lease (ms; Redis polled every 10 ms). */
  leaseMovedMs: number;
  /** Which survivor took the document: the typist's instance or the idle reader's. */
  newOwner: 'typist' | 'reader' | 'none';
  /** Edits still unacknowledged when the owner died (replayed to the new owner). */
  unacknowledgedAtKill: number;
}

/**
 * Instance `owner` owns the document (its client opened it first), a typist on the next instance types tokens at
 * `rate`/s and a client on the third reads; after `typingMs` the owner is SIGKILLed. Then both survivors must
 * converge, and the killed instance is started again on its port.
 */
export async function measureFailover(cluster: BenchCluster, generators: Generator[], doc: string, owner: number, plan: { rate: number; typingMs: number }): Promise<FailoverMeasure> {
  const typistAt = (owner + 1) % 3;
  const readerAt = (owner + 2) % 3;
  const ids = await openAll(cluster, generators, doc, [
    { instance: owner, generator: 0, expectClose: true },
    { instance: typistAt, generator: 1 },
    { instance: readerAt, generator: 2 },
  ]);
  try {
    await assertOwner(cluster, doc, owner);
    await generators[1]!.request('tokens', { client: ids.get(1), rate: plan.rate });
    // Past the first few acknowledgements, and at a random point of the owner's lease renewal cycle.
    await delay(plan.typingMs + Math.random() * (cluster.leaseMs / 3));
    const killedAt = clockMs();
    const killed = cluster.kill(owner);
    let leaseMovedAt = Number.NaN;
    const watchLease = (async () => {
      while (clockMs() - killedAt < cluster.leaseMs * 4) {
        const now = await cluster.ownerOf(doc);
        if (now === typistAt || now === readerAt) {
          leaseMovedAt = clockMs();
          return now;
        }
        await delay(10);
      }
      return -1;
    })();
    const firstAck = await generators[1]!.request('acked-after', { client: ids.get(1), t: killedAt, timeoutMs: cluster.leaseMs * 4 + 10_000 }, cluster.leaseMs * 4 + 20_000);
    const newOwner = await watchLease;
    await killed;
    const stopped = await generators[1]!.request('stop', { client: ids.get(1) });
    const edits = stopped.edits as { sentAt: number; ackedAt: number | null }[];
    // The reader (a survivor too) converges with the typist.
    const deadline = clockMs() + 10_000;
    for (;;) {
      const info = await generators[2]!.request('info', { client: ids.get(2) });
      if (Number(info.textLength) === Number(stopped.textLength)) break;
      if (clockMs() > deadline) throw new Error(`failover: the reader has ${String(info.textLength)} characters, the typist ${String(stopped.textLength)}`);
      await delay(50);
    }
    return {
      failoverMs: Number(firstAck.ackedAt) - killedAt,
      leaseMovedMs: leaseMovedAt - killedAt,
      newOwner: newOwner === typistAt ? 'typist' : newOwner === readerAt ? 'reader' : 'none',
      unacknowledgedAtKill: edits.filter((edit) => edit.sentAt <= killedAt && (edit.ackedAt === null || edit.ackedAt > killedAt)).length,
    };
  } finally {
    await Promise.all(generators.map((generator) => generator.request('close-all')));
    if (!cluster.instances[owner]) await cluster.startInstance(owner);
  }
}
