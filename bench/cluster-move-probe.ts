// Whether a client keeps its socket when its document moves while it has many unacknowledged changes: a Tandem
// cluster of three, a client on instance 0 opens the document (instance 0 owns it), a client on instance 1 types
// the automerge-paper trace at --rate updates/s, and instance 0 gets SIGKILL after --kill-after-ms.
//
//   node bench/cluster-move-probe.ts [--rate 900] [--kill-after-ms 500] [--lease-ms 1500] [--edits 4000]
// Prints one JSON line: whether the typist kept its socket, its close otherwise, the new owner, and what
// Hocuspocus printed on the survivors. Needs PostgreSQL and redis-server (as the cluster scenario).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { BenchCluster } from './lib/cluster.ts';
import { BenchPostgres } from './lib/postgres.ts';
import { report } from './lib/provider.ts';
import { REPO_ROOT } from './lib/servers.ts';
import { Generator } from './load/generator.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '900' },
    'kill-after-ms': { type: 'string', default: '500' },
    'lease-ms': { type: 'string', default: '1500' },
    edits: { type: 'string', default: '4000' },
  },
});
const rate = Number(values.rate);
const edits = Number(values.edits);

const postgres = await BenchPostgres.start();
const workDir = await mkdtemp(join(tmpdir(), 'tandem-move-probe-'));
const script = join(REPO_ROOT, 'bench/load/cluster-worker.ts');
const [holder, typist] = [new Generator('holder', script), new Generator('typist', script)];
try {
  const cluster = await BenchCluster.start({ kind: 'tandem', postgres, workDir, leaseMs: Number(values['lease-ms']) });
  try {
    await holder.request('open', { url: cluster.instance(0).wsUrl, doc: 'moved', expectClose: true });
    const { client } = await typist.request('open', { url: cluster.instance(1).wsUrl, doc: 'moved' });
    const ownerBefore = await cluster.ownerOf('moved');
    const typed = typist.request('type', { client, trace: 'automerge-paper', count: edits, rate }, 300_000).then(
      () => null,
      (error: Error) => /the server closed the socket: \d+[^\n|]*/.exec(error.message)?.[0] ?? error.message.split('\n')[0]!,
    );
    await delay(Number(values['kill-after-ms']));
    await cluster.kill(0);
    const closed = await typed;
    const printed = [1, 2].flatMap((i) =>
      cluster.instance(i).child.stderr().split('\n').filter((line) => line.startsWith('Hocuspocus:')).map((line) => `instance ${i}: ${line}`),
    );
    await report({ msg: 'result', rate, ownerBefore, keptSocket: closed === null, closed, ownerAfter: await cluster.ownerOf('moved'), printed });
  } finally {
    await cluster.stop();
  }
} finally {
  await Promise.all([holder.stop(), typist.stop()]);
  await postgres.close();
  await rm(workDir, { recursive: true, force: true });
}
