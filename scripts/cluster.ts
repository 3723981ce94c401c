// `npm run cluster`: PostgreSQL, Redis, three Tandem instances and HAProxy on this machine, to try a cluster.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { defaultConfig } from '../server/config.ts';
import { ensureClientBuilt } from '../server/http/client-build.ts';
import { haproxyMissing, startHaproxy, type TestHaproxy } from '../test/helpers/haproxy.ts';
import { freePort, postgresMissing, startPostgres, type TestPostgres } from '../test/helpers/postgres.ts';
import { redisMissing, startRedis, type TestRedis } from '../test/helpers/redis.ts';
import { startInstance, type Instance, type InstanceOptions } from './cluster-instance.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const USAGE = `Usage: npm run cluster -- [--port 8080] [--instances 3] [--data-dir ./data/cluster] [-- <flags for every instance>]

Starts PostgreSQL, Redis, Tandem instances and HAProxy in front of them on this machine; Ctrl+C stops all.
Data (the PostgreSQL cluster) is kept in --data-dir across runs.`;
// Instance names in the terminal: cyan, magenta, yellow, blue, green.
const COLORS = [36, 35, 33, 34, 32];
// A drain closes clients, unloads documents and releases leases; past this the instance is killed.
const DRAIN_TIMEOUT_MS = 15_000;

interface Cluster {
  postgres?: TestPostgres;
  redis?: TestRedis;
  haproxy?: TestHaproxy;
  instances: Instance[];
  /** How to start instance i again (Enter after one was killed). */
  launch: InstanceOptions[];
  stopping: boolean;
}

function say(text: string): void {
  process.stdout.write(`${'cluster'.padEnd(8)}│ ${text}\n`);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        port: { type: 'string', default: '8080' },
        instances: { type: 'string', default: '3' },
        'data-dir': { type: 'string', default: './data/cluster' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      // Everything after `--` goes to every instance.
      allowPositionals: true,
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const { values, positionals: instanceFlags } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  const count = Number(values.instances);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !Number.isInteger(count) || count < 1 || count > COLORS.length) {
    process.stderr.write(`--port must be a port number and --instances 1 to ${COLORS.length}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const missing = [postgresMissing(), redisMissing(), haproxyMissing()].filter((reason) => reason !== null);
  if (missing.length > 0) {
    process.stderr.write(`npm run cluster needs: ${missing.join('; ')}\n`);
    process.exit(1);
  }

  const dataDir = resolve(values['data-dir']);
  await mkdir(dataDir, { recursive: true });
  const cluster: Cluster = { instances: [], launch: [], stopping: false };
  process.on('SIGINT', () => void stop(cluster));
  process.on('SIGTERM', () => void stop(cluster));
  try {
    await start(cluster, { port, count, dataDir, instanceFlags });
  } catch (error) {
    // A Ctrl-C during start-up makes the steps still running fail; the stop under way reports it.
    if (cluster.stopping) return;
    process.stderr.write(`\nThe cluster did not start: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(cluster, 1);
  }
}

async function start(cluster: Cluster, options: { port: number; count: number; dataDir: string; instanceFlags: readonly string[] }): Promise<void> {
  const { dataDir } = options;
  // Built once here: instances started together would each build it into the same directory at once.
  await ensureClientBuilt({ clientDir: defaultConfig.clientDir, log: { info: (_fields, message) => say(message ?? '') } });

  say(`PostgreSQL in ${relative(process.cwd(), join(dataDir, 'postgres')) || '.'}…`);
  // Own process groups: Ctrl-C reaches only this script, which stops the instances before their storage.
  cluster.postgres = await startPostgres({ dir: join(dataDir, 'postgres'), detached: true });
  const databaseUrl = await ensureDatabase(cluster.postgres.url, 'tandem');
  say('Redis…');
  cluster.redis = await startRedis({ dir: join(dataDir, 'redis'), detached: true });

  // Random per run: it only has to be the same for the instances started together.
  const secret = randomBytes(32).toString('hex');
  for (let i = 0; i < options.count; i++) {
    const name = `tandem${i + 1}`;
    const port = await freePort();
    cluster.launch.push({
      name,
      port,
      cwd: REPO_ROOT,
      env: { ...process.env, TANDEM_CLUSTER_SECRET: secret },
      out: process.stdout,
      color: process.stdout.isTTY ? COLORS[i]! : null,
      args: [
        '--port', String(port),
        '--host', '127.0.0.1',
        '--database-url', databaseUrl,
        '--redis-url', cluster.redis.url,
        '--advertise-url', `ws://127.0.0.1:${port}`,
        '--data-dir', join(dataDir, `node${i + 1}`),
        // HAProxy connects from loopback: its X-Forwarded-For names the browser for per-IP limits and logs.
        '--trusted-proxies', 'loopback',
        ...options.instanceFlags,
      ],
    });
  }
  say(`${options.count} Tandem instances…`);
  cluster.instances = cluster.launch.map((launch) => launchInstance(cluster, launch));
  await Promise.all(cluster.instances.map((instance) => instance.listening));

  say(`HAProxy on port ${options.port}…`);
  cluster.haproxy = await startHaproxy(
    cluster.instances.map((instance) => ({ name: instance.name, port: instance.port })),
    { port: options.port, balance: 'leastconn', detached: true },
  );
  await Promise.all(cluster.instances.map((instance) => cluster.haproxy!.waitForServer(instance.name, 'UP', 10_000)));
  printBanner(cluster, databaseUrl, dataDir);

  // Enter starts again the instances that were killed, on their port, so HAProxy takes them back.
  process.stdin.on('data', () => {
    if (cluster.stopping) return;
    cluster.instances.forEach((instance, i) => {
      if (instance.running) return;
      say(`starting ${instance.name} again`);
      cluster.instances[i] = launchInstance(cluster, cluster.launch[i]!);
      cluster.instances[i].listening.catch((error: unknown) => say(String(error)));
    });
  });
}

