// PostgreSQL goes away under a running Tandem process (a clean restart, or a SIGKILL of every PostgreSQL
// process) while providers type on several documents: edits wait unacknowledged, /readyz says so, and once
// PostgreSQL is back Tandem takes writes again by itself, with every edit stored and every client converged.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import * as prng from 'lib0/prng';
import type { Log } from './crash-trials.ts';
import type { TestPostgres } from './postgres.ts';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from './providers.ts';
import { killAndWait, startServerProcess, type ServerProcess } from './server-process.ts';
import { makeTempDir } from './server.ts';
import { readFromServer, TEXT } from './saved.ts';
import { garbledTokens, startTypist, tokensIn, type Typist } from './typists.ts';

export interface OutageOptions {
  seed: number;
  log: Log;
  /** The PostgreSQL to take away; each run uses a database of its own in it. */
  postgres: TestPostgres;
  /** 'restart': a fast shutdown, then start. 'kill': SIGKILL of every PostgreSQL process, then crash recovery. */
  how: 'restart' | 'kill';
  documents?: number;
  clientsPerDocument?: number;
}

/** How long to wait for Tandem to notice and to recover; generous, the machine may be busy. */
const NOTICE_MS = 15_000;
const RECOVER_MS = 45_000;
/** Well below the 30 s after which a provider's silent socket reconnects by itself. */
const LOAD_MS = 15_000;

