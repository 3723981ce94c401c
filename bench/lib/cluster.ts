// Three-instance clusters for the cluster scenario: Tandem's (owner per document by Redis lease, relays between
// instances) and the reference (stock Hocuspocus + extension-redis + extension-database), each instance its own
// process, on one Redis and one PostgreSQL database per cluster.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../../test/helpers/redis.ts';
import { processCpuPreciseMs } from './cpu.ts';
import type { BenchPostgres } from './postgres.ts';
import { processRssBytes } from './rss.ts';
import { startHocuspocusRedis, startTandem, type RunningServer } from './servers.ts';

export type ClusterKind = 'tandem' | 'hocuspocus-redis';

export interface ClusterOptions {
  kind: ClusterKind;
  postgres: BenchPostgres;
  workDir: string;
  instances?: number;
  /** Tandem's --lease-ms (its default is 3000). */
  leaseMs?: number;
  /** Tandem's server/main.ts from another checkout (A/B). */
  tandemMain?: string;
  /** Flags for node itself on Tandem's instances (an A/B of V8 settings). */
  tandemNodeFlags?: string[];
  profileDir?: string;
}

const SECRET = 'bench-cluster-secret';

export class BenchCluster {
  readonly kind: ClusterKind;
  readonly redis: TestRedis;
  readonly databaseUrl: string;
  /** Index i: the running process of instance i, or null while it is down. */
  readonly instances: (RunningServer | null)[];
  #options: ClusterOptions;
  #ports: number[] = [];
  #probe: Redis;

  private constructor(options: ClusterOptions, redis: TestRedis, databaseUrl: string) {
    this.kind = options.kind;
    this.#options = options;
    this.redis = redis;
    this.databaseUrl = databaseUrl;
    this.instances = Array.from({ length: options.instances ?? 3 }, () => null);
    this.#probe = new Redis(redis.url, { lazyConnect: true });
    this.#probe.on('error', () => undefined);
  }

  static async start(options: ClusterOptions): Promise<BenchCluster> {
    const redis = await startRedis();
    const databaseUrl = await options.postgres.createDatabase(options.kind.replace('-', '_'));
    const cluster = new BenchCluster(options, redis, databaseUrl);
    try {
      // One after another: the first reference instance creates its table, the first Tandem one migrates.
      for (let i = 0; i < cluster.instances.length; i += 1) await cluster.startInstance(i);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get leaseMs(): number {
    return this.#options.leaseMs ?? 3000;
  }

  /** The running instance i (throws while it is down). */
  instance(index: number): RunningServer {
    const server = this.instances[index];
    if (!server) throw new Error(`${this.kind} instance ${index} is not running`);
    return server;
  }

  /** Starts instance i, on the port it had before if it ran already. */
  async startInstance(index: number): Promise<RunningServer> {
    const label = `${this.kind}-${index}`;
    const { workDir, profileDir } = this.#options;
    let server: RunningServer;
    if (this.kind === 'tandem') {
      const dataDir = join(workDir, label);
      await mkdir(dataDir, { recursive: true });
      server = await startTandem({
        label,
        entry: this.#options.tandemMain,
        dataDir,
        fsync: false,
        databaseUrl: this.databaseUrl,
        logLevel: 'warn',
        profileDir,
        nodeFlags: this.#options.tandemNodeFlags,
        port: this.#ports[index],
        args: ['--redis-url', this.redis.url, '--cluster-secret', SECRET, '--lease-ms', String(this.leaseMs)],
      });
    } else {
      server = await startHocuspocusRedis({ label, redisUrl: this.redis.url, databaseUrl: this.databaseUrl, profileDir });
    }
    this.#ports[index] = Number(new URL(server.wsUrl).port);
    this.instances[index] = server;
    return server;
  }

  /** SIGKILL, as a crash: the instance's leases stay in Redis until they expire. */
  async kill(index: number): Promise<void> {
    const server = this.instance(index);
    this.instances[index] = null;
    await server.child.stop('SIGKILL');
  }

  /** Graceful stop (SIGTERM: Tandem drains, Hocuspocus stores its documents) of every instance, then starts them again. */
  async restartAll(): Promise<void> {
    await this.#stopInstances();
    for (let i = 0; i < this.instances.length; i += 1) await this.startInstance(i);
  }

  /** The instance holding the document's lease (Tandem), or -1. */
  async ownerOf(documentName: string): Promise<number> {
    if (this.kind !== 'tandem') return -1;
    if (this.#probe.status === 'wait') await this.#probe.connect();
    const value = await this.#probe.get(`tandem:lease:${documentName}`);
    if (!value) return -1;
    const { url } = JSON.parse(value) as { url: string };
    return this.instances.findIndex((server) => server !== null && server.wsUrl.replace(/\/$/, '') === url.replace(/\/$/, ''));
  }

  /** RSS of each running instance, in bytes (NaN for one that is down). */
  rssBytes(): number[] {
    return this.instances.map((server) => (server ? processRssBytes(server.child.process.pid) : Number.NaN));
  }

  /** CPU ms so far of each instance and of Redis (ns resolution, live threads). */
  cpuMs(): { instances: number[]; redis: number } {
    return {
      instances: this.instances.map((server) => (server ? (processCpuPreciseMs(server.child.process.pid) ?? Number.NaN) : Number.NaN)),
      redis: processCpuPreciseMs(this.redis.pid) ?? Number.NaN,
    };
  }

  async stop(): Promise<void> {
    this.#probe.disconnect();
    try {
      await this.#stopInstances();
    } finally {
      // Also when an instance failed its stop: a failed run once left this redis-server running.
      await this.redis.close();
    }
  }

  async #stopInstances(): Promise<void> {
    const running = this.instances.filter((server): server is RunningServer => server !== null);
    this.instances.fill(null);
    const codes = await Promise.all(running.map((server) => server.stop()));
    const failed = codes.findIndex((code) => code !== 0);
    if (failed >= 0) throw new Error(`${running[failed]!.label} exited with code ${codes[failed]} on SIGTERM\n${running[failed]!.child.stderr().slice(-2000)}`);
  }
}
