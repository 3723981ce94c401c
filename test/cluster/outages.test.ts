// Redis and PostgreSQL restarted under a cluster while three typists (one per instance, through HAProxy) edit:
// /readyz says why while a service is away, nothing acknowledged is lost, and everything converges after,
// without restarting an instance.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as prng from 'lib0/prng';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { assertAcknowledgedIn, settleTypists, startTypist, storedText, type Typist } from '../helpers/typists.ts';

const seed = Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replayHint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;

async function readiness(url: string): Promise<{ status: number; reason: string }> {
  const response = await fetch(`${url}/readyz`);
  const body = (await response.json()) as { reason: string };
  return { status: response.status, reason: body.reason };
}

describe('cluster under service restarts', { skip: postgresMissing() ?? undefined }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ instances: 3, leaseMs: 1_500, balancer: true });
  });
  after(async () => {
    await cluster?.close();
  });

  async function typeThrough(documentName: string, random: prng.PRNG, outage: (typists: Typist[]) => Promise<void>): Promise<Typist[]> {
    const typists: Typist[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await connectClient(cluster.balancer!.url.replace(/^http/, 'ws'), documentName);
      typists.push(startTypist(client, documentName, { name: `${documentName.slice(0, 1)}${i}c1`, random }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await outage(typists);
    const marks = typists.map((typist) => typist.tokens.length);
    await waitFor(() => typists.every((typist, i) => typist.acknowledged > marks[i]!), 20_000, 'acknowledgements after the service returned');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await settleTypists(typists, 20_000);
    for (const typist of typists) typist.client.destroy();
    assertAcknowledgedIn(await storedText(cluster.balancer!.url.replace(/^http/, 'ws'), documentName), typists, 'after the outage');
    return typists;
  }

  test(`Redis restarted (losing its data) while typists edit (${replayHint})`, { timeout: 120_000 }, async (t) => {
    await typeThrough('redis-restart', prng.create(seed), async (typists) => {
      await cluster.redis.stop();
      let said = '';
      const deadline = Date.now() + 10_000;
      while (!said && Date.now() < deadline) {
        const ready = await readiness(cluster.instances[0]!.url);
        if (ready.status === 503) said = ready.reason;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(said, /Redis/, '/readyz says Redis is unreachable');
      // The document has its owner: editing goes on, acknowledged by PostgreSQL, while Redis is away.
      const during = typists.map((typist) => typist.acknowledged);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.ok(typists.every((typist, i) => typist.acknowledged > during[i]!), 'edits are acknowledged while Redis is down');
      await cluster.redis.start();
      t.diagnostic(`while Redis was down /readyz said: ${said}`);
    });
    for (const instance of cluster.instances) {
      const deadline = Date.now() + 10_000;
      while ((await readiness(instance.url)).status !== 200 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal((await readiness(instance.url)).status, 200, 'ready again once Redis is back');
    }
  });

  test(`PostgreSQL restarted while typists edit (${replayHint})`, { timeout: 120_000 }, async (t) => {
    await typeThrough('postgres-restart', prng.create(seed + 1), async (typists) => {
      await cluster.postgres.stop();
      let said = '';
      const deadline = Date.now() + 15_000;
      while (!said && Date.now() < deadline) {
        const ready = await readiness(cluster.instances[1]!.url);
        if (ready.status === 503) said = ready.reason;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(said, /storage/, '/readyz says storage is unreachable');
      // Nothing is acknowledged while PostgreSQL is away ("Saving…", not "Saved").
      const during = typists.map((typist) => typist.acknowledged);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.deepEqual(typists.map((typist) => typist.acknowledged), during, 'no acknowledgement while PostgreSQL is down');
      await cluster.postgres.start();
      t.diagnostic(`while PostgreSQL was down /readyz said: ${said}`);
    });
  });
});
