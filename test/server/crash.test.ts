// Crash safety: an edit whose save was acknowledged survives a SIGKILL of the server at any moment.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import * as prng from 'lib0/prng';
import { connectClient, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { killAndWait, startServerProcess, type ExitStatus, type ServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/server.ts';

const TRIALS = 30;
const CLIENTS = 5;
const DOCUMENTS = ['crash-a', 'crash-b'];
const KILL_AFTER_MS = { min: 50, max: 400 };
// Small thresholds make the kill land during compactions too, not only during appends.
const COMPACT_AFTER_UPDATES = [50, 500, 10_000];

const seed = Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replayHint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;

let dataDir: string | undefined;
let server: ServerProcess | undefined;
const clients: TestClient[] = [];

after(async () => {
  for (const client of clients) client.destroy();
  await killAndWait(server);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** One editing client and what the server told it was saved. */
interface Writer {
  client: TestClient;
  documentName: string;
  /** Tokens in the order they were inserted. */
  tokens: string[];
  /** tokens[0 .. acknowledged) were inserted before an "all saved" signal from the server. */
  acknowledged: number;
  stop(): void;
}

function startWriter(client: TestClient, documentName: string, name: string, random: prng.PRNG): Writer {
  const text = client.doc.getText('t');
  const writer: Writer = { client, documentName, tokens: [], acknowledged: 0, stop };
  client.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
    // A count of 0 means the server acknowledged every update this provider sent: all are on disk.
    if (number === 0 && client.socket.status === 'connected') writer.acknowledged = writer.tokens.length;
  });
  let timer: NodeJS.Timeout | undefined;
  let n = 0;
  const edit = () => {
    const count = prng.int32(random, 1, 3);
    // Whole tokens at either end: inserts never split another token, so the text parses back.
    const atStart = prng.bool(random);
    const batch: string[] = [];
    for (let i = 0; i < count; i += 1) batch.push(`${name}-${n++};`);
    client.doc.transact(() => {
      for (const token of batch) text.insert(atStart ? 0 : text.length, token);
    });
    writer.tokens.push(...batch);
    timer = setTimeout(edit, prng.int32(random, 0, 3));
  };
  function stop() {
    clearTimeout(timer);
  }
  edit();
  return writer;
}

const TOKEN = /^t\d+c\d+-\d+;$/;

function tokensIn(text: string): Set<string> {
  return new Set(text.split(';').filter(Boolean).map((token) => `${token};`));
}

test(`acknowledged edits survive SIGKILL (${TRIALS} trials, ${replayHint})`, { timeout: 180_000 }, async (t) => {
  t.diagnostic(replayHint);
  const random = prng.create(seed);
  dataDir = await makeTempDir('tandem-crash-');
  let threshold = COMPACT_AFTER_UPDATES[0]!;
  server = await startServerProcess({ dataDir, args: ['--compact-after-updates', String(threshold)] });
  const port = server.port;
  // Every token ever acknowledged, per document: later trials must not lose earlier ones either.
  const acknowledged = new Map<string, string[]>(DOCUMENTS.map((name) => [name, []]));
  let totalAcknowledged = 0;
  let totalSent = 0;

  for (let trial = 0; trial < TRIALS; trial += 1) {
    const killAfterMs = prng.int32(random, KILL_AFTER_MS.min, KILL_AFTER_MS.max);
    const nextThreshold = prng.oneOf(random, COMPACT_AFTER_UPDATES);

    for (let c = 0; c < CLIENTS; c += 1) {
      const client = await connectClient(server.wsUrl, DOCUMENTS[c % DOCUMENTS.length]!);
      clients.push(client);
      await waitForAllSaved(client);
    }
    const writers = clients.map((client, c) =>
      startWriter(client, DOCUMENTS[c % DOCUMENTS.length]!, `t${trial}c${c}`, prng.create(seed + trial * CLIENTS + c + 1)),
    );

    // Not a wait for a condition: this delay is the random moment of the crash.
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    server.kill('SIGKILL');
    for (const writer of writers) writer.stop();
    const exit: ExitStatus = await server.waitForExit();
    assert.equal(exit.signal, 'SIGKILL', `trial ${trial}: the server should die by SIGKILL, not exit on its own`);

    // Forget everything the old clients hold, so only the server's disk can bring the edits back.
    for (const writer of writers) writer.client.destroy();
    clients.length = 0;
    let trialAcknowledged = 0;
    let trialSent = 0;
    for (const writer of writers) {
      acknowledged.get(writer.documentName)!.push(...writer.tokens.slice(0, writer.acknowledged));
      trialAcknowledged += writer.acknowledged;
      trialSent += writer.tokens.length;
    }
    totalAcknowledged += trialAcknowledged;
    totalSent += trialSent;

    server = await startServerProcess({ dataDir, port, args: ['--compact-after-updates', String(nextThreshold)] });
    for (const documentName of DOCUMENTS) {
      const fresh = await connectClient(server.wsUrl, documentName);
      const text = fresh.doc.getText('t').toString();
      fresh.destroy();
      const present = tokensIn(text);
      const garbled = [...present].filter((token) => !TOKEN.test(token));
      assert.deepEqual(garbled.slice(0, 5), [], `trial ${trial}: "${documentName}" holds garbled text; ${replayHint}`);
      const lost = acknowledged.get(documentName)!.filter((token) => !present.has(token));
      assert.deepEqual(
        lost.slice(0, 20),
        [],
        `trial ${trial} (killed after ${killAfterMs} ms): ${lost.length} acknowledged edits of "${documentName}" ` +
          `are gone after restart; ${replayHint}`,
      );
    }
    t.diagnostic(
      `trial ${trial}: killed after ${killAfterMs} ms (compacting every ${threshold} updates); ` +
        `${trialAcknowledged} of ${trialSent} edits were acknowledged, all kept`,
    );
    threshold = nextThreshold;
  }

  t.diagnostic(`${totalAcknowledged} of ${totalSent} edits acknowledged before the kills; none lost`);
  // Guards the test itself: with no acknowledged edits it would prove nothing.
  assert.ok(totalAcknowledged >= TRIALS * CLIENTS, `too few acknowledged edits (${totalAcknowledged}) to mean anything`);
});
