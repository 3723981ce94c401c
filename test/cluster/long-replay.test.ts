// A session that moves with a long replay: a client of a non-owner makes 1,500 edits while the owner is paused,
// then the owner dies. The new owner gets them all without the client's socket closing (Hocuspocus resets a
// connection that queues over 1,000 frames before authenticating: the replay waits for the auth answer).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { connectClient, waitForAllSaved } from '../helpers/providers.ts';
import { TEXT } from '../helpers/saved.ts';
import { storedText } from '../helpers/typists.ts';

const DOC = 'long-replay';
const EDITS = 1_500;

describe('cluster: a long replay', { skip: postgresMissing() ?? undefined }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ instances: 2, leaseMs: 1_500 });
  });
  after(async () => {
    for (const instance of cluster?.instances ?? []) instance.kill('SIGCONT');
    await cluster?.close();
  });

  test(`${EDITS} unacknowledged edits move to the new owner with the client's socket open`, { timeout: 90_000 }, async () => {
    const owner = await connectClient(cluster.instances[0]!.wsUrl, DOC);
    const relayed = await connectClient(cluster.instances[1]!.wsUrl, DOC);
    assert.equal(await cluster.ownerOf(DOC), 0);
    let closes = 0;
    const codes: number[] = [];
    relayed.socket.on('close', ({ event }: { event: { code: number } }) => {
      closes += 1;
      codes.push(event.code);
    });

    cluster.instances[0]!.kill('SIGSTOP');
    const text = relayed.doc.getText(TEXT);
    // One transaction each: one update frame each, none acknowledged while the owner is stopped.
    for (let i = 0; i < EDITS; i++) text.insert(text.length, `${i};`);
    assert.ok(relayed.provider.unsyncedChanges > 1_000, `${relayed.provider.unsyncedChanges} unsynced changes`);
    cluster.instances[0]!.kill('SIGKILL');
    await cluster.instances[0]!.waitForExit();
    owner.destroy();

    await waitForAllSaved(relayed, 20_000);
    assert.equal(closes, 0, `the client's socket stayed open (closed with ${codes.join(', ')})`);
    assert.equal(await cluster.ownerOf(DOC), 1, 'the relaying instance took the document over');
    const expected = text.toString();
    relayed.destroy();
    assert.equal(await storedText(cluster.instances[1]!.wsUrl, DOC), expected, 'every edit is stored');
  });
});
