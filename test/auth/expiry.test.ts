// A token that expires mid-session closes the socket with 4401; the provider re-authenticates with a fresh one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { mintToken } from '../../server/cli/token.ts';
import { waitFor } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRET = 'expiry-test-secret-that-is-long-enough-hs256';

let server: TestServer;
before(async () => {
  server = await startServer({ auth: 'jwt', jwtSecret: SECRET });
});
after(async () => {
  await server.close();
});

test('expiry closes the connection with 4401 and a fresh token resumes editing', async () => {
  let tokensIssued = 0;
  // The first token lives about three seconds; the provider asks again on reconnect and gets a long-lived one.
  const token = () => mintToken({ secret: SECRET, user: 'alice', docs: ['exp-doc:write'], expiresInSeconds: tokensIssued++ === 0 ? 3 : 600 });
  const socket = new HocuspocusProviderWebsocket({ url: server.wsUrl, delay: 50, minDelay: 50, maxDelay: 500 });
  const doc = new Y.Doc();
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: 'exp-doc', document: doc, token });
  const closes: number[] = [];
  socket.on('disconnect', ({ event }: { event: CloseEvent }) => closes.push(event.code));
  let authentications = 0;
  provider.on('authenticated', () => authentications++);
  provider.attach();
  try {
    await waitFor(() => provider.isSynced, 10_000, 'first sync');
    doc.getText('t').insert(0, 'before expiry ');
    await waitFor(() => closes.length > 0, 10_000, 'the expiry to close the socket');
    assert.equal(closes[0], 4401);
    await waitFor(() => authentications >= 2 && provider.isSynced, 10_000, 're-authentication');
    doc.getText('t').insert(doc.getText('t').length, 'after');
    await waitFor(() => provider.unsyncedChanges === 0, 10_000, 'the edit after re-authentication to be saved');
    assert.equal(server.app.hocuspocus.documents.get('exp-doc')?.getText('t').toString(), 'before expiry after');
    assert.ok(server.logs.some((line) => line.msg === 'token expired; closing the connection'));
  } finally {
    provider.destroy();
    socket.destroy();
  }
});
