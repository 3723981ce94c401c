// Starts a real HAProxy (Debian's package) in front of N backends on a free loopback port, as the current user.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './find-binary.ts';
import { freePort } from './postgres.ts';

export interface HaproxyBackend {
  /** The server's name in HAProxy's stats and log (default `s1`, `s2`, …). */
  name?: string;
  /** Default 127.0.0.1. */
  host?: string;
  port: number;
}

export interface StartHaproxyOptions {
  /** `roundrobin` (default) spreads new connections evenly; `leastconn` suits long-lived WebSockets. */
  balance?: 'roundrobin' | 'leastconn';
  /** Listen here instead of a free port (the cluster script's 8080). */
  port?: number;
  /**
   * Its own process group: a terminal's Ctrl-C then reaches only the caller, which stops things in order
   * (`npm run cluster`: the instances drain before PostgreSQL goes).
   */
  detached?: boolean;
  /** Close the tunnels of a backend marked down (off by default, as in deploy/haproxy.cfg: see docs/scale-out.md). */
  shutdownSessions?: boolean;
}

/** A backend's state as HAProxy's stats report it: `UP`, `DOWN`, `UP 1/2` (going down), `MAINT`, … */
export type ServerState = string;

export interface TestHaproxy {
  /** http://127.0.0.1:PORT, the frontend clients connect to. */
  readonly url: string;
  readonly port: number;
  /** The stats page (HTML; append `;csv` for CSV). */
  readonly statsUrl: string;
  readonly backends: readonly Required<HaproxyBackend>[];
  /** The running haproxy's process id. */
  readonly pid: number | undefined;
  /** Each backend's state by name, from the stats page. */
  serverStates(): Promise<Record<string, ServerState>>;
  /** Resolves once HAProxy reports backend `name` as `state` (`UP` or `DOWN`); rejects after `timeoutMs`. */
  waitForServer(name: string, state: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  /**
   * A new configuration, taken over by a new process (`-sf`): it binds the same ports, the old one stops
   * listening and finishes the sessions it has. Without `backends`, the same ones.
   */
  reload(backends?: readonly HaproxyBackend[]): Promise<void>;
  /** Stops every haproxy process this helper started and deletes the temp dir. */
  stop(): Promise<void>;
  /** HAProxy's own messages and its HTTP log (one line per request, client address first): the last MiB or more. */
  serverLog(): string;
}

const MAX_LOG_CHARS = 1024 * 1024;

/** The haproxy binary: on PATH, or /usr/sbin where Debian puts it (not on a non-root PATH). */
export function haproxyBinary(): string | null {
  return findBinary('haproxy', ['/usr/sbin']);
}

/** Why HAProxy tests cannot run here, or null when they can (for `{ skip }`: CI installs the package). */
export function haproxyMissing(): string | null {
  return haproxyBinary() ? null : 'HAProxy is not installed (apt-get install haproxy)';
}

export interface HaproxyConfigOptions {
  port: number;
  statsPort: number;
  backends: readonly Required<HaproxyBackend>[];
  balance: 'roundrobin' | 'leastconn';
  shutdownSessions?: boolean;
}

/** The configuration the helper runs: the same choices as deploy/haproxy.cfg, on loopback. */
export function haproxyConfig(options: HaproxyConfigOptions): string {
  const servers = options.backends.map((backend) => `  server ${backend.name} ${backend.host}:${backend.port} check`);
  return [
    // No user, group, chroot or daemon: it runs in the foreground (-db) as whoever started it.
    'global',
    '  maxconn 4096',
    '  log stdout format raw local0 info',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    // Tandem believes this header only from addresses in --trusted-proxies.
    '  option forwardfor',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    // An upgraded WebSocket is a tunnel: idle editors must not be cut after the 30 s above.
    '  timeout tunnel 1h',
    // Checked every 500 ms, out after 2 failures, back after 1 success: a dead or draining instance
    // leaves rotation within about a second. Its tunnels are left alone: when PostgreSQL or Redis is down
    // every instance is unready at once, and cutting every editor would help nobody (docs/scale-out.md).
    `  default-server inter 500 fall 2 rise 1${options.shutdownSessions ? ' on-marked-down shutdown-sessions' : ''}`,
    '',
    'frontend tandem',
    `  bind 127.0.0.1:${options.port}`,
    '  default_backend tandem',
    '',
    'backend tandem',
    `  balance ${options.balance}`,
    // /readyz answers 503 while an instance drains (SIGTERM) or its storage is down.
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    ...servers,
    '',
    'listen stats',
    `  bind 127.0.0.1:${options.statsPort}`,
    '  stats enable',
    '  stats uri /',
    '',
  ].join('\n');
}

export async function startHaproxy(backends: readonly HaproxyBackend[], options: StartHaproxyOptions = {}): Promise<TestHaproxy> {
  const binary = haproxyBinary();
  if (!binary) throw new Error('HAProxy is not installed (apt-get install haproxy)');
  const dir = await mkdtemp(join(tmpdir(), 'tandem-haproxy-'));
  const configFile = join(dir, 'haproxy.cfg');
  const port = options.port ?? (await freePort());
  const statsPort = await freePort();
  const balance = options.balance ?? 'roundrobin';
  let current = named(backends);
  let child: ChildProcess | null = null;
  // Processes replaced by a reload, still finishing their sessions.
  const retired = new Set<ChildProcess>();
  let output = '';
  const statsUrl = `http://127.0.0.1:${statsPort}/`;

  const launch = async (takeOverFrom?: ChildProcess) => {
    await writeFile(configFile, haproxyConfig({ port, statsPort, backends: current, balance, shutdownSessions: options.shutdownSessions }));
    const args = ['-f', configFile, '-db', ...(takeOverFrom?.pid ? ['-sf', String(takeOverFrom.pid)] : [])];
    const running = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
    // One log line per request: only the latest are kept, so a long `npm run cluster` does not grow without bound.
    const append = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 2 * MAX_LOG_CHARS) output = output.slice(-MAX_LOG_CHARS);
    };
    running.stdout?.on('data', append);
    running.stderr?.on('data', append);
    const deadline = Date.now() + 10_000;
    // The stats page answers once the new process has bound its ports (both are bound before it serves).
    for (;;) {
      if (running.exitCode !== null) throw new Error(`haproxy exited with ${running.exitCode}:\n${output}`);
      if (await servedBy(statsUrl, running.pid)) break;
      if (Date.now() > deadline) {
        running.kill('SIGKILL');
        throw new Error(`haproxy did not answer within 10 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child = running;
  };

  const serverStates = async (): Promise<Record<string, ServerState>> => {
    const [header, ...rows] = (await get(`${statsUrl};csv`)).trim().split('\n');
    const columns = (header ?? '').replace(/^# /, '').split(',');
    const proxy = columns.indexOf('pxname');
    const server = columns.indexOf('svname');
    const status = columns.indexOf('status');
    const states: Record<string, ServerState> = {};
    for (const row of rows) {
      const cells = row.split(',');
      if (cells[proxy] === 'tandem' && cells[server] !== 'BACKEND' && cells[server] !== 'FRONTEND') states[cells[server]!] = cells[status]!;
    }
    return states;
  };

  const terminate = async (process: ChildProcess) => {
    if (process.exitCode !== null || process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => process.once('exit', () => resolve()));
    // SIGTERM: "hard stop", sessions closed at once; a test must not wait for a tunnel timeout.
    process.kill('SIGTERM');
    await exited;
  };

  await launch();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    statsUrl,
    get backends() {
      return current;
    },
    get pid() {
      return child?.pid;
    },
    serverStates,
    async waitForServer(name, state, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      let last: ServerState | undefined;
      for (;;) {
        last = (await serverStates())[name];
        if (last === state) return;
        if (Date.now() > deadline) throw new Error(`HAProxy still reports ${name} as ${last ?? 'unknown'} after ${timeoutMs} ms, not ${state}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async reload(next) {
      if (next) current = named(next);
      const previous = child;
      if (previous) {
        retired.add(previous);
        previous.once('exit', () => retired.delete(previous));
      }
      await launch(previous ?? undefined);
    },
    async stop() {
      const all = [...retired, ...(child ? [child] : [])];
      child = null;
      await Promise.all(all.map(terminate));
      await rm(dir, { recursive: true, force: true });
    },
    serverLog: () => output,
  };
}

function named(backends: readonly HaproxyBackend[]): Required<HaproxyBackend>[] {
  return backends.map((backend, index) => ({ name: backend.name ?? `s${index + 1}`, host: backend.host ?? '127.0.0.1', port: backend.port }));
}

/**
 * Whether the stats page is served by process `pid`: during a reload the old process answers until the new
 * one has bound the ports, so answering alone does not say the new configuration is live.
 */
async function servedBy(statsUrl: string, pid: number | undefined): Promise<boolean> {
  try {
    return pid !== undefined && (await get(statsUrl)).includes(`pid = </b> ${pid} `);
  } catch {
    // Not listening yet.
    return false;
  }
}

/** A GET on a fresh connection: a pooled keep-alive socket could still reach a process a reload replaced. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { agent: false, timeout: 2_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${url} answered ${response.statusCode}`))));
    });
    request.on('timeout', () => request.destroy(new Error(`${url} did not answer within 2 s`)));
    request.on('error', reject);
  });
}