/** One run; resolves with a short note for a summary, throws an AssertionError naming the seed on any failure. */
export async function postgresOutageScenario(options: OutageOptions): Promise<string> {
  const { seed, log, postgres, how, documents = 3, clientsPerDocument = 2 } = options;
  const hint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;
  const random = prng.create(seed);
  const databaseUrl = await postgres.createDatabase(`outage_${how}`);
  const args = ['--database-url', databaseUrl, '--compact-after-updates', '50'];
  const dataDir = await makeTempDir('tandem-outage-');
  const names = Array.from({ length: documents }, (_, d) => `outage-${d}`);
  const clients: TestClient[] = [];
  let server: ServerProcess | undefined;
  let postgresDown = false;
  let typists: Typist[] = [];
  try {
    server = await startServerProcess({ dataDir, args });
    for (let c = 0; c < documents * clientsPerDocument; c += 1) {
      const client = await connectClient(server.wsUrl, names[c % documents]!);
      clients.push(client);
      await waitForAllSaved(client);
    }
    typists = clients.map((client, c) =>
      startTypist(client, names[c % documents]!, { name: `r${seed % 1000}c${c}`, random: prng.create(seed + c + 1) }),
    );
    await waitFor(() => typists.every((typist) => typist.acknowledged > 0), 20_000, 'a first acknowledgement for every typist');
    // Not a wait for a condition: the random moment PostgreSQL goes away, mid-typing.
    await new Promise((resolve) => setTimeout(resolve, prng.int32(random, 50, 500)));

    if (how === 'restart') await postgres.stop();
    else await postgres.kill();
    postgresDown = true;
    const downAt = performance.now();
    // Whatever is typed from here on cannot have been committed before PostgreSQL went away.
    const typedBefore = typists.map((typist) => typist.tokens.length);
    const acknowledgedBefore = typists.reduce((sum, typist) => sum + typist.acknowledged, 0);

    const notReady = await pollReadiness(server, 503, NOTICE_MS);
    assert.match(notReady.reason, /storage unreachable/, `/readyz while PostgreSQL is down; ${hint}`);
    const noticedMs = performance.now() - downAt;
    // A reader opening a document no one has open: its load waits for PostgreSQL like the writes do.
    const latecomer = await connectClient(server.wsUrl, 'outage-latecomer', { waitForSync: false });
    clients.push(latecomer);
    const refusals: string[] = [];
    latecomer.provider.on('authenticationFailed', ({ reason }: { reason: string }) => refusals.push(reason));
    // Not a wait for a condition: how long the outage lasts, with typing going on.
    await new Promise((resolve) => setTimeout(resolve, prng.int32(random, 1_000, 2_500)));
    typists.forEach((typist, i) => {
      assert.ok(
        typist.acknowledged <= typedBefore[i]!,
        `${typist.client.provider.configuration.name}: ${typist.acknowledged - typedBefore[i]!} edits typed while PostgreSQL was down were acknowledged; ${hint}`,
      );
      assert.ok(typist.client.provider.unsyncedChanges > 0, `the typist's edits wait for an acknowledgement; ${hint}`);
    });
    assert.equal((await readiness(server)).status, 503, `/readyz still 503 at the end of the outage; ${hint}`);
    const typedDuring = typists.reduce((sum, typist, i) => sum + typist.tokens.length - typedBefore[i]!, 0);

    await postgres.start();
    postgresDown = false;
    const upAt = performance.now();
    await pollReadiness(server, 200, RECOVER_MS);
    const readyMs = performance.now() - upAt;
    // Its load waited for PostgreSQL; refused, the stock provider would not ask again until its socket
    // dropped (after 30 s of silence), and the demo editor would say "Access denied" for good.
    await waitFor(() => latecomer.provider.isSynced, LOAD_MS, 'the document opened during the outage to load');
    const loadedMs = performance.now() - upAt;
    assert.deepEqual(refusals, [], `the document opened during the outage was refused; ${hint}`);
    // Not a wait for a condition: typing goes on for a moment on the recovered connection.
    await new Promise((resolve) => setTimeout(resolve, prng.int32(random, 100, 400)));
    for (const typist of typists) typist.stop();
    for (const client of clients) await waitForAllSaved(client, RECOVER_MS);
    assert.equal(server.exited, false, 'Tandem kept running through the outage');

    const logs = server.logs();
    assert.ok(logs.some((entry) => entry.msg === 'PostgreSQL is not taking writes; edits wait unacknowledged and are retried'));
    assert.ok(logs.some((entry) => entry.msg === 'PostgreSQL is taking writes again'));

    // Every client of a document holds the same text, with every token every typist typed.
    const expected = new Map<string, string>();
    for (const name of names) {
      const own = typists.filter((typist) => typist.documentName === name);
      const text = own[0]!.client.doc.getText(TEXT).toString();
      for (const typist of own) {
        assert.equal(typist.client.doc.getText(TEXT).toString(), text, `clients of "${name}" converge; ${hint}`);
        assert.equal(typist.acknowledged, typist.tokens.length, 'every edit acknowledged once saved');
      }
      assertHoldsAll(text, own, `"${name}" after the outage; ${hint}`);
      expected.set(name, text);
    }
    latecomer.doc.getText(TEXT).insert(0, 'late0-0;');
    await waitForAllSaved(latecomer, RECOVER_MS);

    // Only what PostgreSQL holds: kill Tandem, start a new one, read with fresh providers.
    for (const client of clients) client.destroy();
    clients.length = 0;
    server.kill('SIGKILL');
    await server.waitForExit();
    server = await startServerProcess({ dataDir, port: server.port, args });
    for (const name of names) {
      assert.equal(await readFromServer(server.wsUrl, name), expected.get(name), `"${name}" as stored in PostgreSQL; ${hint}`);
    }
    assert.equal(await readFromServer(server.wsUrl, 'outage-latecomer'), 'late0-0;', `the document opened during the outage; ${hint}`);

    const sent = typists.reduce((sum, typist) => sum + typist.tokens.length, 0);
    log(
      `${how}: /readyz 503 ${ms(noticedMs)} after PostgreSQL went down, 200 ${ms(readyMs)} after it was back, ` +
        `a document opened meanwhile loaded after ${ms(loadedMs)}; ` +
        `${acknowledgedBefore} edits acknowledged before, ${typedDuring} typed during the outage, ${sent} in all, none lost`,
    );
    // Short, for the soak's summary table.
    const note = `503 after ${ms(noticedMs)}, 200 ${ms(readyMs)} after restart, ${typedDuring}/${sent} typed during, none lost`;
    return note;
  } catch (error) {
    // A Tandem that died on its own is the finding: say how, with its last words.
    if (server?.exited) {
      const { code, signal } = await server.waitForExit();
      const lastLogs = server.lines.slice(-5).join('\n');
      throw new Error(`Tandem exited (code ${code}, signal ${signal}) during the outage run; ${hint}\n${server.stderr()}\n${lastLogs}`, { cause: error });
    }
    throw error;
  } finally {
    for (const typist of typists) typist.stop();
    for (const client of clients) client.destroy();
    await killAndWait(server);
    if (postgresDown) await postgres.start();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function assertHoldsAll(text: string, typists: readonly Typist[], what: string): void {
  assert.deepEqual(garbledTokens(text).slice(0, 5), [], `${what}: garbled text`);
  const present = tokensIn(text);
  const missing = typists.flatMap((typist) => typist.tokens.filter((token) => !present.has(token)));
  assert.deepEqual(missing.slice(0, 20), [], `${what}: ${missing.length} edits missing`);
}

async function readiness(server: ServerProcess): Promise<{ status: number; reason: string }> {
  const response = await fetch(`${server.url}/readyz`);
  const body = (await response.json()) as { reason?: string };
  return { status: response.status, reason: String(body.reason ?? '') };
}

async function pollReadiness(server: ServerProcess, status: number, timeoutMs: number): Promise<{ status: number; reason: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await readiness(server);
    if (answer.status === status) return answer;
    if (Date.now() > deadline) throw new Error(`/readyz did not answer ${status} within ${timeoutMs} ms (last: ${answer.status} ${answer.reason})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}


function ms(milliseconds: number): string {
  return `${Math.round(milliseconds)} ms`;
}
