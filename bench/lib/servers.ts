// The servers under test, each in its own child process: Tandem and the reference servers.
import { join } from 'node:path';
import { spawnNode, type NodeChild } from './child.ts';
import type { BenchPostgres } from './postgres.ts';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

/** How a client talks to the server: Hocuspocus' protocol (provider) or plain y-websocket. */
export type Protocol = 'hocuspocus' | 'y-websocket';

export interface RunningServer {
  label: string;
  /** WebSocket URL for `protocol`'s clients: a provider's `url`, or y-websocket's `serverUrl` (room appended). */
  wsUrl: string;
  protocol: Protocol;
  child: NodeChild;
  /** Tandem on PostgreSQL: the server's own database (fresh for each start). */
  databaseUrl?: string;
  /** Graceful stop (SIGTERM); resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface ProfileOption {
  /** Directory for a V8 CPU profile of the server process (written when it exits). */
  profileDir?: string;
}

function profileFlags(label: string, options: ProfileOption): string[] {
  if (!options.profileDir) return [];
  const name = `${label.replace(/[^a-z0-9.-]+/gi, '_')}-${Date.now()}.cpuprofile`;
  return ['--cpu-prof', '--cpu-prof-dir', options.profileDir, '--cpu-prof-name', name];
}

export interface TandemOptions extends ProfileOption {
  label: string;
  /** server/main.ts to run; another checkout's (a patched worktree) for A/B comparisons. */
  entry?: string;
  dataDir: string;
  fsync: boolean;
  /** Store everything in this PostgreSQL database instead of LevelDB (`--database-url`). */
  databaseUrl?: string;
  logLevel: 'warn' | 'info' | 'debug';
  /** Which of Tandem's endpoints clients use (default: the Hocuspocus one). */
  protocol?: Protocol;
  /** Listen here instead of a free port (an instance restarted where its peers and clients knew it). */
  port?: number;
  /** Further flags, e.g. a cluster member's `--redis-url …`. */
  args?: string[];
  /** Flags for node itself (an A/B of V8 settings). */
  nodeFlags?: string[];
}

// Tandem's abuse limits are meant for people typing, not a trace replayed flat out by one client: 1,000
// messages/s per socket (close 4429) and 4 MiB of unsent data (close 4408) would end the run at once.
// Set through the environment so a checkout from before those settings existed still starts.
const BENCH_LIMITS = {
  TANDEM_MAX_MESSAGES_PER_SECOND: String(1_000_000_000),
  TANDEM_MAX_SEND_BUFFER_BYTES: String(2 ** 31),
  // Every bench client connects from 127.0.0.1: 300 upgrades per IP per minute would refuse the 5,000 clients.
  TANDEM_MAX_CONNECTIONS_PER_MINUTE: String(1_000_000_000),
};

/** `node server/main.ts --port 0 …`; the bound port comes from the banner (stderr), logged at any level. */
export async function startTandem(options: TandemOptions): Promise<RunningServer> {
  const args = [
    '--port', String(options.port ?? 0),
    '--data-dir', options.dataDir,
    '--serve-client', 'off',
    '--log-level', options.logLevel,
    '--fsync', options.fsync ? 'on' : 'off',
    ...(options.databaseUrl ? ['--database-url', options.databaseUrl] : []),
    ...(options.args ?? []),
  ];
  const entry = options.entry ?? join(REPO_ROOT, 'server/main.ts');
  const child = spawnNode(entry, args, {
    cwd: join(entry, '../..'),
    env: BENCH_LIMITS,
    nodeFlags: [...profileFlags(options.label, options), ...(options.nodeFlags ?? [])],
  });
  const match = await child.waitForStderr(/WebSocket\s+(ws:\/\/\S+)/, 30_000, 'the start-up banner');
  const wsUrl = match[1] as string;
  const protocol = options.protocol ?? 'hocuspocus';
  // Tandem serves stock y-websocket clients on /y/<document>.
  const url = protocol === 'y-websocket' ? `${wsUrl.replace(/\/$/, '')}/y` : wsUrl;
  return { label: options.label, wsUrl: url, protocol, child, databaseUrl: options.databaseUrl, stop: () => child.stop('SIGTERM', 60_000) };
}

export interface HocuspocusOptions extends ProfileOption {
  label: string;
  flushDelay: 0 | false;
  /** SQLite file for @hocuspocus/extension-sqlite; none means no persistence. */
  sqliteFile?: string;
}

export async function startHocuspocus(options: HocuspocusOptions): Promise<RunningServer> {
  const args = ['--flush-delay', String(options.flushDelay)];
  if (options.sqliteFile) args.push('--sqlite', options.sqliteFile);
  return startReference(options.label, 'bench/servers/hocuspocus.ts', args, 'hocuspocus', options);
}

export interface YWebsocketOptions extends ProfileOption {
  label: string;
  /** Directory for y-leveldb; none means no persistence. */
  leveldbDir?: string;
}

export async function startYWebsocket(options: YWebsocketOptions): Promise<RunningServer> {
  const args = options.leveldbDir ? ['--leveldb', options.leveldbDir] : [];
  return startReference(options.label, 'bench/servers/y-websocket.ts', args, 'y-websocket', options);
}

export interface HocuspocusRedisOptions extends ProfileOption {
  label: string;
  redisUrl: string;
  databaseUrl: string;
}

