// A zombie owner: the owner of a document is paused (SIGSTOP) past its lease while one typist per instance
// edits; another instance takes the document over; then the old owner resumes (SIGCONT) with its clients'
// frames still queued. Its late writes are refused by the epoch check in PostgreSQL, its sessions move to the
// new owner, nothing acknowledged is lost and everyone converges.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import * as prng from 'lib0/prng';
import pg from 'pg';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { scrape } from '../helpers/prometheus.ts';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { assertAcknowledgedIn, settleTypists, startTypist, storedText, type Typist } from '../helpers/typists.ts';

const seed = Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replayHint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;
const DOC = 'zombie';

describe('cluster: a paused owner resumes', { skip: postgresMissing() ?? undefined }, () => {
  let cluster: TestCluster;
  // Destroyed after the test whatever happens: a provider left reconnecting keeps the test process alive.
  const typists: Typist[] = [];
  before(async () => {
    cluster = await startTestCluster({ instances: 3, leaseMs: 1_500, args: process.env.TANDEM_TEST_DEBUG ? ['--log-level', 'debug'] : [] });
  });
  after(async () => {
    for (const typist of typists) typist.client.destroy();
    for (const instance of cluster?.instances ?? []) instance.kill('SIGCONT');
    await cluster?.close();
  });

  test(`its late writes are refused and nothing diverges (${replayHint})`, { timeout: 120_000 }, async (t) => {
    try {
      await scenario(t);
    } catch (error) {
      // Who waits for what in PostgreSQL: a paused owner once held its epoch row locked (database.ts).
      const client = new pg.Client({ connectionString: cluster.databaseUrl });
      await client.connect();
      const { rows } = await client.query(
        "SELECT pid, state, wait_event_type, wait_event, xact_start, left(query, 100) AS query FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()",
      );
      for (const row of rows) t.diagnostic(`PostgreSQL session: ${JSON.stringify(row)}`);
      await client.end();
      // What each instance said last, to see where a move stalled.
      for (const [i, instance] of cluster.instances.entries()) {
        for (const line of instance.logs().filter((entry) => entry.module === 'cluster' || Number(entry.level) >= 40).slice(-25)) {
          t.diagnostic(`instance ${i}: ${String(line.time)} ${String(line.module)} ${String(line.msg)} ${JSON.stringify(line.err ?? '').slice(0, 160)}`);
        }
      }
      throw error;
    }
  });

  async function scenario(t: TestContext): Promise<void> {
    const random = prng.create(seed);
    // The first client's instance claims the document.
    for (const [i, instance] of cluster.instances.entries()) {
      const client = await connectClient(instance.wsUrl, DOC);
      typists.push(startTypist(client, DOC, { name: `z${i}c1`, random }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const owner = await cluster.ownerOf(DOC);
    assert.equal(owner, 0, 'the first client\'s instance owns the document');
    const zombie = cluster.instances[owner]!;
    const others = typists.slice(1);

    zombie.kill('SIGSTOP');
    const marks = others.map((typist) => typist.tokens.length);
    await waitFor(() => others.every((typist, i) => typist.acknowledged > marks[i]!), 15_000, 'a new owner to acknowledge');
    const newOwner = await cluster.ownerOf(DOC);
    assert.ok(newOwner > 0, 'another instance took the document over');
    // The zombie's client typed on while its instance was stopped: those frames wait in its socket.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const zombieMark = typists[0]!.acknowledged;
    zombie.kill('SIGCONT');

    await waitFor(() => typists[0]!.acknowledged > zombieMark, 15_000, 'the resumed instance\'s client to be served by the new owner');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const text = await settleTypists(typists);

    const metrics = await scrape(zombie.url);
    const fenced = metrics.value('tandem_cluster_fenced_writes_total') ?? 0;
    const lost = metrics.value('tandem_cluster_lease_losses_total') ?? 0;
    t.diagnostic(`zombie: ${fenced} write batches fenced, ${lost} leases lost; the new owner is instance ${newOwner}`);
    assert.ok(fenced + lost >= 1, 'the resumed instance found out it no longer owned the document');
    assert.equal(await cluster.ownerOf(DOC), newOwner, 'the new owner kept the document');

    for (const typist of typists) typist.client.destroy();
    const stored = await storedText(cluster.instances[2]!.wsUrl, DOC);
    assert.equal(stored, text, 'what is stored is what the clients converged on');
    assertAcknowledgedIn(stored, typists, 'after the zombie resumed');
  }
});