function launchInstance(cluster: Cluster, launch: InstanceOptions): Instance {
  const instance = startInstance(launch);
  instance.listening.then(
    () =>
      instance.exited.then(({ code, signal }) => {
        if (!cluster.stopping) say(`${instance.name} exited (${signal ?? `code ${code}`}); the others carry on. Press Enter to start it again.`);
      }),
    // Failing to start is reported by whoever awaits `listening`.
    () => undefined,
  );
  return instance;
}

/** The database the instances share, created on the first run. */
async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function printBanner(cluster: Cluster, databaseUrl: string, dataDir: string): void {
  const { haproxy, redis, postgres, instances } = cluster;
  const pids = instances.map((instance) => instance.pid).join(' ');
  const lines = [
    '',
    '  Tandem cluster is running',
    '',
    `  Editor      ${haproxy!.url}/   (through HAProxy: open it in two browsers)`,
    `  WebSocket   ${haproxy!.url.replace('http', 'ws')}/`,
    `  HAProxy     pid ${haproxy!.pid}   which instances are up: ${haproxy!.statsUrl}`,
    ...instances.map((instance) => `  ${instance.name.padEnd(10)}  ${instance.url}   pid ${instance.pid}`),
    `  PostgreSQL  ${databaseUrl}   pid ${postgres!.pid}   (data in ${relative(process.cwd(), dataDir) || '.'}/postgres, kept)`,
    `  Redis       ${redis!.url}   pid ${redis!.pid}`,
    '',
    '  Failover: kill an instance, e.g. `kill -9 <pid>` (a crash) or `kill <pid>` (a drain). HAProxy takes',
    '  it out of rotation within about a second and its editors reconnect to another instance; the documents',
    '  it owned move within the lease (--lease-ms). Press Enter to start stopped instances again.',
    `  Instance pids: ${pids}`,
    '',
    '  Press Ctrl+C to stop everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

let stopped: Promise<void> | undefined;

/** Stops in order: the proxy, then the instances (a drain each), then Redis and PostgreSQL. A second Ctrl-C kills. */
async function stop(cluster: Cluster, exitCode = 0): Promise<void> {
  if (stopped) {
    say('killing everything');
    for (const instance of cluster.instances) instance.signal('SIGKILL');
    await Promise.allSettled([cluster.haproxy?.stop(), cluster.redis?.kill(), cluster.postgres?.kill()]);
    process.exit(1);
  }
  cluster.stopping = true;
  stopped = (async () => {
    say('stopping (Ctrl+C again to kill)');
    await cluster.haproxy?.stop();
    await Promise.all(cluster.instances.map(drain));
    await cluster.redis?.stop();
    await cluster.postgres?.stop();
    say('stopped');
  })();
  await stopped;
  process.exit(exitCode);
}

async function drain(instance: Instance): Promise<void> {
  if (!instance.running) return;
  instance.signal('SIGTERM');
  const timer = setTimeout(() => {
    say(`${instance.name} did not stop within ${DRAIN_TIMEOUT_MS / 1000} s; killing it`);
    instance.signal('SIGKILL');
  }, DRAIN_TIMEOUT_MS);
  await instance.exited;
  clearTimeout(timer);
}

await main();
