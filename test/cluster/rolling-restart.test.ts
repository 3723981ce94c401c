// A rolling restart behind HAProxy: every instance in turn gets SIGTERM (it drains: refuses new connections,
// closes its clients with a reconnect code, unloads its documents and gives back their leases) and is started
// again, while three typists edit one document. Nothing acknowledged is lost and everyone converges.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as prng from 'lib0/prng';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { assertAcknowledgedIn, settleTypists, startTypist, storedText, type Typist } from '../helpers/typists.ts';

const seed = Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replayHint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;
const DOC = 'rolling';

describe('cluster rolling restart', { skip: postgresMissing() ?? undefined }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ instances: 3, leaseMs: 1_500, balancer: true });
  });
  after(async () => {
    await cluster?.close();
  });

  test(`SIGTERM of each instance in turn under three typists loses nothing (${replayHint})`, { timeout: 180_000 }, async (t) => {
    const random = prng.create(seed);
    const balancer = cluster.balancer!;
    const typists: Typist[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await connectClient(balancer.url.replace(/^http/, 'ws'), DOC);
      typists.push(startTypist(client, DOC, { name: `r${i}c1`, random }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (let i = 0; i < cluster.instances.length; i++) {
      const started = performance.now();
      const instance = cluster.instances[i]!;
      instance.kill('SIGTERM');
      const status = await instance.waitForExit();
      assert.equal(status.code, 0, `instance ${i} drained and exited cleanly`);
      const drainedMs = performance.now() - started;
      await cluster.start(i);
      await balancer.waitForServer(`node${i}`, 'UP', 10_000);
      const marks = typists.map((typist) => typist.tokens.length);
      await waitFor(() => typists.every((typist, k) => typist.acknowledged > marks[k]!), 20_000, `edits acknowledged after restarting instance ${i}`);
      t.diagnostic(`instance ${i}: drained in ${Math.round(drainedMs)} ms; every typist acknowledged again ${Math.round(performance.now() - started)} ms after SIGTERM`);
    }
    await settleTypists(typists);
    for (const typist of typists) typist.client.destroy();
    assertAcknowledgedIn(await storedText(balancer.url.replace(/^http/, 'ws'), DOC), typists, 'after the rolling restart');
  });
});
