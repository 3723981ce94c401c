// Failover with real processes behind HAProxy: the owner of a document is SIGKILLed while one typist per
// instance edits it. The survivors' sessions move to the new owner without their sockets closing, the killed
// instance's typist reconnects through HAProxy, everyone converges, and every acknowledged edit is stored:
// also after every instance is killed at once and one is started again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as prng from 'lib0/prng';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { assertAcknowledgedIn, settleTypists, startTypist, storedText, tokensIn, type Typist } from '../helpers/typists.ts';

const seed = Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replayHint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;
const DOC = 'failover';

describe('cluster failover', { skip: postgresMissing() ?? undefined }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ instances: 3, leaseMs: 1_500, balancer: true });
  });
  after(async () => {
    await cluster?.close();
  });

  test(`SIGKILL of the owner under three typists loses no acknowledged edit (${replayHint})`, { timeout: 120_000 }, async (t) => {
    const random = prng.create(seed);
    const balancer = cluster.balancer!;
    // Round-robin puts each of three new connections on another instance; the first one's claims the document.
    const typists: Typist[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await connectClient(balancer.url.replace(/^http/, 'ws'), DOC);
      typists.push(startTypist(client, DOC, { name: `n${i}c1`, random }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const owner = await cluster.ownerOf(DOC);
    assert.ok(owner >= 0, 'someone owns the document');
    const onOwner = typists[0]!;
    const survivors = typists.slice(1);
    const opened = survivors.map((typist) => typist.client.socket.status);

    const killedAt = performance.now();
    cluster.instances[owner]!.kill('SIGKILL');
    await cluster.instances[owner]!.waitForExit();
    // Failover is done when edits made after the kill are acknowledged, on every instance left.
    const marks = typists.map((typist) => typist.tokens.length);
    await waitFor(() => survivors.every((typist, i) => typist.acknowledged > marks[i + 1]!), 15_000, 'acknowledgements from the new owner');
    const failoverMs = performance.now() - killedAt;
    await waitFor(() => onOwner.acknowledged > marks[0]!, 15_000, 'the killed instance\'s typist to reconnect through HAProxy');
    const reconnectMs = performance.now() - killedAt;
    t.diagnostic(`failover: ${Math.round(failoverMs)} ms from SIGKILL to the first acknowledgement on the new owner; ${Math.round(reconnectMs)} ms until the killed instance's client was served again`);

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const text = await settleTypists(typists);
    assert.deepEqual(survivors.map((typist) => typist.client.socket.status), opened, 'survivors kept their sockets');
    t.diagnostic(`text: ${tokensIn(text).size} tokens; typed: ${typists.map((typist) => typist.tokens.length).join(', ')}`);
    assertAcknowledgedIn(text, typists, 'after failover');

    // Then every instance at once; one comes back and has everything acknowledged.
    for (const typist of typists) typist.client.destroy();
    for (const instance of cluster.instances) instance.kill('SIGKILL');
    await Promise.all(cluster.instances.map((instance) => instance.waitForExit()));
    const restarted = await cluster.start(0);
    assertAcknowledgedIn(await storedText(restarted.wsUrl, DOC), typists, 'after every instance was killed');
  });
});