/** A member of the reference cluster: stock Hocuspocus + extension-redis + extension-database on PostgreSQL. */
export async function startHocuspocusRedis(options: HocuspocusRedisOptions): Promise<RunningServer> {
  const args = ['--redis-url', options.redisUrl, '--database-url', options.databaseUrl];
  const server = await startReference(options.label, 'bench/servers/hocuspocus-redis.ts', args, 'hocuspocus', options);
  return { ...server, databaseUrl: options.databaseUrl };
}

async function startReference(label: string, script: string, args: string[], protocol: Protocol, options: ProfileOption): Promise<RunningServer> {
  const child = spawnNode(join(REPO_ROOT, script), args, { cwd: REPO_ROOT, nodeFlags: profileFlags(label, options) });
  const line = await child.waitForLine((l) => l.msg === 'listening', 30_000, 'listening');
  // y-websocket's provider appends `/<room>` itself; the y-websocket server takes the room from the path.
  const wsUrl = protocol === 'y-websocket' ? `ws://127.0.0.1:${String(line.port)}` : `ws://127.0.0.1:${String(line.port)}/`;
  return { label, wsUrl, protocol, child, stop: () => child.stop('SIGTERM', 60_000) };
}

export interface ServerSetup {
  key: string;
  name: string;
  protocol: Protocol;
  /** Tandem itself (the figure under test) rather than a reference. */
  tandem: boolean;
  /** Keeps documents on disk (so a cold load and bytes on disk mean something). */
  persistent: boolean;
  /** `dataDir` is a fresh directory the server may use for its files. */
  start(dataDir: string, options: StartOptions): Promise<RunningServer>;
}

export interface StartOptions extends ProfileOption {
  /** Tandem's server/main.ts from another checkout (A/B). */
  tandemMain?: string;
  /** The run's PostgreSQL (`--store postgres`): servers that store in it get a fresh database. */
  postgres?: BenchPostgres;
}

/** Every server the suite knows, in report order; scenarios pick theirs by key. */
export const SERVER_SETUPS: readonly ServerSetup[] = [
  {
    key: 'hocuspocus-default',
    name: 'stock Hocuspocus, defaults (flushDelay 0), no persistence',
    protocol: 'hocuspocus',
    tandem: false,
    persistent: false,
    start: (_dir, options) => startHocuspocus({ label: 'hocuspocus-default', flushDelay: 0, ...options }),
  },
  {
    key: 'hocuspocus-no-batching',
    name: 'stock Hocuspocus, flushDelay: false, no persistence',
    protocol: 'hocuspocus',
    tandem: false,
    persistent: false,
    start: (_dir, options) => startHocuspocus({ label: 'hocuspocus-no-batching', flushDelay: false, ...options }),
  },
  {
    key: 'hocuspocus-sqlite',
    name: 'stock Hocuspocus, defaults + extension-sqlite (file)',
    protocol: 'hocuspocus',
    tandem: false,
    persistent: true,
    start: (dir, options) => startHocuspocus({ label: 'hocuspocus-sqlite', flushDelay: 0, sqliteFile: join(dir, 'hocuspocus.sqlite'), ...options }),
  },
  {
    key: 'y-websocket',
    name: 'y-websocket server (@y/websocket-server), no persistence',
    protocol: 'y-websocket',
    tandem: false,
    persistent: false,
    start: (_dir, options) => startYWebsocket({ label: 'y-websocket', ...options }),
  },
  {
    key: 'y-websocket-leveldb',
    name: 'y-websocket server + y-leveldb',
    protocol: 'y-websocket',
    tandem: false,
    persistent: true,
    start: (dir, options) => startYWebsocket({ label: 'y-websocket-leveldb', leveldbDir: dir, ...options }),
  },
  {
    key: 'tandem',
    name: 'Tandem on LevelDB, fsync off (default)',
    protocol: 'hocuspocus',
    tandem: true,
    persistent: true,
    start: (dir, options) => startTandem({ label: 'tandem', entry: options.tandemMain, dataDir: dir, fsync: false, logLevel: 'warn', profileDir: options.profileDir }),
  },
  {
    key: 'tandem-fsync',
    name: 'Tandem on LevelDB, --fsync on',
    protocol: 'hocuspocus',
    tandem: true,
    persistent: true,
    start: (dir, options) => startTandem({ label: 'tandem-fsync', entry: options.tandemMain, dataDir: dir, fsync: true, logLevel: 'warn', profileDir: options.profileDir }),
  },
  {
    key: 'tandem-postgres',
    name: 'Tandem on PostgreSQL (fsync, synchronous_commit on)',
    protocol: 'hocuspocus',
    tandem: true,
    persistent: true,
    async start(dir, options) {
      if (!options.postgres) throw new Error('tandem-postgres runs only with --store postgres');
      const databaseUrl = await options.postgres.createDatabase('tandem');
      return startTandem({ label: 'tandem-postgres', entry: options.tandemMain, dataDir: dir, fsync: false, databaseUrl, logLevel: 'warn', profileDir: options.profileDir });
    },
  },
];

export function serverSetup(key: string): ServerSetup {
  const setup = SERVER_SETUPS.find((s) => s.key === key);
  if (!setup) throw new Error(`unknown server "${key}"; known: ${SERVER_SETUPS.map((s) => s.key).join(', ')}`);
  return setup;
}
