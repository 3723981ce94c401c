// Graceful shutdown on SIGTERM/SIGINT: exit 0 quickly, clients told 1001, nothing lost across the restart.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { exitWithin, killAndWait, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/server.ts';

// Two clients share a document, one has its own: both a shared and a lone document must unload.
const DOCUMENT_OF_CLIENT = ['shutdown-a', 'shutdown-a', 'shutdown-b'];
const EXIT_WITHIN_MS = 10_000;
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const servers = new Set<ServerProcess>();
const dataDirs: string[] = [];
const clients: TestClient[] = [];

after(async () => {
  for (const client of clients) client.destroy();
  for (const server of servers) await killAndWait(server);
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

async function start(dataDir: string, port?: number): Promise<ServerProcess> {
  const server = await startServerProcess({ dataDir, port });
  servers.add(server);
  return server;
}

/** A client that keeps inserting `name-n;` tokens, connected or not, and records the close codes it sees. */
interface Writer {
  client: TestClient;
  documentName: string;
  tokens: string[];
  closeCodes: number[];
  stop(): void;
}

function startWriter(client: TestClient, documentName: string, name: string): Writer {
  const text = client.doc.getText('t');
  const writer: Writer = { client, documentName, tokens: [], closeCodes: [], stop: () => clearInterval(timer) };
  client.provider.on('close', ({ event }: { event: { code: number } }) => writer.closeCodes.push(event.code));
  const timer = setInterval(() => {
    const token = `${name}-${writer.tokens.length};`;
    text.insert(text.length, token);
    writer.tokens.push(token);
  }, 5);
  return writer;
}

/** Polls /readyz until stopped; counts each status seen (or "refused" once nothing listens). */
function pollReadiness(url: string): { seen: Map<string, number>; stop(): Promise<void> } {
  const seen = new Map<string, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      let outcome: string;
      try {
        const response = await fetch(`${url}/readyz`);
        const body = (await response.json()) as { reason?: string };
        outcome = `${response.status} ${body.reason ?? ''}`.trim();
      } catch {
        // Expected once the listening socket is closed; refusal is an outcome, not a failure.
        outcome = 'refused';
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await loop;
    },
  };
}

function missingTokens(text: string, writers: Writer[], documentName: string): string[] {
  const present = new Set(text.split(';').filter(Boolean).map((token) => `${token};`));
  return writers.filter((w) => w.documentName === documentName).flatMap((w) => w.tokens.filter((token) => !present.has(token)));
}

async function assertStoredForFreshClient(server: ServerProcess, writers: Writer[], when: string): Promise<void> {
  for (const documentName of new Set(DOCUMENT_OF_CLIENT)) {
    const fresh = await connectClient(server.wsUrl, documentName);
    const missing = missingTokens(fresh.doc.getText('t').toString(), writers, documentName);
    fresh.destroy();
    assert.deepEqual(missing.slice(0, 10), [], `${when}: ${missing.length} edits of "${documentName}" missing for a fresh client`);
  }
}

async function stopGracefully(server: ServerProcess, signal: NodeJS.Signals): Promise<void> {
  server.kill(signal);
  const exit = await exitWithin(server, EXIT_WITHIN_MS);
  assert.deepEqual(exit, { code: 0, signal: null }, `exit status after ${signal}; stderr:\n${server.stderr()}`);
  assert.ok(
    server.logs().some((line) => line.msg === 'shut down cleanly'),
    `"shut down cleanly" logged after ${signal}`,
  );
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal}: exits 0, clients see 1001 and reconnect, every edit survives`, { timeout: 60_000 }, async (t) => {
    const dataDir = await makeTempDir('tandem-shutdown-');
    dataDirs.push(dataDir);
    const first = await start(dataDir);

    const writers: Writer[] = [];
    for (const [c, documentName] of DOCUMENT_OF_CLIENT.entries()) {
      const client = await connectClient(first.wsUrl, documentName);
      clients.push(client);
      writers.push(startWriter(client, documentName, `${signal}-c${c}`));
    }
    await waitFor(() => writers.every((w) => w.tokens.length >= 20), 5_000, 'every client to make some edits');

    const readiness = pollReadiness(first.url);
    await waitFor(() => readiness.seen.has('200 storage open'), 5_000, '/readyz to answer 200 before the signal');
    const signalled = performance.now();
    await stopGracefully(first, signal);
    t.diagnostic(`${signal}: exited 0 after ${Math.round(performance.now() - signalled)} ms`);
    await readiness.stop();
    const statuses = [...readiness.seen.keys()];
    t.diagnostic(`/readyz during shutdown: ${JSON.stringify(Object.fromEntries(readiness.seen))}`);
    for (const status of statuses) {
      assert.ok(['200 storage open', '503 shutting down', 'refused'].includes(status), `unexpected /readyz outcome "${status}"`);
    }

    await waitFor(() => writers.every((w) => w.closeCodes.includes(1001)), 5_000, 'every client to see close code 1001');
    t.diagnostic(`close codes seen: ${writers.map((w) => `[${w.closeCodes.join(', ')}]`).join(' ')}`);

    // Edits made while no server runs stay in the clients and must arrive after the restart.
    const whileDown = writers.map((w) => w.tokens.length);
    await waitFor(() => writers.every((w, i) => w.tokens.length >= whileDown[i]! + 10), 5_000, 'edits while the server is down');

    const second = await start(dataDir, first.port);
    // The same providers reconnect on their own, with the backoff they were created with.
    await waitFor(
      () => writers.every((w) => w.client.socket.status === 'connected' && w.client.provider.isSynced),
      10_000,
      'the providers to reconnect',
    );
    const reconnected = writers.map((w) => w.tokens.length);
    await waitFor(() => writers.every((w, i) => w.tokens.length >= reconnected[i]! + 10), 5_000, 'edits after reconnecting');
    for (const writer of writers) writer.stop();

    await waitFor(
      () =>
        writers.every(
          (w) => missingTokens(w.client.doc.getText('t').toString(), writers, w.documentName).length === 0,
        ),
      10_000,
      'the clients to converge on every edit',
    );
    await Promise.all(writers.map((w) => waitForAllSaved(w.client)));
    await assertStoredForFreshClient(second, writers, 'after reconnecting');

    // And on disk: without the clients, a second graceful stop and a restart bring back every edit.
    for (const writer of writers) writer.client.destroy();
    await stopGracefully(second, signal);
    const third = await start(dataDir, first.port);
    await assertStoredForFreshClient(third, writers, 'after a second restart');
    await stopGracefully(third, signal);
  });
}

test('a SIGTERM sent the moment the banner appears still drains and exits 0 (10 starts)', { timeout: 60_000 }, async () => {
  const dataDir = await makeTempDir('tandem-shutdown-early-');
  dataDirs.push(dataDir);
  // A supervisor may stop an instance as soon as it announces itself. With the handler installed after the
  // banner, Node's default for SIGTERM ended 7 of 20 such starts at once, without draining.
  const exits: string[] = [];
  for (let trial = 1; trial <= 10; trial += 1) {
    const child = spawn(process.execPath, ['server/main.ts', '--port', '0', '--data-dir', dataDir, '--serve-client', 'off', '--log-level', 'warn'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let banner = '';
    child.stderr.on('data', (chunk: Buffer) => {
      banner += chunk.toString();
      if (/WebSocket\s+ws:/.test(banner)) child.kill('SIGTERM');
    });
    exits.push(await new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `code ${code}`))));
  }
  assert.deepEqual(exits, Array(10).fill('code 0'));
});
