// A document update reaches every other client but is not echoed back to the one that sent it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as decoding from 'lib0/decoding';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectYWebsocket } from '../helpers/ywebsocket.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

const SYNC = 0;
const SYNC_UPDATE = 2;

/** Counts the Yjs update messages (sync type 2) a provider receives from now on. */
function countUpdates(client: TestClient): () => number {
  let updates = 0;
  client.provider.on('message', ({ event }: { event: { data: ArrayBuffer | Uint8Array } }) => {
    const decoder = decoding.createDecoder(new Uint8Array(event.data));
    decoding.readVarString(decoder);
    if (decoding.readVarUint(decoder) === SYNC && decoding.readVarUint(decoder) === SYNC_UPDATE) updates += 1;
  });
  return () => updates;
}

test('the sender gets no echo of its own updates; the other clients get each one', async () => {
  const alice = await connectClient(server.wsUrl, 'echo');
  const bob = await connectClient(server.wsUrl, 'echo');
  const carol = await connectClient(server.wsUrl, 'echo');
  try {
    const [atAlice, atBob, atCarol] = [alice, bob, carol].map(countUpdates) as [() => number, () => number, () => number];
    for (const word of ['one ', 'two ', 'three']) alice.doc.getText('t').insert(alice.doc.getText('t').length, word);
    await waitForAllSaved(alice);
    await waitFor(() => bob.doc.getText('t').toString() === 'one two three' && carol.doc.getText('t').toString() === 'one two three', 5_000, 'bob and carol to see alice');
    assert.equal(atBob(), 3);
    assert.equal(atCarol(), 3);
    bob.doc.getText('t').insert(0, '> ');
    await waitFor(() => alice.doc.getText('t').toString() === '> one two three', 5_000, 'alice to see bob');
    await waitForAllSaved(bob);
    assert.equal(atAlice(), 1, "alice got bob's update and none of her own");
    assert.equal(atBob(), 3, 'bob got no echo of his update');
    assert.equal(atCarol(), 4);
  } finally {
    alice.destroy();
    bob.destroy();
    carol.destroy();
  }
});

test('y-websocket clients and a provider still converge without the echo', async () => {
  const first = await connectYWebsocket(server.url, 'echo-yws');
  const second = await connectYWebsocket(server.url, 'echo-yws');
  const provider = await connectClient(server.wsUrl, 'echo-yws');
  try {
    first.doc.getText('t').insert(0, 'first. ');
    await waitFor(() => second.doc.getText('t').toString() === 'first. ' && provider.doc.getText('t').toString() === 'first. ', 5_000, 'the first edit everywhere');
    second.doc.getText('t').insert(7, 'second. ');
    provider.doc.getText('t').insert(0, 'provider. ');
    const expected = 'provider. first. second. ';
    for (const doc of [first.doc, second.doc, provider.doc]) {
      await waitFor(() => doc.getText('t').toString() === expected, 5_000, 'all three to converge');
    }
  } finally {
    first.destroy();
    second.destroy();
    provider.destroy();
  }
});

const AWARENESS = 1;

/** The client IDs in the awareness messages a provider receives from now on, one entry per message. */
function awarenessSeen(client: TestClient): number[][] {
  const seen: number[][] = [];
  client.provider.on('message', ({ event }: { event: { data: ArrayBuffer | Uint8Array } }) => {
    const decoder = decoding.createDecoder(new Uint8Array(event.data));
    decoding.readVarString(decoder);
    if (decoding.readVarUint(decoder) !== AWARENESS) return;
    const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
    const clients: number[] = [];
    for (let count = decoding.readVarUint(update); count > 0; count -= 1) {
      clients.push(decoding.readVarUint(update));
      decoding.readVarUint(update);
      decoding.readVarString(update);
    }
    seen.push(clients);
  });
  return seen;
}

test("an awareness change reaches the other clients but not the one that sent it", async () => {
  const alice = await connectClient(server.wsUrl, 'echo-awareness');
  const bob = await connectClient(server.wsUrl, 'echo-awareness');
  try {
    const atAlice = awarenessSeen(alice);
    const atBob = awarenessSeen(bob);
    const aliceId = alice.doc.clientID;
    for (let i = 1; i <= 5; i += 1) alice.provider.setAwarenessField('cursor', i);
    await waitFor(() => (bob.provider.awareness?.getStates().get(aliceId) as { cursor?: number } | undefined)?.cursor === 5, 5_000, "bob to see alice's last cursor");
    bob.provider.setAwarenessField('cursor', 'bob');
    await waitFor(() => (alice.provider.awareness?.getStates().get(bob.doc.clientID) as { cursor?: string } | undefined)?.cursor === 'bob', 5_000, "alice to see bob's cursor");
    assert.ok(atBob.filter((clients) => clients.includes(aliceId)).length >= 1, "bob got alice's changes");
    assert.deepEqual(atAlice.filter((clients) => clients.includes(aliceId)), [], 'alice got none of her own changes back');
    assert.deepEqual(atBob.filter((clients) => clients.includes(bob.doc.clientID)), [], 'bob got none of his own back');
  } finally {
    alice.destroy();
    bob.destroy();
  }
});
