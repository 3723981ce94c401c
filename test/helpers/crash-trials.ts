// SIGKILL trials of the real server process over LevelDB or PostgreSQL: providers type, the server is killed at
// a chosen moment and restarted on the same store, and every edit it acknowledged must still be there.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import * as prng from 'lib0/prng';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from './providers.ts';
import { killAndWait, startServerProcess, type ExitStatus, type ServerProcess } from './server-process.ts';
import { makeTempDir } from './server.ts';
import { readFromServer } from './saved.ts';
import { garbledTokens, startTypist, tokensIn, type Typist } from './typists.ts';

export type Log = (line: string) => void;

/** When a trial's kill lands, and what it hit. */
export interface KillMoment {
  /** Resolves at the moment the server is to be killed; typing is under way. */
  arrived(server: ServerProcess): Promise<void>;
  /** After the server died: whether the kill landed where it was aimed, with a note for the trial's line. */
  landed?(): Promise<{ hit: boolean; note: string }>;
}

export interface CrashTrialsOptions {
  seed: number;
  trials: number;
  log: Log;
  /** PostgreSQL URL passed as --database-url (PostgreSQL keeps running); LevelDB in a temp data dir without it. */
  databaseUrl?: string;
  clients?: number;
  documents?: readonly string[];
  /** Each trial's server compacts after one of these, picked at random: small ones make kills hit compactions. */
  compactAfterUpdates?: readonly number[];
  /** The default kill moment: this long after every typist was acknowledged once. */
  killAfterMs?: { min: number; max: number };
  /** Aims a trial's kill; the random delay above when absent. */
  killMoment?: (trial: number, random: prng.PRNG) => KillMoment;
  /** Runs once against the first server before any typing (e.g. to grow a document large). */
  prepare?: (server: ServerProcess) => Promise<void>;
  /** Stops early once this many kills landed where aimed (with `killMoment`). */
  stopAfterHits?: number;
  /** Checks the stored document after each restart, beyond what a fresh provider sees (e.g. the PostgreSQL rows). */
  checkStored?: (documentName: string) => Promise<void>;
}

export interface CrashTrialsResult {
  trials: number;
  acknowledged: number;
  sent: number;
  /** Kills that landed where `killMoment` aimed them. */
  hits: number;
}

const DEFAULTS = {
  clients: 5,
  documents: ['crash-a', 'crash-b'],
  compactAfterUpdates: [50, 500, 10_000],
  killAfterMs: { min: 50, max: 400 },
};

/**
 * Runs the trials against one store; throws (an AssertionError naming the trial and seed) at the first lost
 * or garbled edit. Cleans up its server, clients and data dir either way.
 */
