// Runs the real Tandem server (server/main.ts) as a child process, for crash and signal tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcessOptions {
  dataDir: string;
  /** 0 (the default) picks a free port; pass the previous port on restart so providers reconnect. */
  port?: number;
  /** Extra command-line flags, e.g. `['--compact-after-updates', '100']`. */
  args?: readonly string[];
  /** How long to wait for the "listening" log line. */
  startTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  port: number;
  /** ws://127.0.0.1:PORT/ */
  wsUrl: string;
  /** http://127.0.0.1:PORT */
  url: string;
  child: ChildProcess;
  /** Every stdout line so far (pino JSON), in order. */
  lines: string[];
  /** The stdout lines that parse as JSON. */
  logs(): Array<Record<string, unknown>>;
  /** Everything written to stderr so far (banner, crash traces). */
  stderr(): string;
  /** Sends `signal`; a no-op once the process has exited. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited (immediately if it already has). */
  waitForExit(): Promise<ExitStatus>;
  readonly exited: boolean;
}

/** Starts `node server/main.ts` and resolves once it logged "listening"; rejects if it exits first. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const { dataDir, port = 0, args = [], startTimeoutMs = 20_000 } = options;
  const child = spawn(
    process.execPath,
    [
      'server/main.ts',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--serve-client',
      'off',
      '--log-level',
      'info',
      ...args,
    ],
    { cwd: REPO_ROOT, env: withoutTandemSettings(process.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );

  const lines: string[] = [];
  let stderr = '';
  let exitStatus: ExitStatus | null = null;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });

  const listening = new Promise<{ http: string; websocket: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not log "listening" within ${startTimeoutMs} ms\nstderr:\n${stderr}`));
    }, startTimeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const entry = parseJson(line);
      if (entry?.msg === 'listening') {
        clearTimeout(timer);
        resolve({ http: String(entry.http), websocket: String(entry.websocket) });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening\nstderr:\n${stderr}`));
    });
  });
  const urls = await listening;
  const boundPort = Number(new URL(urls.http).port);

  return {
    port: boundPort,
    wsUrl: `ws://127.0.0.1:${boundPort}/`,
    url: `http://127.0.0.1:${boundPort}`,
    child,
    lines,
    logs: () => lines.map(parseJson).filter((entry): entry is Record<string, unknown> => entry !== null),
    stderr: () => stderr,
    kill(signal) {
      if (exitStatus === null) child.kill(signal);
    },
    waitForExit: () => exited,
    get exited() {
      return exitStatus !== null;
    },
  };
}

/** Resolves with the exit status, or rejects after `timeoutMs` (the process is left running). */
export async function exitWithin(server: ServerProcess, timeoutMs: number): Promise<ExitStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`server process did not exit within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([server.waitForExit(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Test clean-up: SIGKILL and wait, so no child outlives its test. */
export async function killAndWait(server: ServerProcess | undefined): Promise<void> {
  if (!server || server.exited) return;
  server.kill('SIGKILL');
  await server.waitForExit();
}

// A developer's TANDEM_* variables would silently change the server under test; flags alone configure it.
function withoutTandemSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('TANDEM_')));
}

function parseJson(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    // The server writes only JSON to stdout; anything else is kept in `lines` for diagnostics.
    return null;
  }
}
