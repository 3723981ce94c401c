// Child processes that speak JSON lines on stdout: spawn, wait for a line, stop with a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

export type LogLine = Record<string, unknown>;

export interface NodeChild {
  readonly process: ChildProcess;
  /** Every stdout line that parsed as a JSON object, in order. */
  readonly lines: LogLine[];
  /** stderr so far, for error messages. */
  stderr(): string;
  /** Resolves with the first stdout JSON line (past or future) that `match` accepts. */
  waitForLine(match: (line: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine>;
  /** Resolves with the first stderr text that `pattern` matches. */
  waitForStderr(pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpMatchArray>;
  /** Calls `listener` with every later stdout JSON line; returns the unsubscribe function. */
  onLine(listener: (line: LogLine) => void): () => void;
  /** Writes `line` as one JSON line to the child's stdin (spawned with `stdin: true`). */
  send(line: LogLine): void;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  /** Flags for node itself, before the script (e.g. --cpu-prof). */
  nodeFlags?: string[];
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** A stdin pipe for commands (`send`), e.g. to drive a load generator step by step. */
  stdin?: boolean;
}

// Children still running when the bench exits (a failed run) are killed, never left behind.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Runs `script` with the same node binary as this process. */
export function spawnNode(script: string, args: string[], options: SpawnOptions = {}): NodeChild {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), script, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  const listeners = new Set<(line: LogLine) => void>();
  let stderrText = '';
  let exitCode: number | null | undefined;

  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  createInterface({ input: child.stdout! }).on('line', (text) => {
    if (!text.startsWith('{')) return;
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch (error) {
      // A child's stdout is ours to read; a garbled line is a bug worth seeing, not a fatal one.
      process.stderr.write(`bench: unparsable line from ${script}: ${text} (${String(error)})\n`);
      return;
    }
    lines.push(line);
    for (const listener of [...listeners]) listener(line);
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderrText += chunk;
    notify();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      exitCode = code ?? (signal ? null : 0);
      notify();
      resolve(exitCode);
    }),
  );

  const waitUntil = <T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found !== undefined) return finish(() => resolve(found));
        if (exitCode !== undefined) {
          finish(() =>
            reject(new Error(`${script} exited (code ${exitCode}) before ${what}\n${stderrText.slice(-4000)}`)),
          );
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} from ${script}\n${stderrText.slice(-4000)}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  return {
    process: child,
    lines,
    stderr: () => stderrText,
    waitForLine: (match, timeoutMs, what) => waitUntil(() => lines.find(match), timeoutMs, what),
    waitForStderr: (pattern, timeoutMs, what) => waitUntil(() => stderrText.match(pattern) ?? undefined, timeoutMs, what),
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send(line) {
      if (!child.stdin) throw new Error(`${script} was spawned without stdin`);
      child.stdin.write(`${JSON.stringify(line)}\n`);
    },
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a child to completion and returns its last JSON line with `msg === 'result'`. */
export async function runToResult(script: string, args: string[], timeoutMs: number, options: SpawnOptions = {}): Promise<LogLine> {
  const child = spawnNode(script, args, options);
  try {
    const result = await child.waitForLine((line) => line.msg === 'result', timeoutMs, 'its result');
    const code = await Promise.race([child.exited, delay(10_000, undefined, { ref: false }).then(() => 'hung' as const)]);
    if (code === 'hung') process.stderr.write(`bench: ${script} printed its result but did not exit; killing it\n`);
    else if (code !== 0) throw new Error(`${script} exited with code ${code}\n${child.stderr().slice(-4000)}`);
    return result;
  } finally {
    await child.stop('SIGKILL');
  }
}