export async function runCrashTrials(options: CrashTrialsOptions): Promise<CrashTrialsResult> {
  const { seed, trials, log, databaseUrl } = options;
  const clientCount = options.clients ?? DEFAULTS.clients;
  const documents = options.documents ?? DEFAULTS.documents;
  const thresholds = options.compactAfterUpdates ?? DEFAULTS.compactAfterUpdates;
  const killAfterMs = options.killAfterMs ?? DEFAULTS.killAfterMs;
  const hint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;
  const random = prng.create(seed);
  const store = databaseUrl ? 'PostgreSQL' : 'LevelDB';
  const storeArgs = databaseUrl ? ['--database-url', databaseUrl] : [];
  const serverArgs = (threshold: number) => [...storeArgs, '--compact-after-updates', String(threshold)];

  const dataDir = await makeTempDir('tandem-crash-');
  const clients: TestClient[] = [];
  let server: ServerProcess | undefined;
  let typists: Typist[] = [];
  try {
    let threshold = prng.oneOf(random, [...thresholds]);
    server = await startServerProcess({ dataDir, args: serverArgs(threshold) });
    const port = server.port;
    await options.prepare?.(server);
    // Every token ever acknowledged, per document: later trials must not lose earlier ones either.
    const acknowledged = new Map<string, string[]>(documents.map((name) => [name, []]));
    const result: CrashTrialsResult = { trials: 0, acknowledged: 0, sent: 0, hits: 0 };

    for (let trial = 0; trial < trials; trial += 1) {
      const nextThreshold = prng.oneOf(random, [...thresholds]);
      for (let c = 0; c < clientCount; c += 1) {
        const client = await connectClient(server.wsUrl, documents[c % documents.length]!);
        clients.push(client);
        await waitForAllSaved(client);
      }
      typists = clients.map((client, c) =>
        startTypist(client, documents[c % documents.length]!, { name: `t${trial}c${c}`, random: prng.create(seed + trial * clientCount + c + 1) }),
      );

      // Each trial must have something to lose: the kill comes after every typist was told "saved" once.
      await waitFor(() => typists.every((typist) => typist.acknowledged > 0), 20_000, `trial ${trial}: a first acknowledgement for every typist`);
      let aim = 'at random';
      const moment = options.killMoment?.(trial, random);
      if (moment) {
        await moment.arrived(server);
      } else {
        const delay = prng.int32(random, killAfterMs.min, killAfterMs.max);
        aim = `${delay} ms after the first acknowledgements`;
        // Not a wait for a condition: this delay is the random moment of the crash.
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      server.kill('SIGKILL');
      for (const typist of typists) typist.stop();
      const exit: ExitStatus = await server.waitForExit();
      assert.equal(exit.signal, 'SIGKILL', `trial ${trial}: the server should die by SIGKILL, not exit on its own`);
      if (moment?.landed) {
        const { hit, note } = await moment.landed();
        if (hit) result.hits += 1;
        aim = note;
      }

      // Forget everything the old clients hold, so only the store can bring the edits back.
      for (const client of clients) client.destroy();
      clients.length = 0;
      const trialAcknowledged = tally(typists, acknowledged);
      const trialSent = typists.reduce((sum, typist) => sum + typist.tokens.length, 0);
      result.trials += 1;
      result.acknowledged += trialAcknowledged;
      result.sent += trialSent;

      server = await startServerProcess({ dataDir, port, args: serverArgs(nextThreshold) });
      for (const documentName of documents) {
        await options.checkStored?.(documentName);
        const text = await readFromServer(server.wsUrl, documentName);
        assert.deepEqual(garbledTokens(text).slice(0, 5), [], `trial ${trial}: "${documentName}" holds garbled text; ${hint}`);
        const present = tokensIn(text);
        const lost = acknowledged.get(documentName)!.filter((token) => !present.has(token));
        assert.deepEqual(
          lost.slice(0, 20),
          [],
          `trial ${trial} on ${store} (killed ${aim}): ${lost.length} acknowledged edits of "${documentName}" ` +
            `are gone after restart; ${hint}`,
        );
      }
      log(
        `trial ${trial}: killed ${aim} (compacting every ${threshold} updates); ` +
          `${trialAcknowledged} of ${trialSent} edits were acknowledged, all kept`,
      );
      threshold = nextThreshold;
      if (options.stopAfterHits !== undefined && result.hits >= options.stopAfterHits) break;
    }
    log(`${result.acknowledged} of ${result.sent} edits acknowledged before ${result.trials} kills on ${store}; none lost`);
    return result;
  } finally {
    // Also after a failure mid-trial: a typist left typing would keep the test process alive.
    for (const typist of typists) typist.stop();
    for (const client of clients) client.destroy();
    await killAndWait(server);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Adds each typist's acknowledged tokens to its document's list; returns how many there were. */
function tally(typists: readonly Typist[], acknowledged: Map<string, string[]>): number {
  let count = 0;
  for (const typist of typists) {
    acknowledged.get(typist.documentName)!.push(...typist.tokens.slice(0, typist.acknowledged));
    count += typist.acknowledged;
  }
  return count;
}
