// Starts a real redis-server (Debian's package) on a free loopback port in a temp dir, and stops it after.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './find-binary.ts';
import { freePort } from './postgres.ts';

export interface TestRedis {
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Redis' working dir: where the append-only file goes when it is on. */
  readonly dir: string;
  /** SIGTERM: Redis flushes the append-only file (when on) and exits. */
  stop(): Promise<void>;
  /** A crash: SIGKILL, so whatever the append-only file had not written yet is lost. */
  kill(): Promise<void>;
  /** Starts again on the same port and dir. */
  start(): Promise<void>;
  /** Stops and, unless the dir was given by the caller, deletes it. */
  close(): Promise<void>;
  /** Drops every key (FLUSHALL), for tests that share one Redis. */
  flushAll(): Promise<void>;
  /** What redis-server wrote since it was last started. */
  serverLog(): string;
  /** The redis-server process id while it runs (the cluster script prints it). */
  readonly pid: number | undefined;
}

export interface StartRedisOptions {
  /** `appendonly yes` (fsync every second): keys survive a restart. Off by default, like a cache. */
  appendOnly?: boolean;
  /** Keep the data here instead of a temp dir (created if missing, never deleted). */
  dir?: string;
  /** Listen here instead of a free port. */
  port?: number;
  /**
   * Its own process group: a terminal's Ctrl-C then reaches only the caller, which stops things in order
   * (`npm run cluster`: the instances drain before PostgreSQL goes).
   */
  detached?: boolean;
}

/** The redis-server binary: on PATH, or where Debian puts it. */
export function redisBinary(): string | null {
  return findBinary('redis-server', ['/usr/bin']);
}

/** Why Redis tests cannot run here, or null when they can (for `{ skip }`: CI installs the package). */
export function redisMissing(): string | null {
  return redisBinary() ? null : 'Redis is not installed (apt-get install redis-server)';
}

export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  const binary = redisBinary();
  if (!binary) throw new Error('Redis is not installed (apt-get install redis-server)');
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tandem-redis-')));
  await mkdir(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  let child: ChildProcess | null = null;
  let output = '';

  const start = async () => {
    output = '';
    const running = spawn(
      binary,
      [
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--dir', dir,
        // No RDB snapshots: the append-only file is the only persistence, and only when asked for.
        '--save', '',
        '--appendonly', options.appendOnly ? 'yes' : 'no',
        '--daemonize', 'no',
        '--logfile', '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false },
    );
    child = running;
    running.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    running.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (running.exitCode !== null) throw new Error(`redis-server exited with ${running.exitCode}:\n${output}`);
      if ((await command(port, 'PING').catch(() => '')) === '+PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING within 10 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const signal = async (name: NodeJS.Signals) => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(name);
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    start,
    async close() {
      await signal('SIGTERM');
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
    async flushAll() {
      const reply = await command(port, 'FLUSHALL');
      if (reply !== '+OK') throw new Error(`FLUSHALL answered ${reply}`);
    },
    serverLog: () => output,
    get pid() {
      return child?.pid;
    },
  };
}

/**
 * One inline command over a fresh socket, answered by its first reply line. A raw socket, not a client
 * library: waiting for start-up must not leave a reconnecting client behind.
 */
function command(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy(new Error(`no answer to ${text} within 2 s`)));
    socket.on('connect', () => socket.write(`${text}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.end();
        resolve(reply.slice(0, end));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed before ${text} was answered`)));
  });
}
