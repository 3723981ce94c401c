// Two real providers on one document over real sockets: content and awareness converge.
import { after, before, test } from 'node:test';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

test('two providers on one document converge both ways', async () => {
  const alice = await connectClient(server.wsUrl, 'converge');
  const bob = await connectClient(server.wsUrl, 'converge');
  try {
    alice.doc.getText('t').insert(0, 'hello ');
    await waitFor(() => bob.doc.getText('t').toString() === 'hello ', 5_000, 'bob to see alice');
    bob.doc.getText('t').insert(6, 'world');
    await waitFor(() => alice.doc.getText('t').toString() === 'hello world', 5_000, 'alice to see bob');
    await Promise.all([waitForAllSaved(alice), waitForAllSaved(bob)]);
  } finally {
    alice.destroy();
    bob.destroy();
  }
});

test('awareness reaches the other client and is removed on disconnect', async () => {
  const alice = await connectClient(server.wsUrl, 'presence');
  const bob = await connectClient(server.wsUrl, 'presence');
  try {
    alice.provider.setAwarenessField('user', { name: 'Alice' });
    const aliceId = alice.doc.clientID;
    await waitFor(() => bob.provider.awareness?.getStates().get(aliceId)?.user?.name === 'Alice', 5_000, 'alice in bob’s awareness');
    alice.destroy();
    await waitFor(() => !bob.provider.awareness?.getStates().has(aliceId), 5_000, 'alice removed from bob’s awareness');
  } finally {
    alice.destroy();
    bob.destroy();
  }
});
