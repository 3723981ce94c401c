// Starts a real PostgreSQL (Debian's package) on a free loopback port in a temp dir, as the `postgres` user
// when the tests run as root (PostgreSQL refuses to run as root), and stops it after.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly port: number;
  /** A fresh, empty database; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Fast shutdown (clients disconnected), keeping the data. */
  stop(): Promise<void>;
  /**
   * A crash, not a shutdown: SIGKILL to the postmaster and every process under it at once, keeping the data.
   * Connections drop without a word and `start()` runs crash recovery.
   */
  kill(): Promise<void>;
  /** Starts again on the same port and data. */
  start(): Promise<void>;
  /** Stops and deletes the data (unless it lives in a dir the caller gave). */
  close(): Promise<void>;
  /** What the PostgreSQL server wrote to its log since it was last started. */
  serverLog(): string;
  /** The postmaster's process id while it runs. */
  readonly pid: number | undefined;
}

/** The bin directory of the newest installed PostgreSQL, or null when none is installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** Why PostgreSQL tests cannot run here, or null when they can (for `{ skip }`: CI installs the package). */
export function postgresMissing(): string | null {
  return postgresBinDir() ? null : 'PostgreSQL is not installed (apt-get install postgresql)';
}

function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface StartPostgresOptions {
  /** More `-c name=value` settings, e.g. `{ autovacuum_naptime: '1s' }` (the bench adds pg_stat_statements). */
  settings?: Record<string, string>;
  /**
   * Keep the cluster here instead of a temp dir: created (initdb) the first time, reused after, never deleted
   * (`npm run cluster` keeps its documents across runs).
   */
  dir?: string;
  /** Listen here instead of a free port. */
  port?: number;
  /**
   * Its own process group: a terminal's Ctrl-C then reaches only the caller, which stops things in order
   * (`npm run cluster`: the instances drain before PostgreSQL goes).
   */
  detached?: boolean;
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const user = runAs();
  const ownDir = options.dir === undefined;
  const root = options.dir ?? (await mkdtemp(join(tmpdir(), 'tandem-pg-')));
  await mkdir(root, { recursive: true });
  const dataDir = join(root, 'data');
  const socketDir = root;
  if (user) {
    await chown(root, user.uid, user.gid);
    await chmod(root, 0o700);
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    execFileSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-instructions', '-E', 'UTF8', '--locale=C'], {
      ...user,
      stdio: 'pipe',
    });
  }
  const port = options.port ?? (await freePort());
  let child: ChildProcess | null = null;
  let output = '';

  const start = async () => {
    output = '';
    child = spawn(
      join(bin, 'postgres'),
      [
        '-D', dataDir,
        '-p', String(port),
        '-k', socketDir,
        '-c', 'listen_addresses=127.0.0.1',
        // Power-loss durable, like production: acks wait for a real fsync.
        '-c', 'fsync=on',
        '-c', 'synchronous_commit=on',
        '-c', 'max_connections=200',
        '-c', 'shared_buffers=64MB',
        ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      { ...user, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${output}`);
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    // SIGINT: fast shutdown, which disconnects clients and checkpoints.
    running.kill('SIGINT');
    await exited;
  };

  const kill = async () => {
    const running = child;
    child = null;
    if (!running?.pid || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    // Frozen first, so the postmaster neither starts new backends nor reacts to its children dying.
    process.kill(running.pid, 'SIGSTOP');
    const children = childrenOf(running.pid);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    process.kill(running.pid, 'SIGKILL');
    await exited;
    await waitUntilGone(children);
  };

  await start();
  let databases = 0;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async createDatabase(prefix = 'tandem') {
      databases += 1;
      const name = `${prefix}_${process.pid}_${databases}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
    kill,
    start,
    serverLog: () => output,
    get pid() {
      return child?.pid;
    },
    async close() {
      await stop();
      if (ownDir) await rm(root, { recursive: true, force: true });
    },
  };
}

function parentOf(pid: string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the parenthesized command name: state, then the parent's pid.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    // The process ended while the list was read: it has no parent to report.
    return null;
  }
}

/** The pids whose parent is `pid`, from /proc (PostgreSQL's backends, checkpointer, WAL writer, …). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && parentOf(entry) === pid)
    .map(Number);
}

/** Resolves once none of `pids` runs any more (gone, or a zombie waiting for init to reap it). */
async function waitUntilGone(pids: readonly number[]): Promise<void> {
  const running = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      // No /proc entry: the process is gone.
      return false;
    }
  };
  const deadline = Date.now() + 10_000;
  while (pids.some(running)) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL processes ${pids.filter(running).join(', ')} outlived a SIGKILL by 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
