// "Saved never lies": the stock provider's saved signal, the moment it fires, and checks that the server has it.
import { AssertionError } from 'node:assert/strict';
import * as prng from 'lib0/prng';
import { connectClient, waitFor, type TestClient } from './providers.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';
import type { TraceOp } from './traces.ts';

/** The shared type every writer and reader here uses. */
export const TEXT = 't';

/**
 * The stock provider's "everything saved", as a save badge shows it. Deliberately the provider's own
 * counter: it is what is under test, so nothing here second-guesses it.
 */
export function saysSaved(client: TestClient): boolean {
  return client.provider.isSynced && client.provider.unsyncedChanges === 0;
}

export interface SavedMoment {
  /** The writer's text at the instant the provider first said saved. */
  text: string;
  /** Milliseconds from the call until that instant. */
  waitedMs: number;
}

/**
 * Resolves at the first instant the provider says saved, with the writer's text read in that same turn
 * (inside the provider's own event when it fires one). `onSaved` runs in that turn too: a scenario
 * passes `stopSending` there, like a user closing the tab the moment the badge says Saved, so that
 * nothing the provider would send afterwards (a reconnect's sync reply) can paper over a lie.
 */
export function waitForSaved(
  client: TestClient,
  timeoutMs: number,
  what: string,
  onSaved: () => void = () => undefined,
): Promise<SavedMoment> {
  const started = performance.now();
  const { provider } = client;
  return new Promise<SavedMoment>((resolve, reject) => {
    let poll: NodeJS.Timeout | undefined;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      clearTimeout(poll);
      provider.off('unsyncedChanges', check);
      provider.off('synced', check);
      if (error) reject(error);
    };
    function check(): boolean {
      if (!saysSaved(client)) return false;
      const text = client.doc.getText(TEXT).toString();
      onSaved();
      finish();
      resolve({ text, waitedMs: performance.now() - started });
      return true;
    }
    const timer = setTimeout(() => {
      finish(
        new Error(
          `timed out after ${timeoutMs} ms waiting for ${what} to say saved ` +
            `(isSynced ${provider.isSynced}, unsyncedChanges ${provider.unsyncedChanges}, socket ${client.socket.status})`,
        ),
      );
    }, timeoutMs);
    provider.on('unsyncedChanges', check);
    provider.on('synced', check);
    // The events cover every change of the counter; the poll covers a condition that is already true.
    const tick = () => {
      if (!check()) poll = setTimeout(tick, 5);
    };
    tick();
  });
}

/**
 * Closes the provider's socket and keeps it closed: what was handed to the socket still reaches the
 * server (a WebSocket close follows queued data), nothing later does.
 */
export function stopSending(client: TestClient): void {
  client.socket.disconnect();
}

/** Opens the socket again after `stopSending` and waits until the provider synced and has nothing unsaved. */
export async function resumeSending(client: TestClient, timeoutMs = 10_000): Promise<void> {
  // connect() is a no-op while the old socket still reports itself connected, mid close handshake.
  await waitFor(() => client.socket.status === 'disconnected' && !client.provider.isSynced, timeoutMs, 'the writer’s socket to close');
  void client.socket.connect();
  await waitFor(() => client.socket.status === 'connected' && saysSaved(client), timeoutMs, 'the writer to sync again');
}

export interface ConnectionWatch {
  /** `disconnect` events of the provider's socket. */
  disconnects: number;
  /** `close` events, with the close code and reason the server sent. */
  closes: Array<{ code: number | undefined; reason: string }>;
  /** e.g. "2 closes: 4429 ×2". */
  summary(): string;
  stop(): void;
}

