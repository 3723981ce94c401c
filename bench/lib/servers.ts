// The servers under test, each in its own child process: Tandem and stock Hocuspocus.
import { join } from 'node:path';
import { spawnNode, type NodeChild } from './child.ts';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

export interface RunningServer {
  label: string;
  wsUrl: string;
  child: NodeChild;
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
  logLevel: 'warn' | 'info' | 'debug';
}

// Tandem's abuse limits are meant for people typing, not a trace replayed flat out by one client: 1,000
// messages/s per socket (close 4429) and 4 MiB of unsent data (close 4408) would end the run at once.
// Set through the environment so a checkout from before those settings existed still starts.
const BENCH_LIMITS = {
  TANDEM_MAX_MESSAGES_PER_SECOND: String(1_000_000_000),
  TANDEM_MAX_SEND_BUFFER_BYTES: String(2 ** 31),
};

/** `node server/main.ts --port 0 …`; the bound port comes from the banner (stderr), logged at any level. */
export async function startTandem(options: TandemOptions): Promise<RunningServer> {
  const args = [
    '--port', '0',
    '--data-dir', options.dataDir,
    '--serve-client', 'off',
    '--log-level', options.logLevel,
    '--fsync', options.fsync ? 'on' : 'off',
  ];
  const entry = options.entry ?? join(REPO_ROOT, 'server/main.ts');
  const child = spawnNode(entry, args, {
    cwd: join(entry, '../..'),
    env: BENCH_LIMITS,
    nodeFlags: profileFlags(options.label, options),
  });
  const match = await child.waitForStderr(/WebSocket\s+(ws:\/\/\S+)/, 30_000, 'the start-up banner');
  return { label: options.label, wsUrl: match[1] as string, child, stop: () => child.stop('SIGTERM', 60_000) };
}

export interface HocuspocusOptions extends ProfileOption {
  label: string;
  flushDelay: 0 | false;
}

export async function startHocuspocus(options: HocuspocusOptions): Promise<RunningServer> {
  const child = spawnNode(join(REPO_ROOT, 'bench/hocuspocus-server.ts'), ['--flush-delay', String(options.flushDelay)], {
    cwd: REPO_ROOT,
    nodeFlags: profileFlags(options.label, options),
  });
  const line = await child.waitForLine((l) => l.msg === 'listening', 30_000, 'listening');
  return {
    label: options.label,
    wsUrl: `ws://127.0.0.1:${String(line.port)}/`,
    child,
    stop: () => child.stop('SIGTERM', 60_000),
  };
}
