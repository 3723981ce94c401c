// Crash safety of every backend: a real process appending and compacting is SIGKILLed at random moments;
// every append it was told is stored must be there, and the document must load (no gap in its log).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import * as prng from 'lib0/prng';
import * as Y from 'yjs';
import { backends } from './stores.ts';

const TRIALS = Number(process.env.TANDEM_CRASH_TRIALS ?? 3);
const seed = Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

/** Runs the writer until it has `atLeast` acks plus a random while, then SIGKILLs it; returns the highest ack. */
async function writeAndKill(kind: string, place: string, random: prng.PRNG): Promise<{ highestAcked: number; started: number }> {
  const compactEvery = prng.oneOf(random, [5, 25, 200]);
  const child = spawn(process.execPath, [WRITER, kind, place, String(compactEvery)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let highestAcked = -1;
  let started = -1;
  let acks = 0;
  const killAfterAcks = prng.int32(random, 20, 400);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [what, value] = line.split(' ');
    if (what === 'ready') started = Number(value);
    if (what !== 'acked') return;
    highestAcked = Math.max(highestAcked, Number(value));
    acks += 1;
    // The kill lands a random few milliseconds after a random ack: mid-batch, mid-compaction or between.
    if (acks === killAfterAcks) setTimeout(() => child.kill('SIGKILL'), prng.int32(random, 0, 20));
  });
  const signal = await exited;
  assert.equal(signal, 'SIGKILL', `the writer should die by SIGKILL, not exit (stderr: ${stderr})`);
  return { highestAcked, started };
}

for (const backend of backends()) {
  describe(backend.name, { skip: backend.skip }, () => {
    after(() => backend.dispose());

    test(`appends acknowledged before a SIGKILL are all stored, compactions included (${TRIALS} trials, seed ${seed})`, async (t) => {
      const random = prng.create(seed);
      const place = await backend.place();
      // Every token acknowledged in any trial: later trials must not lose earlier ones either.
      let acknowledgedThrough = -1;
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const { highestAcked, started } = await writeAndKill(backend.name, place, random);
        // The writer resumes after what it found stored, which holds everything acknowledged before.
        assert.ok(started > acknowledgedThrough, `trial ${trial}: the writer found ${started} tokens, ${acknowledgedThrough + 1} were acknowledged`);
        acknowledgedThrough = Math.max(acknowledgedThrough, highestAcked);
        const store = await backend.open(place);
        const { log, snapshot, updates } = await store.open('crash');
        const doc = new Y.Doc();
        if (snapshot) Y.applyUpdate(doc, snapshot);
        for (const update of updates) Y.applyUpdate(doc, update);
        await log.close();
        await store.close();
        const tokens = doc.getText('t').toString().split(';').filter(Boolean).map(Number);
        // Tokens are appended in order, so what is stored is a prefix 0..k; acknowledged ones must be in it.
        const gap = tokens.findIndex((token, index) => token !== index);
        assert.equal(gap, -1, `trial ${trial}: stored tokens skip from ${tokens[gap - 1]} to ${tokens[gap]}; seed ${seed}`);
        assert.ok(
          tokens.length > acknowledgedThrough,
          `trial ${trial}: token ${acknowledgedThrough} was acknowledged but only ${tokens.length} are stored; seed ${seed}`,
        );
        t.diagnostic(`trial ${trial}: ${highestAcked + 1} acknowledged, ${tokens.length} stored (snapshot: ${snapshot !== null})`);
      }
    });
  });
}
