// Busy child processes that keep every core spinning, so a test can run the server under CPU contention.
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface CpuBurners {
  /** How many processes are spinning. */
  count: number;
  /** SIGKILLs each burner and waits for it to exit; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts `count` (default: one per core) processes that spin forever; resolves once each has started. */
export async function startCpuBurners(count = availableParallelism()): Promise<CpuBurners> {
  const children: ChildProcess[] = [];
  const exits: Array<Promise<void>> = [];
  const stop = async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await Promise.all(exits);
  };
  try {
    for (let i = 0; i < count; i += 1) {
      const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
      children.push(child);
      exits.push(new Promise((resolve) => child.once('exit', () => resolve())));
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    }
  } catch (error) {
    await stop();
    throw new Error(`could not start CPU burner ${children.length} of ${count}`, { cause: error });
  }
  return { count, stop };
}
