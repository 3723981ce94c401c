// One Tandem instance of `npm run cluster`: a child process whose log lines are shown prefixed with its name.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface InstanceOptions {
  name: string;
  port: number;
  /** Flags after `node server/main.ts`. */
  args: readonly string[];
  /** The repository root (server/main.ts is relative to it). */
  cwd: string;
  /** The environment (the cluster secret travels here, not in argv where `ps` would show it). */
  env: NodeJS.ProcessEnv;
  /** Where prefixed lines go (the terminal). */
  out: NodeJS.WritableStream;
  /** An ANSI colour code for the name, or null for none (not a terminal). */
  color: number | null;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Instance {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Resolves once it logged "listening"; rejects with its exit status if it exits first. */
  readonly listening: Promise<void>;
  readonly exited: Promise<ExitStatus>;
  /** Sends a signal if it still runs. */
  signal(name: NodeJS.Signals): void;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Fields every pino line has, shown in the prefix or dropped, not repeated after the message.
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'app', 'msg', 'module']);

export function startInstance(options: InstanceOptions): Instance {
  const { name, port, out } = options;
  // Its own process group: a Ctrl-C in the terminal reaches only the script, which drains the instances itself.
  const child: ChildProcess = spawn(process.execPath, ['server/main.ts', ...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const label = options.color === null ? name.padEnd(8) : `\x1b[${options.color}m${name.padEnd(8)}\x1b[0m`;
  const show = (text: string) => out.write(`${label}│ ${text}\n`);
  let running = true;
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );

  const listening = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = parseJson(line);
      show(entry ? formatEntry(entry) : line);
      if (entry?.msg === 'listening') resolve();
    });
    // What it wrote to stderr is already on the terminal, prefixed.
    void exited.then(({ code, signal }) => reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before listening`)));
  });
  // Rejections are reported by whoever awaits `listening`; one arriving after start-up is not an error.
  listening.catch(() => undefined);

  // The instance's own start-up banner is replaced by the script's; everything else on stderr is shown.
  let inBanner = false;
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (line.trim() === 'Tandem is running') inBanner = true;
    if (!inBanner && line.trim() !== '') show(line);
    if (line.trim() === 'Press Ctrl+C to stop.') inBanner = false;
  });

  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    get pid() {
      return child.pid;
    },
    get running() {
      return running;
    },
    listening,
    exited,
    signal(signal) {
      if (running) child.kill(signal);
    },
  };
}

/** `12:03:04 INFO  [ws] message {the other fields}`: pino's JSON, readable in a terminal. */
function formatEntry(entry: Record<string, unknown>): string {
  const time = typeof entry.time === 'number' || typeof entry.time === 'string' ? new Date(entry.time).toTimeString().slice(0, 8) : '';
  const level = (LEVELS[Number(entry.level)] ?? String(entry.level)).padEnd(5);
  const module = typeof entry.module === 'string' ? `[${entry.module}] ` : '';
  const rest = Object.fromEntries(Object.entries(entry).filter(([key]) => !SHOWN.has(key)));
  const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${time} ${level} ${module}${String(entry.msg ?? '')}${fields}`;
}

function parseJson(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    // Not a log line (the server writes only JSON to stdout): shown as it is.
    return null;
  }
}
