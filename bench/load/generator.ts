// The runner side of a load generator: a child process driven by commands, each answered by one reply.
import { spawnNode, type LogLine, type NodeChild } from '../lib/child.ts';

export class Generator {
  readonly name: string;
  readonly child: NodeChild;
  #nextId = 1;

  constructor(name: string, script: string, args: string[] = []) {
    this.name = name;
    this.child = spawnNode(script, args, { stdin: true });
  }

  /** Sends a command; resolves with its reply. Rejects if the generator exits or takes over `timeoutMs`. */
  request(cmd: string, fields: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<LogLine> {
    const id = this.#nextId++;
    const reply = this.waitFor((line) => line.msg === 'done' && line.id === id, timeoutMs, `the reply to "${cmd}"`);
    this.child.send({ cmd, id, ...fields });
    return reply;
  }

  /** Sends a command without waiting for its reply. */
  post(cmd: string, fields: Record<string, unknown> = {}): void {
    this.child.send({ cmd, id: this.#nextId++, ...fields });
  }

  /** Calls `listener` for every later line with this `msg`; returns the unsubscribe function. */
  on(msg: string, listener: (line: LogLine) => void): () => void {
    return this.child.onLine((line) => {
      if (line.msg === msg) listener(line);
    });
  }

  /** The next line (from now on) that `match` accepts. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        unsubscribe();
        settle();
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}\n${this.child.stderr().slice(-4000)}`))),
        timeoutMs,
      );
      const unsubscribe = this.child.onLine((line) => {
        if (match(line)) finish(() => resolve(line));
      });
      void this.child.exited.then((code) =>
        finish(() => reject(new Error(`${this.name} exited (code ${code}) before ${what}\n${this.child.stderr().slice(-4000)}`))),
      );
    });
  }

  stop(): Promise<number | null> {
    return this.child.stop('SIGTERM', 10_000);
  }
}

/** Splits `count` items into `parts` near-equal consecutive ranges [start, end). */
export function split(count: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, part) => [Math.floor((count * part) / parts), Math.floor((count * (part + 1)) / parts)]);
}
