// The load-generator side of the control channel: commands arrive as JSON lines on stdin, replies go to stdout.
import { createInterface } from 'node:readline';

export type Command = Record<string, unknown> & { cmd: string; id: number };
export type Handler = (command: Command) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

/** Writes one JSON line to stdout (the runner reads it through NodeChild.onLine). */
export function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * Runs `handlers[command.cmd]` for each command, as it arrives, and answers {msg: 'done', id, ...result}.
 * A failing command ends the process (exit code 1, the error on stderr): the runner reports it.
 * The process exits when stdin closes, i.e. when the runner is gone.
 */
export function serveCommands(handlers: Record<string, Handler>): void {
  // Every y-websocket provider adds a process 'exit' listener; hundreds per process are expected here.
  process.setMaxListeners(0);
  createInterface({ input: process.stdin })
    .on('line', (text) => {
      const command = JSON.parse(text) as Command;
      const handler = handlers[command.cmd];
      if (!handler) throw new Error(`unknown command "${command.cmd}"`);
      Promise.resolve()
        .then(() => handler(command))
        .then(
          (result) => emit({ msg: 'done', id: command.id, ...(result ?? {}) }),
          (error: unknown) => {
            process.stderr.write(`command ${command.cmd} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exit(1);
          },
        );
    })
    .on('close', () => process.exit(0));
}
