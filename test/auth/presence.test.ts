// Presence identity comes from the token, and no client can overwrite or remove another client's presence.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mintToken } from '../../server/cli/token.ts';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { awarenessFrame, connectRaw } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRET = 'presence-test-secret-that-is-long-enough';
const token = (user: string, name: string) => mintToken({ secret: SECRET, user, name, docs: ['room:write'], expiresInSeconds: 600 });

let server: TestServer;
before(async () => {
  server = await startServer({ auth: 'jwt', jwtSecret: SECRET });
});
after(async () => {
  await server.close();
});

test('the name in presence is the token’s, whatever the client claims', async () => {
  const alice = await connectClient(server.wsUrl, 'room', { token: await token('alice', 'Alice') });
  const bob = await connectClient(server.wsUrl, 'room', { token: await token('bob', 'Bob') });
  try {
    alice.provider.setAwarenessField('user', { name: 'The Administrator', color: '#f00' });
    const seen = () => bob.provider.awareness!.getStates().get(alice.doc.clientID)?.user;
    await waitFor(() => seen() !== undefined, 5_000, 'alice’s presence at bob');
    assert.deepEqual(seen(), { name: 'Alice', color: '#f00', id: 'alice' });
  } finally {
    alice.destroy();
    bob.destroy();
  }
});

test('a client cannot change or remove another client’s presence', async () => {
  const alice = await connectClient(server.wsUrl, 'room', { token: await token('alice', 'Alice') });
  const bob = await connectClient(server.wsUrl, 'room', { token: await token('bob', 'Bob') });
  const eve = await connectRaw(server.wsUrl);
  try {
    alice.provider.setAwarenessField('user', { name: 'x' });
    const aliceId = alice.doc.clientID;
    const atBob = () => bob.provider.awareness!.getStates().get(aliceId);
    await waitFor(() => atBob()?.user?.name === 'Alice', 5_000, 'alice’s presence at bob');
    assert.equal((await eve.authenticate('room', await token('eve', 'Eve'))).authType, 2);

    const clock = (alice.provider.awareness!.meta.get(aliceId)?.clock ?? 0) + 100;
    // Overwrite Alice's state, then remove it (null state), each with a newer clock.
    eve.send(awarenessFrame('room', [{ clientId: aliceId, clock, state: { user: { name: 'Alice (hacked)' } } }]));
    eve.send(awarenessFrame('room', [{ clientId: aliceId, clock: clock + 1, state: null }]));
    // Eve's own presence, sent last, marks the moment the attempts above were processed.
    eve.send(awarenessFrame('room', [{ clientId: 4242, clock: 1, state: { user: { name: 'Eve says hi' } } }]));
    await waitFor(() => bob.provider.awareness!.getStates().has(4242), 5_000, 'eve’s own presence at bob');

    assert.deepEqual(atBob()?.user, { name: 'Alice', id: 'alice' });
    assert.equal(bob.provider.awareness!.getStates().get(4242)?.user?.name, 'Eve', 'eve’s own name also comes from her token');
    assert.ok(server.logs.some((line) => line.msg === 'dropped an awareness update for a client this connection does not own'));
  } finally {
    eve.close();
    alice.destroy();
    bob.destroy();
  }
});