/** Counts the socket's disconnects and closes from now on. */
export function watchConnection(client: TestClient): ConnectionWatch {
  const onDisconnect = () => {
    watch.disconnects += 1;
  };
  const onClose = ({ event }: { event?: { code?: number; reason?: string } }) => {
    watch.closes.push({ code: event?.code, reason: String(event?.reason ?? '') });
  };
  const watch: ConnectionWatch = {
    disconnects: 0,
    closes: [],
    summary() {
      const byCode = new Map<string, number>();
      for (const { code, reason } of watch.closes) {
        const key = reason ? `${code} "${reason}"` : String(code);
        byCode.set(key, (byCode.get(key) ?? 0) + 1);
      }
      const codes = [...byCode].map(([key, count]) => `${key} ×${count}`).join(', ');
      return `${watch.disconnects} disconnects, ${watch.closes.length} closes${codes ? `: ${codes}` : ''}`;
    },
    stop() {
      client.socket.off('disconnect', onDisconnect);
      client.socket.off('close', onClose);
    },
  };
  client.socket.on('disconnect', onDisconnect);
  client.socket.on('close', onClose);
  return watch;
}

export interface BurstOptions {
  /** Single-character inserts, one transaction (one update message) each. */
  count: number;
  /** Inserts between yields to the event loop. */
  yieldEvery?: number;
  /** Picks each character and its position, so a failure replays from the seed. */
  random: prng.PRNG;
  /** Awaited at each yield with the number inserted so far: where a scenario restarts the server. */
  onYield?: (inserted: number) => Promise<void> | void;
}

/** Inserts `count` random letters at random positions as fast as the event loop allows. */
export async function writeBurst(client: TestClient, options: BurstOptions): Promise<void> {
  const { count, yieldEvery = 500, random, onYield } = options;
  const text = client.doc.getText(TEXT);
  for (let inserted = 0; inserted < count; ) {
    const end = Math.min(count, inserted + yieldEvery);
    for (; inserted < end; inserted += 1) {
      const position = prng.uint32(random, 0, text.length);
      const letter = prng.letter(random);
      client.doc.transact(() => text.insert(position, letter));
    }
    await new Promise((resolve) => setImmediate(resolve));
    await onYield?.(inserted);
  }
}

/** Replays trace ops through the client, one transaction each, yielding every `chunk` ops (as trace-replay.test.ts). */
export async function replayTrace(
  client: TestClient,
  ops: readonly TraceOp[],
  options: { chunk?: number; stopped?: () => boolean } = {},
): Promise<void> {
  const { chunk = 2_000, stopped = () => false } = options;
  const text = client.doc.getText(TEXT);
  for (let i = 0; i < ops.length && !stopped(); i += chunk) {
    for (const [position, deleteCount, insert] of ops.slice(i, i + chunk)) {
      client.doc.transact(() => {
        if (deleteCount) text.delete(position, deleteCount);
        if (insert) text.insert(position, insert);
      });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** What a fresh provider, with nothing of its own, gets from the server for `documentName`. */
export async function readFromServer(wsUrl: string, documentName: string): Promise<string> {
  const reader = await connectClient(wsUrl, documentName);
  try {
    return reader.doc.getText(TEXT).toString();
  } finally {
    reader.destroy();
  }
}

/** Asserts equal texts with a short message (lengths and the first difference), not a 60,000-character diff. */
export function assertSameText(actual: string, expected: string, what: string): void {
  if (actual === expected) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i += 1;
  throw new AssertionError({
    message:
      `${what}: the server has ${actual.length} characters, the writer was told ${expected.length} were saved; ` +
      `first difference at index ${i} (server ${JSON.stringify(actual.slice(i, i + 12))}, ` +
      `writer ${JSON.stringify(expected.slice(i, i + 12))})`,
    actual: actual.length,
    expected: expected.length,
    operator: 'strictEqual',
  });
}

/** SIGKILLs the server, checks it died of it, and starts a new one on the same data dir and port. */
export async function killAndRestart(server: ServerProcess, dataDir: string, args: readonly string[] = []): Promise<ServerProcess> {
  server.kill('SIGKILL');
  const exit = await server.waitForExit();
  if (exit.signal !== 'SIGKILL') throw new Error(`the server exited (code ${exit.code}, signal ${exit.signal}) before the SIGKILL`);
  return startServerProcess({ dataDir, port: server.port, args });
}
