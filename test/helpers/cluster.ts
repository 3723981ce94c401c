// A real Tandem cluster for fault tests: PostgreSQL, Redis and N instances as child processes (server/main.ts),
// each on its own free port and temp dir; instances can be killed, paused and started again on the same port.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startHaproxy, type TestHaproxy } from './haproxy.ts';
import { startPostgres, type TestPostgres } from './postgres.ts';
import { startRedis, type TestRedis } from './redis.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

export const CLUSTER_SECRET = 'a-cluster-secret-for-tests';

export interface TestCluster {
  postgres: TestPostgres;
  redis: TestRedis;
  databaseUrl: string;
  /** Index i: the current process of instance i (replaced by `start`). */
  instances: ServerProcess[];
  /** Starts instance i again, on its port. */
  start(index: number): Promise<ServerProcess>;
  /** HAProxy in front of every instance (checks /readyz), when asked for. */
  balancer: TestHaproxy | null;
  /** The instance holding the document's lease, or -1. */
  ownerOf(documentName: string): Promise<number>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  instances?: number;
  leaseMs?: number;
  args?: readonly string[];
  /** Put HAProxy in front (clients then connect to `balancer.url`). */
  balancer?: boolean;
}

export async function startTestCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const { instances: count = 3, leaseMs = 1_500, args = [] } = options;
  const postgres = await startPostgres();
  const redis = await startRedis();
  const databaseUrl = await postgres.createDatabase('cluster');
  const dataDirs: string[] = [];
  const instances: ServerProcess[] = [];
  const argsFor = () => ['--database-url', databaseUrl, '--redis-url', redis.url, '--cluster-secret', CLUSTER_SECRET, '--lease-ms', String(leaseMs), '--auto-versions', 'off', ...args];
  for (let i = 0; i < count; i++) {
    dataDirs.push(await mkdtemp(join(tmpdir(), `tandem-node${i}-`)));
    instances.push(await startServerProcess({ dataDir: dataDirs[i]!, args: argsFor() }));
  }
  const balancer = options.balancer
    ? await startHaproxy(instances.map((instance, i) => ({ name: `node${i}`, port: instance.port })))
    : null;
  if (balancer) for (let i = 0; i < count; i++) await balancer.waitForServer(`node${i}`, 'UP');
  const probe = new Redis(redis.url);
  probe.on('error', () => undefined);
  return {
    postgres,
    redis,
    databaseUrl,
    instances,
    balancer,
    async start(index) {
      const previous = instances[index]!;
      instances[index] = await startServerProcess({ dataDir: dataDirs[index]!, port: previous.port, args: argsFor() });
      return instances[index];
    },
    async ownerOf(documentName) {
      const value = await probe.get(`tandem:lease:${documentName}`);
      if (!value) return -1;
      const { url } = JSON.parse(value) as { url: string };
      return instances.findIndex((instance) => url === instance.wsUrl.replace(/\/$/, ''));
    },
    async close() {
      probe.disconnect();
      await balancer?.stop();
      for (const instance of instances) {
        instance.kill('SIGKILL');
        await instance.waitForExit();
      }
      await redis.close();
      await postgres.close();
      for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
    },
  };
}
